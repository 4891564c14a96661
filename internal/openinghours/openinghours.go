// Package openinghours reads the opening hours of a lieu de médiation
// numérique, given in the field horaires of the national standard
// (LaMednum/standard-mediation-num) in the OpenStreetMap opening_hours
// format, tells whether the venue is open at a given time and writes the
// hours back, in canonical OpenStreetMap form for exports and in plain
// French for people.
//
// # What Parse accepts
//
// The subset that venue data and the standard's example use, with
// OpenStreetMap's meaning:
//
//	Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00   the standard's example
//	Mo,We,Fr 10:00-12:00   Mo-We,Fr …   Fr-Mo …        days: lists, ranges, ranges across Sunday
//	09:00-18:00                                        no days: every day
//	Fr 20:00-02:00   Sa 00:00-26:00                    over midnight; an end up to 48:00
//	Mo-Fr 09:00-18:00; We off                          a later rule replaces earlier ones for its days
//	Mo-Fr 17:00-03:00, Sa 18:00-04:00                  a rule after ", " adds hours instead
//	off   closed   24/7   Mo-Fr 09:00-18:00 open
//	Mo-Fr 09:00-18:00; PH off   Sa,PH 10:00-12:00      French public holidays
//
// Days, keywords and times are case-sensitive, as in the specification: Parse
// rejects "mo-fr 09:00-18:00" with an error saying to write "Mo". The value
// is stored and exported as given, so accepting a misspelling here would pass
// it on to every reader of our exports instead of having it fixed where it
// was written. Whitespace is free: any amount of
// spaces, tabs or non-breaking spaces (common in spreadsheets) around
// separators, and a trailing ";".
//
// The rest of the grammar French venues use is read too, and evaluated day
// by day (rules.go): months and dates (Mo-Fr 09:00-17:00; Jul-Aug off,
// Dec 24-Jan 02 off), week numbers (week 1-20, week 2-52/2), school
// holidays of the venue's zone (SH off, SH Mo-Fr 10:00-12:00:
// Schedule.OpenAtIn, schoolholidays.go), the states off, closed and
// unknown, comments in quotes and fallback rules (||), and the
// combinations of ", " rules with off or PH.
//
// Parse rejects, with an *Error whose Unsupported is set, valid
// OpenStreetMap syntax that the directory cannot evaluate: years (2024),
// easter, nth weekdays (Mo[1]), times tied to the sun, open ends (18:00+),
// repeating times (10:00-16:00/90), "off" or "unknown" applied to some
// hours only (Mo 12:00-14:00 off); Canonical keeps such a value as
// written.
//
// It also rejects, as mistakes, a rule that later rules entirely replace:
// "Mo-Fr 09:00-12:00; 14:00-18:00" means, by the specification, every day
// 14:00-18:00 only, which is never what a venue means.
//
// Every error is an *Error whose message is a French sentence naming the
// value and the part at fault, ready for an import report:
//
//	horaires : « Mo-Fx » : jour inconnu « Fx » (attendu Mo, Tu, We, Th, Fr, Sa, Su).
//
// # Evaluation
//
// A span belongs to the day it starts: "Fr 20:00-02:00" keeps the venue open
// on Saturday until 02:00 even if a rule closes Saturday, and a public
// holiday on Saturday does not cut it. Times are read on the wall clock of the
// time.Time given, so callers pass times in the venue's zone (Europe/Paris,
// America/Cayenne…); on the nights clocks change, a venue opening at 02:30
// opens when clocks jump to 03:00, or twice when they go back. Public holidays are the eleven national ones; Good
// Friday and 26 December in Alsace-Moselle and the abolition of slavery days
// overseas are not known, so "PH" rules do not apply on them.
package openinghours

import (
	"slices"
	"time"
)

const (
	minutesPerDay = 24 * 60
	// maxEnd is the latest end the specification allows: 48:00, midnight
	// at the end of the next day.
	maxEnd = 2 * minutesPerDay
)

// span is one opening, in minutes after the midnight that begins the day it
// belongs to. End passes minutesPerDay when the span runs over midnight.
type span struct{ start, end int }

// plan is the hours of one day: sorted, without overlapping or touching
// spans, so that equal hours have equal plans; nil when closed.
type plan []span

// A Schedule is the opening hours of a venue. The zero Schedule is always
// closed. A Schedule is not changed after Parse, so it is safe for
// concurrent use.
type Schedule struct {
	week [7]plan // Monday first, as OpenStreetMap writes the week

	hasHolidays bool
	holidays    plan
	// regular marks the days whose public holidays keep the day's own hours
	// because a rule naming the day came after the last PH rule. Set only
	// where it makes a difference, so that equal schedules are Equal.
	regular [7]bool

	// rules, when not nil, are the hours of a value that the week above
	// cannot hold (months, week numbers, school holidays, comments,
	// fallback rules: rules.go), evaluated day by day instead of week.
	rules []grule
}

