package openinghours

import (
	"fmt"
	"testing"
	"time"
)

// TestParseRules evaluates the grammar of rules.go: months and dates, week
// numbers, school holidays of the venue's zone, public holidays, states,
// comments, additional and fallback rules. Each expectation is read from
// the calendar by hand.
func TestParseRules(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	type check struct {
		at          time.Time
		dep         string
		open, known bool
	}
	tests := []struct {
		in, canonical string
		checks        []check
	}{
		{"Mo-Fr 09:00-17:00; Jul-Aug off", "Mo-Fr 09:00-17:00; Jul-Aug off", []check{
			{at(2026, 6, 17, 10), "35", true, true},  // a Wednesday in June
			{at(2026, 7, 15, 10), "35", false, true}, // a Wednesday in July
			{at(2026, 9, 1, 10), "", true, true},
		}},
		{"Mo-Su 10:00-18:00; Dec 24-Jan 02 off", "Mo-Su 10:00-18:00; Dec 24-Jan 02 off", []check{
			{at(2026, 12, 31, 11), "", false, true},
			{at(2027, 1, 2, 11), "", false, true},
			{at(2027, 1, 3, 11), "", true, true},
			{at(2026, 12, 23, 11), "", true, true},
		}},
		{"Jul 14-Aug 15 off; Mo-Fr 09:00-12:00", "Jul 14-Aug 15 off; Mo-Fr 09:00-12:00", []check{
			// The later rule replaces the closing for its days.
			{at(2026, 7, 15, 10), "", true, true},
			{at(2026, 7, 18, 10), "", false, true}, // Saturday: closed all year
		}},
		{"week 1-20 Mo-Fr 09:00-12:00", "week 01-20 Mo-Fr 09:00-12:00", []check{
			{at(2026, 3, 4, 10), "", true, true},  // week 10
			{at(2026, 6, 3, 10), "", false, true}, // week 23
		}},
		{"week 2-52/2 Sa 10:00-12:00", "week 02-52/2 Sa 10:00-12:00", []check{
			{at(2026, 1, 10, 11), "", true, true},  // week 2
			{at(2026, 1, 17, 11), "", false, true}, // week 3
		}},
		{"Mo-Fr 09:00-18:00; SH Mo-Fr 10:00-12:00", "Mo-Fr 09:00-18:00; SH Mo-Fr 10:00-12:00", []check{
			// Monday 16 February 2026: winter holidays of zone B (Rennes),
			// not yet of zone C (Paris, from the 21st).
			{at(2026, 2, 16, 15), "35", false, true},
			{at(2026, 2, 16, 11), "35", true, true},
			{at(2026, 2, 16, 15), "75", true, true},
			// Corsica and overseas set their own calendars: not known,
			// but on the days the rule does not name.
			{at(2026, 2, 16, 15), "2A", false, false},
			{at(2026, 2, 14, 15), "2A", false, true},
			// A year whose calendar is not in the table.
			{at(2028, 2, 14, 15), "35", false, false},
		}},
		{"Mo-Fr 09:00-18:00; SH off", "Mo-Fr 09:00-18:00; SH off", []check{
			// Wednesday 22 April 2026: spring holidays of zone B
			// (11-26 April), not of zone A (4-19 April).
			{at(2026, 4, 22, 10), "13", false, true},
			{at(2026, 4, 22, 10), "69", true, true},
			{at(2026, 4, 22, 10), "", false, false},
		}},
		{"Mo-Fr 09:00-18:00; Jul-Aug off; PH off", "Mo-Fr 09:00-18:00; Jul-Aug off; PH off", []check{
			{at(2026, 5, 14, 10), "", false, true}, // Ascension Thursday
			{at(2026, 5, 15, 10), "", true, true},
		}},
		{"Mo-Fr 09:00-12:00, Jul Mo 14:00-16:00", "Mo-Fr 09:00-12:00, Jul Mo 14:00-16:00", []check{
			{at(2026, 7, 6, 15), "", true, true},
			{at(2026, 7, 6, 10), "", true, true},
			{at(2026, 6, 1, 15), "", false, true},
		}},
		{`Mo-Fr 09:00-12:00 "sur rendez-vous"`, `Mo-Fr 09:00-12:00 "sur rendez-vous"`, []check{
			{at(2026, 6, 1, 10), "", true, true},
			{at(2026, 6, 6, 10), "", false, true},
		}},
		{`"sur rendez-vous"`, `"sur rendez-vous"`, []check{{at(2026, 6, 1, 10), "", false, false}}},
		{`Mo-Fr 09:00-18:00 || "sur rendez-vous"`, `Mo-Fr 09:00-18:00 || "sur rendez-vous"`, []check{
			{at(2026, 6, 1, 10), "", true, true},
			{at(2026, 6, 1, 20), "", false, true},  // Monday's rule matched: closed after 18:00
			{at(2026, 6, 6, 10), "", false, false}, // Saturday: the fallback
		}},
		{"Mo-Fr unknown", "Mo-Fr unknown", []check{
			{at(2026, 6, 1, 10), "", false, false},
			{at(2026, 6, 6, 10), "", false, true},
		}},
		{"Fr 20:00-02:00; Jul-Aug off", "Fr 20:00-02:00; Jul-Aug off", []check{
			{at(2026, 6, 27, 1), "", true, true}, // Saturday night, from Friday
			{at(2026, 7, 4, 1), "", false, true},
		}},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := s.String(); got != tt.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.canonical)
		}
		checkRoundTrip(t, tt.in, s)
		for _, c := range tt.checks {
			open, known := s.OpenAtIn(c.at, c.dep)
			if open != c.open || known != c.known {
				t.Errorf("Parse(%q).OpenAtIn(%s, %q) = %v, %v; want %v, %v", tt.in, c.at.Format("Mon 2006-01-02 15:04"), c.dep, open, known, c.open, c.known)
			}
		}
	}
}

// TestSchoolZones: every département of mainland France but Corsica has
// one zone; Corsica and overseas none.
func TestSchoolZones(t *testing.T) {
	seen := map[string]bool{}
	for z, deps := range zoneDepartements {
		for _, d := range deps {
			if seen[d] {
				t.Errorf("département %s in two zones (%c)", d, z)
			}
			seen[d] = true
		}
	}
	for n := 1; n <= 95; n++ {
		d := fmt.Sprintf("%02d", n)
		if n == 20 {
			continue // Corsica is 2A and 2B
		}
		if _, ok := SchoolZone(d); !ok {
			t.Errorf("département %s has no zone", d)
		}
	}
	for _, d := range []string{"2A", "2B", "971", "974", "976", "20"} {
		if z, ok := SchoolZone(d); ok {
			t.Errorf("SchoolZone(%q) = %s, want none", d, z)
		}
	}
	if z, _ := SchoolZone("35"); z != "B" {
		t.Errorf("Ille-et-Vilaine: zone %s, want B", z)
	}
}
