package openinghours

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rest of the opening_hours grammar French venues use, which the week
// of a Schedule cannot hold: months and dates (Jul-Aug off, Dec 24-26),
// ISO week numbers (week 1-20, week 2-52/2), school holidays (SH, alone or
// with days: SH Mo-Fr), the states off, closed and unknown, comments in
// quotes and fallback rules (||). A value using them is read by
// parseRules into a list of rules evaluated day by day, as the
// specification says: for each day, the rules whose selectors match it
// apply in order, a rule after ";" replacing the day's hours, a rule after
// "," adding to them, a rule after "||" applying only when no rule before
// it matched the day. Parse tries it when its own grammar says a value is
// Unsupported.
//
// School holidays are those of the venue's zone (schoolholidays.go): a day
// whose rules need to know whether it is a school holiday where that is
// not known has an unknown state, as has a rule with the state unknown or
// with a comment and no hours.

type ruleSep int

const (
	sepNormal     ruleSep = iota // ";" or the first rule
	sepAdditional                // ","
	sepFallback                  // "||"
)

type ruleState int

const (
	stateOpen ruleState = iota
	stateClosed
	stateUnknown
)

// monthDay is a day of the year by month and day; day 0 is the month's
// first day as a start and its last as an end.
type monthDay struct {
	month time.Month
	day   int
}

type monthRange struct{ from, to monthDay }

type weekRange struct{ from, to, step int }

// grule is one rule of a value read by parseRules.
type grule struct {
	sep    ruleSep
	months []monthRange
	weeks  []weekRange
	days   [7]bool
	anyDay bool // no weekday selector
	ph, sh bool
	// holidayAndDays: "SH Mo-Fr", the school holidays that fall on these
	// days, rather than "SH,Mo-Fr", either.
	holidayAndDays bool
	spans          []span
	state          ruleState
	comment        string
}

// parseRules reads value in the grammar above; its errors are *Error.
func parseRules(value string) ([]grule, error) {
	p := &parser{value: value}
	var rules []grule
	sep := sepNormal
	for {
		r, err := p.grule()
		if err != nil {
			return nil, err
		}
		r.sep = sep
		rules = append(rules, r)
		p.skipSpace()
		switch {
		case p.eof():
			return rules, nil
		case strings.HasPrefix(p.value[p.pos:], "||"):
			p.pos += 2
			sep = sepFallback
		case p.peek() == ';':
			p.pos++
			sep = sepNormal
			p.skipSpace()
			if p.eof() {
				return rules, nil
			}
		case p.peek() == ',':
			p.pos++
			sep = sepAdditional
		default:
			return nil, p.unexpected()
		}
	}
}

func monthIndex(w string) (time.Month, bool) {
	i := slices.Index(months, w)
	return time.Month(i + 1), i >= 0
}

func (p *parser) grule() (grule, error) {
	p.skipSpace()
	r := grule{anyDay: true}
	start := p.pos
	if strings.HasPrefix(p.value[p.pos:], "24/7") {
		p.pos += len("24/7")
		r.spans = []span{{0, minutesPerDay}}
		return r, p.ruleEnd(&r, start, true)
	}
	if err := p.monthSelectors(&r); err != nil {
		return r, err
	}
	p.skipSpace()
	if p.peekWord() == "week" {
		if err := p.weekSelectors(&r); err != nil {
			return r, err
		}
	}
	p.skipSpace()
	if err := p.smallSelectors(&r); err != nil {
		return r, err
	}
	p.skipSpace()
	hasTimes := false
	if p.atDigit() {
		spans, err := p.times(start)
		if err != nil {
			return r, err
		}
		r.spans, hasTimes = spans, true
	}
	return r, p.ruleEnd(&r, start, hasTimes)
}

