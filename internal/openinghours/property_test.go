package openinghours

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// testRand is a reproducible source: a failure must be replayable.
func testRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

// genRule is a rule made up by randomRules, kept as numbers so that
// naiveOpen can evaluate it without the parser.
type genRule struct {
	days       [7]bool
	holidays   bool
	spans      []span // as written: not sorted, maybe overlapping
	closed     bool
	additional bool
}

// randomRules writes a random value in the supported subset, in varied
// spellings, with the rules it means.
func randomRules(r *rand.Rand) (string, []genRule) {
	space := func() string { return []string{"", "", " ", "  ", "\u00a0"}[r.IntN(5)] }
	var text strings.Builder
	var rules []genRule
	seenHolidays := false
	n := 1 + r.IntN(4)
	for i := range n {
		var g genRule
		if i > 0 {
			if !seenHolidays && r.IntN(5) == 0 {
				g.additional = true
				text.WriteString(", ")
			} else {
				text.WriteString(space() + ";" + []string{" ", "", "  "}[r.IntN(3)])
			}
		}
		if !g.additional && r.IntN(40) == 0 {
			text.WriteString("24/7")
			g.days = allWeek
			g.spans = []span{{0, minutesPerDay}}
			rules = append(rules, g)
			continue
		}
		// Days: none (every day) or a list of days, ranges and PH.
		var items []string
		if g.additional || r.IntN(8) != 0 {
			for range 1 + r.IntN(3) {
				from := r.IntN(7)
				if r.IntN(2) == 0 {
					items = append(items, dayCodes[from])
					g.days[from] = true
					continue
				}
				to := r.IntN(7)
				items = append(items, dayCodes[from]+space()+"-"+space()+dayCodes[to])
				for d := from; ; d = (d + 1) % 7 {
					g.days[d] = true
					if d == to {
						break
					}
				}
			}
		}
		if !g.additional && r.IntN(5) == 0 {
			items = append(items, "PH")
			g.holidays = true
			seenHolidays = true
			if len(items) > 1 && r.IntN(2) == 0 {
				items[0], items[len(items)-1] = items[len(items)-1], items[0]
			}
		}
		if len(items) == 0 {
			g.days = allWeek
		} else {
			text.WriteString(strings.Join(items, space()+","+space()) + " " + space())
		}
		if !g.additional && r.IntN(5) == 0 {
			g.closed = true
			text.WriteString([]string{"off", "closed"}[r.IntN(2)])
			rules = append(rules, g)
			continue
		}
		var spans []string
		for range 1 + r.IntN(3) {
			sp, s := randomSpan(r)
			g.spans = append(g.spans, sp)
			spans = append(spans, s)
		}
		text.WriteString(strings.Join(spans, space()+","+space()))
		if r.IntN(10) == 0 {
			text.WriteString(" open")
		}
		rules = append(rules, g)
	}
	if r.IntN(10) == 0 {
		text.WriteString(";")
	}
	return text.String(), rules
}

// randomSpan returns a span and a way to write it.
func randomSpan(r *rand.Rand) (span, string) {
	start := r.IntN(minutesPerDay)
	if r.IntN(2) == 0 {
		start -= start % 30 // hours like real ones, so that spans touch
	}
	length := 1 + r.IntN(14*60)
	if r.IntN(20) == 0 {
		length = 1 + r.IntN(maxEnd-start)
	}
	end := min(start+length, maxEnd)
	clock := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	written := end
	switch {
	case end == minutesPerDay && start > 0 && r.IntN(2) == 0:
		written = 0 // 22:00-00:00
	case end > minutesPerDay && end-minutesPerDay < start && r.IntN(2) == 0:
		written = end - minutesPerDay // 20:00-02:00 rather than 20:00-26:00
	}
	return span{start, end}, clock(start) + "-" + clock(written)
}

// naiveOpen evaluates rules as the specification says, the slow way: on
// each day, the last rule naming the day (or PH, on a holiday) gives the
// hours, and rules after ", " add to them; yesterday's spans may run on.
func naiveOpen(rules []genRule, t time.Time) bool {
	for back := range 2 {
		date := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
		d := weekIndex(date.Weekday())
		holiday := publicHoliday(date)
		var hours []span
		for _, g := range rules {
			if !g.days[d] && !(holiday && g.holidays) {
				continue
			}
			if g.additional {
				hours = append(hours, g.spans...)
			} else {
				hours = g.spans // nil when closed
			}
		}
		at := t.Hour()*60 + t.Minute() + back*minutesPerDay
		for _, sp := range hours {
			if sp.start <= at && at < sp.end {
				return true
			}
		}
	}
	return false
}

var testHolidays = []time.Time{
	time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 29, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 6, 9, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC),
}

// randomInstant is a time in 2025 or 2026, often near a public holiday.
func randomInstant(r *rand.Rand) time.Time {
	var day time.Time
	if r.IntN(2) == 0 {
		day = testHolidays[r.IntN(len(testHolidays))].AddDate(0, 0, r.IntN(3)-1)
	} else {
		day = time.Date(2025, 1, 1+r.IntN(730), 0, 0, 0, 0, time.UTC)
	}
	return day.Add(time.Duration(r.IntN(24*3600)) * time.Second)
}

