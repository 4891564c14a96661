package openinghours

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is why Parse rejected a value, in French, for the person who fixes
// the data from an import report.
type Error struct {
	Value  string // the value as given
	Offset int    // byte offset in Value of the part at fault
	Reason string // in French, without the final period
	// Unsupported is set when the value may well be correct OpenStreetMap
	// syntax that this package does not evaluate (months, school holidays,
	// comments…), rather than a mistake.
	Unsupported bool
}

// errorValueMax is how much of a value an error message quotes: enough to
// recognise it in a report line.
const errorValueMax = 120

func (e *Error) Error() string {
	v := strings.TrimSpace(e.Value)
	if utf8.RuneCountInString(v) > errorValueMax {
		v = string([]rune(v)[:errorValueMax]) + "…"
	}
	return fmt.Sprintf("horaires : « %s » : %s.", v, e.Reason)
}

var dayCodes = [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

const expectedDays = "attendu Mo, Tu, We, Th, Fr, Sa, Su"

// unsupportedWords are the OpenStreetMap words for what Parse does not
// evaluate, with what to say about them.
var unsupportedWords = map[string]string{
	"SH":      "les vacances scolaires (« SH ») ne sont pas prises en charge",
	"week":    "les numéros de semaine (« week ») ne sont pas pris en charge",
	"easter":  "les dates (« easter ») ne sont pas prises en charge",
	"sunrise": "les heures liées au soleil (« sunrise ») ne sont pas prises en charge",
	"sunset":  "les heures liées au soleil (« sunset ») ne sont pas prises en charge",
	"dawn":    "les heures liées au soleil (« dawn ») ne sont pas prises en charge",
	"dusk":    "les heures liées au soleil (« dusk ») ne sont pas prises en charge",
	"unknown": "l'état « unknown » n'est pas pris en charge",
}

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// rule is one rule of a value, as written.
type rule struct {
	days       [7]bool
	holidays   bool // PH
	spans      []span
	closed     bool
	additional bool // after ", ": adds hours instead of replacing them
	pos        int
	text       string
}

type parser struct {
	value string
	pos   int
}

// Parse reads an opening_hours value in the subset described in the package
// documentation. Its errors are *Error.
func Parse(value string) (*Schedule, error) {
	p := &parser{value: value}
	rules, err := p.rules()
	var e *Error
	if errors.As(err, &e) && e.Unsupported {
		// Months, weeks, school holidays, comments, fallback rules:
		// evaluated day by day (rules.go), or the first error stands.
		if general, gerr := parseRules(value); gerr == nil {
			return &Schedule{rules: general}, nil
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := p.checkOverridden(rules); err != nil {
		return nil, err
	}
	return compile(rules), nil
}

func (p *parser) fail(pos int, format string, args ...any) *Error {
	return &Error{Value: p.value, Offset: pos, Reason: fmt.Sprintf(format, args...)}
}

func (p *parser) unsupported(pos int, format string, args ...any) *Error {
	e := p.fail(pos, format, args...)
	e.Unsupported = true
	return e
}

func (p *parser) eof() bool { return p.pos >= len(p.value) }

// peek returns the next byte, or 0 at the end.
func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.value[p.pos]
}

func (p *parser) skipSpace() {
	for !p.eof() {
		r, n := utf8.DecodeRuneInString(p.value[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

func (p *parser) atLetter() bool {
	r, _ := utf8.DecodeRuneInString(p.value[p.pos:])
	return !p.eof() && unicode.IsLetter(r)
}

func (p *parser) atDigit() bool { c := p.peek(); return '0' <= c && c <= '9' }

// word reads letters.
func (p *parser) word() string {
	start := p.pos
	for !p.eof() {
		r, n := utf8.DecodeRuneInString(p.value[p.pos:])
		if !unicode.IsLetter(r) {
			break
		}
		p.pos += n
	}
	return p.value[start:p.pos]
}

// peekWord returns the word at the current position without reading it.
func (p *parser) peekWord() string {
	save := p.pos
	w := p.word()
	p.pos = save
	return w
}

func isModifier(w string) bool { return w == "open" || w == "off" || w == "closed" }

func dayIndex(w string) (int, bool) {
	for i, c := range dayCodes {
		if w == c {
			return i, true
		}
	}
	return 0, false
}

func (p *parser) rules() ([]rule, error) {
	if strings.TrimSpace(p.value) == "" {
		return nil, p.fail(0, "la valeur est vide")
	}
	// Both are refused whole: what they mean cannot be evaluated, and
	// reading on would only report a confusing error further on.
	if i := strings.Index(p.value, "||"); i >= 0 {
		return nil, p.unsupported(i, "les règles de repli « || » ne sont pas prises en charge")
	}
	if i := strings.IndexByte(p.value, '"'); i >= 0 {
		return nil, p.unsupported(i, "les commentaires entre guillemets ne sont pas pris en charge")
	}
	var rules []rule
	additional, seenHolidays := false, false
	for {
		r, err := p.rule()
		if err != nil {
			return nil, err
		}
		if additional {
			// In these cases implementations disagree on what the value
			// means, so it is better to have it rewritten.
			switch {
			case r.closed:
				return nil, p.unsupported(r.pos, "« off » dans une règle ajoutée par « , » n'est pas pris en charge : séparez les règles par « ; »")
			case r.holidays:
				return nil, p.unsupported(r.pos, "« PH » dans une règle ajoutée par « , » n'est pas pris en charge : séparez les règles par « ; »")
			case seenHolidays:
				return nil, p.unsupported(r.pos, "une règle ajoutée par « , » après une règle « PH » n'est pas prise en charge : placez la règle « PH » en dernier")
			}
		}
		r.additional = additional
		seenHolidays = seenHolidays || r.holidays
		rules = append(rules, r)

		p.skipSpace()
		if p.eof() {
			return rules, nil
		}
		switch p.peek() {
		case ';':
			p.pos++
			additional = false
			p.skipSpace()
			if p.eof() {
				return rules, nil
			}
			if p.peek() == ';' {
				return nil, p.fail(p.pos, "règle vide entre deux « ; »")
			}
		case ',':
			p.pos++
			additional = true
		default:
			return nil, p.unexpected()
		}
	}
}

// unexpected reports what stands where a rule should have ended.
func (p *parser) unexpected() *Error {
	pos := p.pos
	if p.atLetter() {
		w := p.word()
		if _, ok := dayIndex(w); ok {
			return p.fail(pos, "« %s » inattendu : séparez les règles par « ; » (par exemple « Mo-Fr 09:00-12:00; Sa 10:00-12:00 »)", w)
		}
		if _, ok := miscased(w); ok || unsupportedWords[w] != "" {
			return p.unknownWord(pos, w)
		}
		return p.fail(pos, "texte inattendu « %s »", w)
	}
	r, _ := utf8.DecodeRuneInString(p.value[pos:])
	return p.fail(pos, "caractère inattendu « %c »", r)
}

func (p *parser) rule() (rule, error) {
	p.skipSpace()
	r := rule{pos: p.pos}
	if strings.HasPrefix(p.value[p.pos:], "24/7") {
		p.pos += len("24/7")
		r.days = allWeek
		r.spans = []span{{0, minutesPerDay}}
		r.text = "24/7"
		return r, nil
	}
	named := false
	if p.atLetter() && !isModifier(p.peekWord()) {
		if err := p.days(&r); err != nil {
			return r, err
		}
		named = true
		p.skipSpace()
		if p.atLetter() && !isModifier(p.peekWord()) {
			return r, p.afterDays(r)
		}
	} else {
		r.days = allWeek
	}
	daysText := strings.TrimSpace(p.value[r.pos:p.pos])
	p.skipSpace()
	if p.atDigit() {
		spans, err := p.times(r.pos)
		if err != nil {
			return r, err
		}
		r.spans = spans
	}
	p.skipSpace()
	modifier := ""
	if isModifier(p.peekWord()) {
		pos := p.pos
		modifier = p.word()
		if modifier != "open" {
			if len(r.spans) > 0 {
				return r, p.unsupported(pos, "« %s » après des heures n'est pas pris en charge : donnez seulement les heures d'ouverture (par exemple « Mo 09:00-12:00,14:00-18:00 » plutôt que « Mo 09:00-18:00; Mo 12:00-14:00 off »)", modifier)
			}
			r.closed = true
		}
	}
	r.text = strings.TrimSpace(p.value[r.pos:p.pos])
	if !r.closed && len(r.spans) == 0 {
		switch {
		case named && p.peek() == ':':
			return r, p.fail(p.pos, "« : » inattendu après les jours : écrivez par exemple « %s 09:00-18:00 », sans deux-points", daysText)
		case named && (p.eof() || p.peek() == ';' || p.peek() == ','):
			return r, p.fail(r.pos, "des jours sans heures : « %s » (écrivez par exemple « %s 09:00-18:00 », ou « %s off » si le lieu est fermé ces jours-là)", daysText, daysText, daysText)
		case modifier == "open":
			return r, p.fail(r.pos, "« open » sans heures (écrivez « 24/7 » si le lieu est toujours ouvert)")
		case !named && (p.eof() || p.peek() == ';' || p.peek() == ','):
			return r, p.fail(r.pos, "règle vide")
		default:
			return r, p.unexpected()
		}
	}
	return r, nil
}

// afterDays reports a word that follows the days of a rule where hours were
// expected.
func (p *parser) afterDays(r rule) *Error {
	pos := p.pos
	w := p.word()
	_, isDay := dayIndex(w)
	switch {
	case isDay && r.holidays:
		return p.unsupported(pos, "« PH %s » (les jours fériés qui tombent certains jours) n'est pas pris en charge ; pour les jours fériés et ces jours-là, écrivez « PH,%s »", w, w)
	case isDay || w == "PH":
		return p.fail(pos, "« %s » : séparez les jours par une virgule (par exemple « Mo,Fr » ou « Sa,PH »)", w)
	}
	if _, ok := miscased(w); ok || unsupportedWords[w] != "" || slices.Contains(months, w) {
		return p.unknownWord(pos, w)
	}
	return p.fail(pos, "texte inattendu « %s » : des heures sont attendues après les jours (par exemple « Mo-Fr 09:00-18:00 »)", w)
}

// days reads the days of a rule: days, ranges of days and PH, separated by
// commas.
func (p *parser) days(r *rule) error {
	for {
		p.skipSpace()
		pos := p.pos
		w := p.word()
		switch {
		case w == "":
			return p.fail(pos, "un jour est attendu après « , » (%s)", expectedDays)
		case w == "PH":
			r.holidays = true
		default:
			if err := p.dayRange(w, pos, &r.days); err != nil {
				return err
			}
		}
		p.skipSpace()
		if p.peek() != ',' {
			return nil
		}
		p.pos++
	}
}

// dayRange reads what may follow the day w, read at pos: nothing, or "-"
// and the last day of a range; and marks the days it names. Both grammars
// (Parse's and the rules') read their days with it.
func (p *parser) dayRange(w string, pos int, days *[7]bool) error {
	from, ok := dayIndex(w)
	if !ok {
		return p.unknownWord(pos, w)
	}
	if p.peek() == '[' {
		return p.unsupported(pos, "les jours choisis dans le mois comme « %s[1] » ne sont pas pris en charge", w)
	}
	to := from
	p.skipSpace()
	if p.peek() == '-' {
		p.pos++
		p.skipSpace()
		pos2 := p.pos
		w2 := p.word()
		if w2 == "" {
			return p.fail(pos2, "un jour est attendu après « %s- » (%s)", w, expectedDays)
		}
		if to, ok = dayIndex(w2); !ok {
			return p.unknownWord(pos2, w2)
		}
	}
	// A range may run across Sunday: Fr-Mo is Friday to Monday.
	for d := from; ; d = (d + 1) % 7 {
		days[d] = true
		if d == to {
			break
		}
	}
	return nil
}

// unknownWord reports a word found where a day was expected.
func (p *parser) unknownWord(pos int, w string) *Error {
	if reason, ok := unsupportedWords[w]; ok {
		return p.unsupported(pos, "%s", reason)
	}
	if slices.Contains(months, w) {
		return p.unsupported(pos, "les mois (« %s ») ne sont pas pris en charge", w)
	}
	if c, ok := miscased(w); ok {
		if isModifier(c) {
			return p.fail(pos, "mot inconnu « %s » (les majuscules comptent : écrivez « %s »)", w, c)
		}
		return p.fail(pos, "jour inconnu « %s » (%s ; les majuscules comptent : écrivez « %s »)", w, expectedDays, c)
	}
	return p.fail(pos, "jour inconnu « %s » (%s)", w, expectedDays)
}

// miscased returns the OpenStreetMap word that w spells in the wrong case.
func miscased(w string) (string, bool) {
	for _, c := range append(dayCodes[:], "PH", "off", "closed", "open") {
		if w != c && strings.EqualFold(w, c) {
			return c, true
		}
	}
	return "", false
}

// times reads the spans of a rule, separated by commas. A comma followed by
// a letter ends them: it starts an additional rule.
func (p *parser) times(rulePos int) ([]span, error) {
	var spans []span
	for {
		sp, err := p.span(rulePos)
		if err != nil {
			return nil, err
		}
		spans = append(spans, sp)
		p.skipSpace()
		switch {
		case p.peek() == ',':
			comma := p.pos
			p.pos++
			p.skipSpace()
			if !p.atDigit() {
				p.pos = comma
				return spans, nil
			}
		case p.atDigit():
			return nil, p.fail(p.pos, "il manque une virgule entre deux plages horaires (par exemple « 09:00-12:00,14:00-18:00 »)")
		default:
			return spans, nil
		}
	}
}

func (p *parser) span(rulePos int) (span, error) {
	pos := p.pos
	from, err := p.time(rulePos, false)
	if err != nil {
		return span{}, err
	}
	p.skipSpace()
	switch p.peek() {
	case '-':
		p.pos++
	case '+':
		return span{}, p.unsupported(pos, "les heures de fermeture non précisées comme « %s+ » ne sont pas prises en charge", p.value[pos:p.pos])
	default:
		return span{}, p.fail(pos, "il manque l'heure de fin après « %s » (par exemple 09:00-12:00)", strings.TrimSpace(p.value[pos:p.pos]))
	}
	p.skipSpace()
	if !p.atDigit() {
		if w := p.peekWord(); unsupportedWords[w] != "" {
			return span{}, p.unsupported(p.pos, "%s", unsupportedWords[w])
		}
		return span{}, p.fail(p.pos, "une heure de fin est attendue après « %s » (par exemple 09:00-12:00)", strings.TrimSpace(p.value[pos:p.pos]))
	}
	to, err := p.time(rulePos, true)
	if err != nil {
		return span{}, err
	}
	text := p.value[pos:p.pos]
	switch p.peek() {
	case '+':
		return span{}, p.unsupported(pos, "les heures de fermeture non précisées comme « %s+ » ne sont pas prises en charge", text)
	case '/':
		if p.atSpanAfterSlash() {
			return span{}, p.fail(p.pos, "« / » entre deux plages horaires : séparez-les par une virgule (par exemple « 09:00-12:00,14:00-18:00 »)")
		}
		return span{}, p.unsupported(pos, "les horaires répétés comme « %s/… » ne sont pas pris en charge", text)
	}
	switch {
	case to == from:
		return span{}, p.fail(pos, "l'heure de fin de « %s » est l'heure de début (pour toute la journée, écrivez 00:00-24:00)", text)
	case to < from:
		to += minutesPerDay // over midnight: 20:00-02:00
	}
	return span{from, to}, nil
}

// atSpanAfterSlash tells "09:00-12:00/14:00-18:00", a slash written for a
// comma, from the specification's repeating times, "10:00-16:00/01:30".
func (p *parser) atSpanAfterSlash() bool {
	save := p.pos
	defer func() { p.pos = save }()
	p.pos++
	p.skipSpace()
	if _, err := p.time(-1, false); err != nil {
		return false
	}
	p.skipSpace()
	return p.peek() == '-'
}

// time reads HH:MM. An end may be 24:00 or later, up to 48:00, for the next
// day, as the specification allows.
func (p *parser) time(rulePos int, end bool) (int, error) {
	pos := p.pos
	// Take in everything that may belong to a badly written time, so that
	// the error quotes it whole: 9h30, 09.30, 0930.
	for !p.eof() && strings.IndexByte("0123456789:hH.", p.peek()) >= 0 {
		p.pos++
	}
	tok := p.value[pos:p.pos]
	if pos == rulePos && p.atYear(tok) {
		return 0, p.unsupported(pos, "les années (« %s ») ne sont pas prises en charge", tok)
	}
	if len(tok) != 5 || tok[2] != ':' || !isDigits(tok[:2]) || !isDigits(tok[3:]) {
		return 0, p.fail(pos, "heure « %s » mal écrite (attendu HH:MM, par exemple 09:00)", tok)
	}
	h := int(tok[0]-'0')*10 + int(tok[1]-'0')
	m := int(tok[3]-'0')*10 + int(tok[4]-'0')
	v := h*60 + m
	switch {
	case m > 59:
		return 0, p.fail(pos, "heure « %s » impossible (les minutes vont de 00 à 59)", tok)
	case !end && v >= minutesPerDay:
		return 0, p.fail(pos, "heure de début « %s » impossible (de 00:00 à 23:59)", tok)
	case v > maxEnd:
		return 0, p.fail(pos, "heure de fin « %s » impossible (48:00 au plus)", tok)
	}
	return v, nil
}

// atYear tells a year that begins a rule (2024 Jan 01, 2024-2025) from a
// time written without its colon (0900-1200).
func (p *parser) atYear(tok string) bool {
	if len(tok) != 4 || !isDigits(tok) || (tok[:2] != "19" && tok[:2] != "20") {
		return false
	}
	save := p.pos
	defer func() { p.pos = save }()
	p.skipSpace()
	if p.atLetter() || p.eof() {
		return true
	}
	rest := p.value[p.pos:]
	return len(rest) >= 5 && rest[0] == '-' && isDigits(rest[1:5]) && (rest[1:3] == "19" || rest[1:3] == "20") && (len(rest) == 5 || rest[5] != ':')
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// checkOverridden rejects a rule that later rules replace for every day it
// names: it has no effect, so it is a mistake, most often a ";" written for
// a ",".
func (p *parser) checkOverridden(rules []rule) error {
	var later [7]bool
	laterHolidays := false
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if r.additional {
			continue
		}
		overridden := !r.holidays || laterHolidays
		for d, named := range r.days {
			if named && !later[d] {
				overridden = false
			}
		}
		if overridden {
			return p.fail(r.pos, "la règle « %s » n'a aucun effet : les règles qui la suivent la remplacent pour tous ses jours (pour plusieurs plages horaires le même jour, séparez-les par une virgule : « Mo-Fr 09:00-12:00,14:00-18:00 »)", r.text)
		}
		for d, named := range r.days {
			later[d] = later[d] || named
		}
		laterHolidays = laterHolidays || r.holidays
	}
	return nil
}

// compile applies the rules in order: a rule replaces the hours of the days
// it names, or adds to them after ", ".
func compile(rules []rule) *Schedule {
	var s Schedule
	lastDay := [7]int{-1, -1, -1, -1, -1, -1, -1}
	lastHolidays := -1
	for i, r := range rules {
		hours := merge(nil, r.spans)
		for d, named := range r.days {
			if !named {
				continue
			}
			if r.additional {
				s.week[d] = merge(s.week[d], hours)
			} else {
				s.week[d] = hours
			}
			lastDay[d] = i
		}
		if r.holidays {
			s.hasHolidays, s.holidays, lastHolidays = true, hours, i
		}
	}
	for d := range s.regular {
		s.regular[d] = s.hasHolidays && lastDay[d] > lastHolidays
	}
	s.normalize()
	return &s
}