// weekIndex is the position of a day in Schedule.week.
func weekIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// normalize clears what makes no difference, so that schedules that behave
// the same on every day are Equal and print the same.
func (s *Schedule) normalize() {
	if s.rules != nil {
		return
	}
	if !s.hasHolidays {
		s.holidays, s.regular = nil, [7]bool{}
		return
	}
	useful := false
	for d := range s.week {
		if slices.Equal(s.week[d], s.holidays) {
			s.regular[d] = false
		}
		if !s.regular[d] && !slices.Equal(s.week[d], s.holidays) {
			useful = true
		}
	}
	if !useful {
		s.hasHolidays, s.holidays, s.regular = false, nil, [7]bool{}
	}
}

// Equal reports whether s and o give the same hours on every day and every
// public holiday, written the same way: whether their String is the same.
func (s *Schedule) Equal(o *Schedule) bool {
	if s.rules != nil || o.rules != nil {
		return s.rules != nil && o.rules != nil && s.String() == o.String()
	}
	for d := range s.week {
		if !slices.Equal(s.week[d], o.week[d]) {
			return false
		}
	}
	return s.hasHolidays == o.hasHolidays && slices.Equal(s.holidays, o.holidays) && s.regular == o.regular
}

// planOn returns the hours of the given date; the date is normalised, so
// day may be 0 or 32.
func (s *Schedule) planOn(year int, month time.Month, day int) plan {
	p, _ := s.planIn(year, month, day, "")
	return p
}

// planIn returns the hours of the given date in a département, and
// whether they are known (rules that depend on school holidays whose dates
// are not known there, or that say the state is unknown).
func (s *Schedule) planIn(year int, month time.Month, day int, departement string) (plan, bool) {
	date := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if s.rules != nil {
		return dayPlan(s.rules, date, departement)
	}
	d := weekIndex(date.Weekday())
	if s.hasHolidays && !s.regular[d] && publicHoliday(date) {
		return s.holidays, true
	}
	return s.week[d], true
}

// OpenAt reports whether the venue is open at t, read on t's wall clock, to
// the minute; a time whose state is not known (see OpenAtIn) reads closed.
func (s *Schedule) OpenAt(t time.Time) bool {
	open, _ := s.OpenAtIn(t, "")
	return open
}

// OpenAtIn reports whether a venue of the département (its code, "35",
// "2A", "974") is open at t, read on t's wall clock, to the minute, and
// whether that is known: hours that depend on school holidays whose dates
// are not known there (Corsica, overseas, a year not in the table), or
// that say the state is unknown or give only a comment, are not.
func (s *Schedule) OpenAtIn(t time.Time, departement string) (open, known bool) {
	year, month, day := t.Date()
	minute := t.Hour()*60 + t.Minute()
	// A span ends 48 hours after its day begins at the latest, so only
	// today's and yesterday's spans can cover t.
	for back := range 2 {
		at := minute + back*minutesPerDay
		p, known := s.planIn(year, month, day-back, departement)
		if !known && back == 0 {
			return false, false
		}
		for _, sp := range p {
			if sp.start <= at && at < sp.end {
				return true, true
			}
		}
	}
	return false, true
}

// changeHorizon is how far NextChange looks: a week, and a day more so that
// a venue open once a week is still found from just after it closes.
const changeHorizon = 8 * 24 * time.Hour

// NextChange returns the first time after t at which the venue opens if it
// is closed at t, or closes if it is open, and false if that does not happen
// within 8 days (always open, always closed, or closed for the coming week).
// The time is in t's location.
func (s *Schedule) NextChange(t time.Time) (time.Time, bool) {
	open := s.OpenAt(t)
	limit := t.Add(changeHorizon)
	year, month, day := t.Date()
	loc := t.Location()
	var candidates []time.Time
	add := func(c time.Time) {
		if c.After(t) && !c.After(limit) {
			candidates = append(candidates, c)
		}
	}
	for k := -1; k <= 9; k++ {
		for _, sp := range s.planOn(year, month, day+k) {
			for _, m := range [2]int{sp.start, sp.end} {
				c := time.Date(year, month, day+k, 0, m, 0, 0, loc)
				add(c)
				// When clocks go back, a wall time happens twice and
				// time.Date gives one of them; French zones move by
				// one hour.
				for _, other := range [2]time.Time{c.Add(-time.Hour), c.Add(time.Hour)} {
					if sameWallClock(other, c) {
						add(other)
					}
				}
			}
		}
	}
	// When clocks move, the wall clock jumps, and so may the state: a
	// venue opening at 02:30 on the night clocks skip from 02:00 to 03:00
	// opens at the jump.
	for c := t; ; {
		_, end := c.ZoneBounds()
		if end.IsZero() || end.After(limit) {
			break
		}
		add(end)
		c = end
	}
	slices.SortFunc(candidates, time.Time.Compare)
	for _, c := range candidates {
		if s.OpenAt(c) != open {
			return c, true
		}
	}
	return time.Time{}, false
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

// merge returns the spans of p and q as a plan.
func merge(p, q []span) plan {
	all := append(slices.Clone(p), q...)
	if len(all) == 0 {
		return nil
	}
	slices.SortFunc(all, func(a, b span) int { return a.start - b.start })
	out := plan{all[0]}
	for _, sp := range all[1:] {
		last := &out[len(out)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
		} else {
			out = append(out, sp)
		}
	}
	return out
}