// TestRandomRules checks Parse, OpenAt, NextChange and String against the
// naive reading of random values.
func TestRandomRules(t *testing.T) {
	r := testRand()
	accepted := 0
	const values = 2000
	for range values {
		text, rules := randomRules(r)
		s, err := Parse(text)
		if err != nil {
			// The generator does not avoid rules that later ones replace
			// entirely; everything else must be accepted.
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, "n'a aucun effet") {
				t.Fatalf("Parse(%q): %v", text, err)
			}
			continue
		}
		accepted++
		for range 50 {
			at := randomInstant(r)
			if got, want := s.OpenAt(at), naiveOpen(rules, at); got != want {
				t.Fatalf("Parse(%q) = %s: OpenAt(%s) = %v, want %v", text, s, at, got, want)
			}
		}
		from := randomInstant(r)
		got, ok := s.NextChange(from)
		want, wantOK := naiveNextChange(rules, from)
		if ok != wantOK || ok && !got.Equal(want) {
			t.Fatalf("Parse(%q) = %s: NextChange(%s) = %s, %v, want %s, %v", text, s, from, got, ok, want, wantOK)
		}
		checkRoundTrip(t, text, s)
	}
	if accepted < values/2 {
		t.Errorf("only %d of %d random values accepted: the generator is off", accepted, values)
	}
}

// naiveNextChange walks minute by minute.
func naiveNextChange(rules []genRule, from time.Time) (time.Time, bool) {
	open := naiveOpen(rules, from)
	limit := from.Add(changeHorizon)
	for c := from.Truncate(time.Minute).Add(time.Minute); !c.After(limit); c = c.Add(time.Minute) {
		if naiveOpen(rules, c) != open {
			return c, true
		}
	}
	return time.Time{}, false
}

func checkRoundTrip(t *testing.T, in string, s *Schedule) {
	t.Helper()
	out := s.String()
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(%q).String() = %q, which Parse rejects: %v", in, out, err)
	}
	if !again.Equal(s) {
		t.Fatalf("Parse(%q).String() = %q, which Parse reads as %q", in, out, again)
	}
	if again.String() != out {
		t.Fatalf("String not stable: %q, then %q", out, again.String())
	}
	if len(s.French()) == 0 && s.rules == nil {
		t.Fatalf("Parse(%q).French() is empty", in)
	}
}

// randomPlan returns random hours for one day, closed one time in four.
func randomPlan(r *rand.Rand) plan {
	if r.IntN(4) == 0 {
		return nil
	}
	var spans []span
	for range 1 + r.IntN(3) {
		sp, _ := randomSpan(r)
		spans = append(spans, sp)
	}
	return merge(nil, spans)
}

// TestRandomSchedules checks the String round trip on schedules made
// directly, which reach combinations of holidays that random text seldom
// does.
func TestRandomSchedules(t *testing.T) {
	r := testRand()
	withRegular := 0
	for range 5000 {
		var s Schedule
		shared := randomPlan(r)
		for d := range s.week {
			// Shared hours make groups of days.
			if r.IntN(2) == 0 {
				s.week[d] = shared
			} else {
				s.week[d] = randomPlan(r)
			}
		}
		if r.IntN(2) == 0 {
			s.hasHolidays = true
			s.holidays = randomPlan(r)
			for d := range s.regular {
				s.regular[d] = r.IntN(3) == 0
			}
		}
		s.normalize()
		if s.regular != [7]bool{} {
			withRegular++
		}
		checkRoundTrip(t, "(random)", &s)
	}
	if withRegular < 500 {
		t.Errorf("only %d schedules with holidays keeping some days' hours", withRegular)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
		"Mo-Fr 09:00-18:00; We off; PH off",
		"Fr-Mo 20:00-02:00",
		"Sa 00:00-48:00",
		"24/7; PH off",
		"Mo-Su 10:00-18:00; PH off; Sa 10:00-12:00",
		"Mo-Fr 17:00-03:00, Sa 18:00-04:00",
		"Mo-Fr 09:00-12:00; 14:00-18:00",
		"Jan-Jun Mo 10:00-12:00",
		"Mo-Fr 09:00-17:00; Jul-Aug off",
		"week 1-20 Mo-Fr 09:00-12:00; week 21-53/2 Sa 10:00-12:00",
		"Mo-Fr 09:00-18:00; SH Mo-Fr 10:00-12:00; PH off",
		`Mo-Fr 09:00-12:00 "sur rendez-vous" || "fermé"`,
		"Dec 24-Jan 02 off, Dec 31 10:00-12:00",
		"2024 Jan 01 off",
		"mo-fr 9h-12h",
		` Mo , We 10:00 - 12:00 open ; PH,Su off `,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q): error %T, want *Error", in, err)
			}
			if e.Offset < 0 || e.Offset > len(in) {
				t.Fatalf("Parse(%q): offset %d", in, e.Offset)
			}
			return
		}
		checkRoundTrip(t, in, s)
		at := time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC)
		s.OpenAt(at)
		for _, dep := range []string{"", "35", "75", "2A", "971"} {
			if open, known := s.OpenAtIn(at, dep); open && !known {
				t.Fatalf("Parse(%q).OpenAtIn(%s, %q): open but not known", in, at, dep)
			}
		}
		if c, ok := s.NextChange(at); ok && (!c.After(at) || s.OpenAt(c) == s.OpenAt(at)) {
			t.Fatalf("Parse(%q).NextChange(%s) = %s, where nothing changes", in, at, c)
		}
	})
}
