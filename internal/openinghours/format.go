package openinghours

import (
	"fmt"
	"slices"
	"strings"
)

// allWeek names every day.
var allWeek = [7]bool{true, true, true, true, true, true, true}

var wholeDay = plan{{0, minutesPerDay}}

// String returns s in canonical OpenStreetMap form: days with the same hours
// grouped, Monday first, in one rule each; closed days left out; overlapping
// or touching spans joined; "24/7" for always open, "off" for always closed.
// Parse(s.String()) is Equal to s, and equal schedules print the same, so an
// exported value is stable across imports.
func (s *Schedule) String() string {
	if s.rules != nil {
		return formatRules(s.rules)
	}
	var before, after [7]bool
	for d := range s.week {
		if s.hasHolidays && s.regular[d] {
			after[d] = true
		} else {
			before[d] = true
		}
	}
	var rules []string
	if before == allWeek && s.alwaysOpen() {
		rules = append(rules, "24/7")
	} else {
		rules = append(rules, s.groupRules(before, false)...)
	}
	if s.hasHolidays {
		rules = append(rules, "PH "+osmPlan(s.holidays))
		// Days whose holidays keep their own hours are written again after
		// the PH rule, which is how OpenStreetMap says so.
		rules = append(rules, s.groupRules(after, true)...)
	}
	if len(rules) == 0 {
		return "off"
	}
	return strings.Join(rules, "; ")
}

func (s *Schedule) alwaysOpen() bool {
	for _, p := range s.week {
		if !slices.Equal(p, wholeDay) {
			return false
		}
	}
	return true
}

// groups returns the days of include that share their hours, in the order
// of their first day; closed days only if withClosed.
func (s *Schedule) groups(include [7]bool, withClosed bool) [][7]bool {
	var done [7]bool
	var groups [][7]bool
	for d := range s.week {
		if !include[d] || done[d] || (!withClosed && s.week[d] == nil) {
			continue
		}
		var g [7]bool
		for e := d; e < 7; e++ {
			if include[e] && !done[e] && slices.Equal(s.week[e], s.week[d]) {
				g[e], done[e] = true, true
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func (s *Schedule) groupRules(include [7]bool, withClosed bool) []string {
	var rules []string
	for _, g := range s.groups(include, withClosed) {
		rules = append(rules, osmDays(g)+" "+osmPlan(s.week[firstDay(g)]))
	}
	return rules
}

func firstDay(days [7]bool) int { return slices.Index(days[:], true) }

// run is consecutive days, from and to included; to < from when it runs
// across Sunday.
type run struct{ from, to int }

func (r run) len() int { return (r.to-r.from+7)%7 + 1 }

// runs splits days into runs, in the order of their first day. The run that
// ends on Sunday is joined with the one that starts on Monday when that one
// is not the longer: Fr-Mo rather than Mo,Fr-Su, but Mo-Fr,Su rather than
// Su-Fr.
func runs(days [7]bool) []run {
	var rs []run
	for d := 0; d < 7; d++ {
		if !days[d] {
			continue
		}
		r := run{from: d}
		for d+1 < 7 && days[d+1] {
			d++
		}
		r.to = d
		rs = append(rs, r)
	}
	if n := len(rs); n > 1 && rs[0].from == 0 && rs[n-1].to == 6 && rs[0].len() <= rs[n-1].len() {
		rs[n-1].to = rs[0].to
		rs = rs[1:]
	}
	return rs
}

func osmDays(days [7]bool) string {
	var parts []string
	for _, r := range runs(days) {
		switch r.len() {
		case 1:
			parts = append(parts, dayCodes[r.from])
		case 2:
			parts = append(parts, dayCodes[r.from]+","+dayCodes[r.to])
		default:
			parts = append(parts, dayCodes[r.from]+"-"+dayCodes[r.to])
		}
	}
	return strings.Join(parts, ",")
}

func osmPlan(p plan) string {
	if len(p) == 0 {
		return "off"
	}
	parts := make([]string, len(p))
	for i, sp := range p {
		end := sp.end
		// Over midnight, the end is written as the next day's time
		// (20:00-02:00) unless that would read as an earlier time of the
		// same day (00:00-02:00 for 00:00-26:00).
		if end > minutesPerDay && end-minutesPerDay < sp.start {
			end -= minutesPerDay
		}
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", sp.start/60, sp.start%60, end/60, end%60)
	}
	return strings.Join(parts, ",")
}

var frenchDays = [7]string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// French describes s for people, one line per group of days with the same
// hours, then one for public holidays if they differ:
//
//	du lundi au vendredi : 9 h – 12 h, 14 h – 18 h 30
//	samedi : 8 h 30 – 12 h
//	fermé les jours fériés
//
// Closed days are left out; a schedule never open says "fermé". Hours
// given by months, weeks, school holidays, comments or fallback rules
// have no sentences: nil, and callers show the value as written.
func (s *Schedule) French() []string {
	if s.rules != nil {
		return nil
	}
	var lines []string
	if s.alwaysOpen() {
		lines = append(lines, "ouvert 24 h sur 24, 7 jours sur 7")
	} else {
		for _, g := range s.groups(allWeek, false) {
			lines = append(lines, frenchDayList(g, false)+" : "+frenchPlan(s.week[firstDay(g)]))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "fermé")
	}
	if s.hasHolidays {
		line := "jours fériés : " + frenchPlan(s.holidays)
		if len(s.holidays) == 0 {
			line = "fermé les jours fériés"
		}
		if s.regular != [7]bool{} {
			line += " (sauf ceux qui tombent " + frenchDayList(s.regular, true) + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// frenchDayList writes days as "du lundi au vendredi", "lundi, mercredi et
// vendredi" or, with alternatives, "le samedi ou le dimanche".
func frenchDayList(days [7]bool, alternatives bool) string {
	if days == allWeek {
		return "tous les jours"
	}
	var items []string
	ranges := false
	for _, r := range runs(days) {
		if r.len() >= 3 {
			items = append(items, "du "+frenchDays[r.from]+" au "+frenchDays[r.to])
			ranges = true
			continue
		}
		for d := r.from; ; d = (d + 1) % 7 {
			items = append(items, frenchDays[d])
			if d == r.to {
				break
			}
		}
	}
	// "le" keeps single days apart from ranges: "du lundi au mercredi et
	// le vendredi".
	if ranges || alternatives {
		for i, it := range items {
			if !strings.HasPrefix(it, "du ") {
				items[i] = "le " + it
			}
		}
	}
	conjunction := " et "
	if alternatives {
		conjunction = " ou "
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + conjunction + items[len(items)-1]
}

func frenchPlan(p plan) string {
	if slices.Equal(p, wholeDay) {
		return "24 h sur 24"
	}
	parts := make([]string, len(p))
	for i, sp := range p {
		parts[i] = frenchTime(sp.start) + " – " + frenchEnd(sp)
	}
	return strings.Join(parts, ", ")
}

// frenchEnd writes the end of a span. An end past midnight reads as the next
// day's time, "20 h – 2 h", which people understand, unless the span lasts
// more than a day.
func frenchEnd(sp span) string {
	switch {
	case sp.end == maxEnd:
		return "minuit le surlendemain"
	case sp.end > minutesPerDay && sp.end-minutesPerDay >= sp.start:
		return frenchTime(sp.end-minutesPerDay) + " le lendemain"
	}
	return frenchTime(sp.end)
}

// frenchTime writes minutes after midnight as "9 h", "18 h 30" or "minuit".
func frenchTime(m int) string {
	m %= minutesPerDay
	switch {
	case m == 0:
		return "minuit"
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}