// ruleEnd reads a rule's state and comment, and checks that the rule says
// something about its days.
func (p *parser) ruleEnd(r *grule, start int, hasTimes bool) error {
	p.skipSpace()
	switch w := p.peekWord(); w {
	case "open", "off", "closed", "unknown":
		pos := p.pos
		p.word()
		switch {
		case w == "open":
		case hasTimes:
			return p.unsupported(pos, "« %s » après des heures n'est pas pris en charge", w)
		case w == "unknown":
			r.state = stateUnknown
		default:
			r.state = stateClosed
		}
		if w == "open" && !hasTimes {
			return p.fail(pos, "« open » sans heures")
		}
	}
	p.skipSpace()
	if p.peek() == '"' {
		end := strings.IndexByte(p.value[p.pos+1:], '"')
		if end < 0 {
			return p.fail(p.pos, "commentaire sans guillemet fermant")
		}
		if end == 0 {
			return p.fail(p.pos, "commentaire vide")
		}
		r.comment = p.value[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		if !hasTimes && r.state == stateOpen {
			r.state = stateUnknown // a comment alone says nothing of the hours
		}
		return nil
	}
	if !hasTimes && r.state == stateOpen {
		return p.fail(start, "une règle sans heures ni « off »")
	}
	return nil
}

// monthSelectors reads months and dates: Jan, Jul-Aug, Dec 24, Dec 24-26,
// Dec 24-Jan 02, separated by commas.
func (p *parser) monthSelectors(r *grule) error {
	for {
		save := p.pos
		m, ok := monthIndex(p.peekWord())
		if !ok {
			p.pos = save
			return nil
		}
		p.word()
		from := monthDay{m, 0}
		if d, ok := p.dayOfMonth(); ok {
			from.day = d
		}
		to := monthDay{m, from.day}
		if p.peek() == '-' {
			p.pos++
			if d, ok := p.dayOfMonth(); ok && from.day > 0 {
				to.day = d
			} else if m2, ok := monthIndex(p.peekWord()); ok {
				p.word()
				to = monthDay{m2, 0}
				if d, ok := p.dayOfMonth(); ok {
					to.day = d
				}
			} else {
				return p.fail(p.pos, "un mois est attendu après « - » (Jan, Feb, Mar, Apr, May, Jun, Jul, Aug, Sep, Oct, Nov, Dec)")
			}
		}
		if (from.day == 0) != (to.day == 0) {
			return p.unsupported(save, "les périodes qui mêlent mois entiers et jours ne sont pas prises en charge")
		}
		for _, d := range []monthDay{from, to} {
			if d.day > 0 && d.day > daysIn(d.month) {
				return p.fail(save, "jour %d impossible en %s", d.day, months[d.month-1])
			}
		}
		r.months = append(r.months, monthRange{from, to})
		if p.peek() != ',' || !p.monthAfterComma() {
			return nil
		}
		p.pos++
	}
}

// monthAfterComma tells a comma followed by a month from one that ends
// the selector.
func (p *parser) monthAfterComma() bool {
	save := p.pos
	defer func() { p.pos = save }()
	p.pos++
	p.skipSpace()
	_, ok := monthIndex(p.peekWord())
	return ok
}

// dayOfMonth reads " 24" after a month: one or two digits not followed by
// ":", which would make them an hour.
func (p *parser) dayOfMonth() (int, bool) {
	save := p.pos
	p.skipSpace()
	start := p.pos
	for p.atDigit() {
		p.pos++
	}
	tok := p.value[start:p.pos]
	if len(tok) == 0 || len(tok) > 2 || p.peek() == ':' {
		p.pos = save
		return 0, false
	}
	d, _ := strconv.Atoi(tok)
	if d < 1 {
		p.pos = save
		return 0, false
	}
	return d, true
}

// daysIn is the most days the month has (29 for February).
func daysIn(m time.Month) int {
	return time.Date(2024, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekSelectors reads "week 1-20", "week 01,03,05", "week 2-52/2".
func (p *parser) weekSelectors(r *grule) error {
	p.word() // week
	for {
		p.skipSpace()
		pos := p.pos
		from, ok := p.number(1, 53)
		if !ok {
			return p.fail(pos, "un numéro de semaine (de 1 à 53) est attendu après « week »")
		}
		w := weekRange{from, from, 1}
		if p.peek() == '-' {
			p.pos++
			if w.to, ok = p.number(from, 53); !ok {
				return p.fail(pos, "semaines « %s » : la fin va de %d à 53", p.value[pos:p.pos], from)
			}
			if p.peek() == '/' {
				p.pos++
				if w.step, ok = p.number(1, 52); !ok {
					return p.fail(pos, "pas de semaines impossible dans « %s »", p.value[pos:p.pos])
				}
			}
		}
		r.weeks = append(r.weeks, w)
		if p.peek() != ',' {
			return nil
		}
		save := p.pos
		p.pos++
		p.skipSpace()
		if !p.atDigit() {
			p.pos = save
			return nil
		}
	}
}

// number reads digits that must make a number from min to max, not
// followed by ":".
func (p *parser) number(min, max int) (int, bool) {
	start := p.pos
	for p.atDigit() {
		p.pos++
	}
	n, err := strconv.Atoi(p.value[start:p.pos])
	if err != nil || n < min || n > max || p.peek() == ':' {
		return 0, false
	}
	return n, true
}

// smallSelectors reads days and holidays: "Mo-Fr", "Sa,PH", "SH",
// "SH Mo-Fr" (school holidays on those days).
func (p *parser) smallSelectors(r *grule) error {
	w := p.peekWord()
	if w == "PH" || w == "SH" {
		save := p.pos
		p.word()
		p.skipSpace()
		if _, isDay := dayIndex(p.peekWord()); isDay {
			if w == "PH" {
				return p.unsupported(save, "« PH %s » (les jours fériés qui tombent certains jours) n'est pas pris en charge", p.peekWord())
			}
			r.sh, r.holidayAndDays = true, true
			return p.weekdays(r)
		}
		p.pos = save
	}
	if _, isDay := dayIndex(w); !isDay && w != "PH" && w != "SH" {
		return nil
	}
	return p.weekdays(r)
}

// weekdays reads days, ranges of days, PH and SH separated by commas.
func (p *parser) weekdays(r *grule) error {
	r.anyDay = false
	for {
		p.skipSpace()
		pos := p.pos
		w := p.word()
		switch {
		case w == "PH" && r.holidayAndDays:
			return p.unsupported(pos, "« PH » dans une règle « SH » avec des jours n'est pas pris en charge")
		case w == "PH":
			r.ph = true
		case w == "SH":
			if r.holidayAndDays {
				return p.unsupported(pos, "« SH » deux fois dans une règle n'est pas pris en charge")
			}
			r.sh = true
		default:
			if err := p.dayRange(w, pos, &r.days); err != nil {
				return err
			}
		}
		p.skipSpace()
		if p.peek() != ',' {
			return nil
		}
		save := p.pos
		p.pos++
		p.skipSpace()
		if !p.atLetter() || func() bool { _, ok := monthIndex(p.peekWord()); return ok || p.peekWord() == "week" }() {
			p.pos = save // a comma that starts an additional rule
			return nil
		}
	}
}

// matches tells whether r's selectors take the date; known is false when
// that depends on a school holiday whose dates are not known there.
func (r *grule) matches(day time.Time, departement string) (match, known bool) {
	if len(r.months) > 0 && !slices.ContainsFunc(r.months, func(m monthRange) bool { return m.contains(day) }) {
		return false, true
	}
	if len(r.weeks) > 0 {
		_, w := day.ISOWeek()
		if !slices.ContainsFunc(r.weeks, func(wr weekRange) bool { return wr.contains(w) }) {
			return false, true
		}
	}
	if r.anyDay {
		return true, true
	}
	weekday := r.days[weekIndex(day.Weekday())]
	if r.holidayAndDays {
		if !weekday {
			return false, true
		}
		return schoolHoliday(day, departement)
	}
	if weekday || r.ph && publicHoliday(day) {
		return true, true
	}
	if !r.sh {
		return false, true
	}
	return schoolHoliday(day, departement)
}

func (m monthRange) contains(day time.Time) bool {
	at := monthDay{day.Month(), day.Day()}
	from, to := m.from, m.to
	if to.day == 0 {
		to.day = 31
	}
	if from.day == 0 {
		from.day = 1
	}
	before := func(a, b monthDay) bool { return a.month < b.month || a.month == b.month && a.day < b.day }
	if before(to, from) { // across the new year: Dec 24-Jan 02
		return !before(at, from) || !before(to, at)
	}
	return !before(at, from) && !before(to, at)
}

func (w weekRange) contains(week int) bool {
	return w.from <= week && week <= w.to && (week-w.from)%w.step == 0
}

// dayPlan evaluates the rules for one date: its spans, and whether they
// are known.
func dayPlan(rules []grule, day time.Time, departement string) (plan, bool) {
	var p plan
	matched, known := false, true
	for i := range rules {
		r := &rules[i]
		if r.sep == sepFallback && matched {
			continue
		}
		m, k := r.matches(day, departement)
		if !k {
			return nil, false
		}
		if !m {
			continue
		}
		matched = true
		switch {
		case r.sep == sepAdditional && r.state == stateOpen:
			p = merge(p, r.spans)
		case r.sep == sepAdditional && r.state == stateUnknown:
			known = false
		default:
			p, known = nil, r.state != stateUnknown
			if r.state == stateOpen {
				p = merge(nil, r.spans)
			}
		}
	}
	return p, known
}

// formatRules writes rules in canonical form: selectors, hours, state and
// comment as OpenStreetMap writes them, rules joined by "; ", ", " or
// " || ".
func formatRules(rules []grule) string {
	var b strings.Builder
	for i, r := range rules {
		if i > 0 {
			b.WriteString([...]string{"; ", ", ", " || "}[r.sep])
		}
		var parts []string
		if len(r.months) > 0 {
			var ms []string
			for _, m := range r.months {
				ms = append(ms, m.String())
			}
			parts = append(parts, strings.Join(ms, ","))
		}
		if len(r.weeks) > 0 {
			var ws []string
			for _, w := range r.weeks {
				ws = append(ws, w.String())
			}
			parts = append(parts, "week "+strings.Join(ws, ","))
		}
		if !r.anyDay {
			parts = append(parts, r.smallString())
		}
		if len(r.spans) > 0 && r.state == stateOpen {
			plan := merge(nil, r.spans)
			if len(parts) == 0 && len(plan) == 1 && plan[0] == (span{0, minutesPerDay}) {
				// Always open: "00:00-24:00" after ", " would be read
				// back as one more span of the rule before it.
				parts = append(parts, "24/7")
			} else {
				parts = append(parts, osmPlan(plan))
			}
		}
		switch {
		case r.state == stateClosed:
			parts = append(parts, "off")
		case r.state == stateUnknown && r.comment == "":
			parts = append(parts, "unknown")
		}
		if r.comment != "" {
			parts = append(parts, `"`+r.comment+`"`)
		}
		b.WriteString(strings.Join(parts, " "))
	}
	return b.String()
}

func (r *grule) smallString() string {
	var items []string
	if r.holidayAndDays {
		return "SH " + osmDays(r.days)
	}
	if r.days != [7]bool{} {
		items = append(items, osmDays(r.days))
	}
	if r.ph {
		items = append(items, "PH")
	}
	if r.sh {
		items = append(items, "SH")
	}
	return strings.Join(items, ",")
}

func (d monthDay) String() string {
	if d.day == 0 {
		return months[d.month-1]
	}
	return fmt.Sprintf("%s %02d", months[d.month-1], d.day)
}

func (m monthRange) String() string {
	switch {
	case m.from == m.to:
		return m.from.String()
	case m.from.day > 0 && m.from.month == m.to.month:
		return fmt.Sprintf("%s-%02d", m.from, m.to.day)
	}
	return m.from.String() + "-" + m.to.String()
}

func (w weekRange) String() string {
	s := fmt.Sprintf("%02d", w.from)
	if w.to != w.from {
		s += fmt.Sprintf("-%02d", w.to)
		if w.step > 1 {
			s += fmt.Sprintf("/%d", w.step)
		}
	}
	return s
}
