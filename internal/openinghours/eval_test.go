package openinghours

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the DST tests need Europe/Paris wherever they run
)

// at reads "2025-03-03 09:00" (a Monday) in UTC.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParse(t *testing.T, s string) *Schedule {
	t.Helper()
	v, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestOpenAt(t *testing.T) {
	tests := []struct {
		hours string
		at    string
		want  bool
	}{
		// 2025-03-03 is a Monday; 2025-03-08 a Saturday.
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 08:59", false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 09:00", true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 11:59", true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 12:00", false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 18:29", true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 18:30", false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-08 08:30", true},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-08 14:00", false},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-09 10:00", false},
		{"Mo-Fr 09:00-18:00; We off", "2025-03-05 10:00", false},
		{"Mo-Fr 09:00-18:00; We off", "2025-03-06 10:00", true},
		{"Fr-Mo 10:00-12:00", "2025-03-09 10:00", true},
		{"Fr-Mo 10:00-12:00", "2025-03-04 10:00", false},
		{"09:00-18:00", "2025-03-09 17:59", true},
		{"24/7", "2025-03-09 03:00", true},
		{"off", "2025-03-09 03:00", false},
		// A span over midnight belongs to the day it starts, and keeps
		// running into a day that a rule closes.
		{"Fr 20:00-02:00", "2025-03-07 19:59", false},
		{"Fr 20:00-02:00", "2025-03-07 23:59", true},
		{"Fr 20:00-02:00", "2025-03-08 00:00", true},
		{"Fr 20:00-02:00", "2025-03-08 01:59", true},
		{"Fr 20:00-02:00", "2025-03-08 02:00", false},
		{"Fr 20:00-02:00", "2025-03-07 01:00", false},
		{"Mo-Su 20:00-02:00; Sa off", "2025-03-08 01:00", true},
		{"Mo-Su 20:00-02:00; Sa off", "2025-03-08 21:00", false},
		{"Mo-Su 20:00-02:00; Sa off", "2025-03-09 01:00", false},
		// Sunday night runs into Monday, across the week.
		{"Su 22:00-03:00", "2025-03-10 02:59", true},
		{"Sa 00:00-48:00", "2025-03-09 23:59", true},
		{"Sa 00:00-48:00", "2025-03-10 00:00", false},
		// Public holidays: Easter Monday 2025 is 21 April, 1 May a
		// Thursday, Whit Monday 9 June.
		{"Mo-Fr 09:00-18:00; PH off", "2025-04-21 10:00", false},
		{"Mo-Fr 09:00-18:00; PH off", "2025-04-22 10:00", true},
		{"Mo-Fr 09:00-18:00; PH off", "2025-05-01 10:00", false},
		{"Mo-Fr 09:00-18:00; PH off", "2025-06-09 10:00", false},
		{"Mo-Fr 09:00-18:00", "2025-06-09 10:00", true},
		{"Mo-Fr 09:00-18:00; PH 10:00-12:00", "2025-05-01 11:00", true},
		{"Mo-Fr 09:00-18:00; PH 10:00-12:00", "2025-05-01 15:00", false},
		// 1 November 2025 is a Saturday: PH rules open it.
		{"Mo-Fr 09:00-18:00; PH 10:00-12:00", "2025-11-01 11:00", true},
		{"Mo-Fr 09:00-18:00; Sa,PH 10:00-12:00", "2025-11-01 11:00", true},
		// A day named after the PH rule keeps its own hours on holidays.
		{"Mo-Su 10:00-18:00; PH off; Th 10:00-12:00", "2025-05-01 11:00", true},
		{"Mo-Su 10:00-18:00; PH off; Th 10:00-12:00", "2025-05-01 15:00", false},
		{"Mo-Su 10:00-18:00; PH off; Th 10:00-12:00", "2025-04-21 11:00", false},
		// The night before a holiday is not cut short by it.
		{"Mo-Su 20:00-02:00; PH off", "2025-05-01 01:00", true},
		{"Mo-Su 20:00-02:00; PH off", "2025-05-01 21:00", false},
		{"Mo-Su 20:00-02:00; PH off", "2025-05-02 01:00", false},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.hours)
		if got := s.OpenAt(at(t, tt.at)); got != tt.want {
			t.Errorf("Parse(%q).OpenAt(%s) = %v, want %v", tt.hours, tt.at, got, tt.want)
		}
	}
}

func TestOpenAtUsesWallClock(t *testing.T) {
	cayenne, err := time.LoadLocation("America/Cayenne")
	if err != nil {
		t.Fatal(err)
	}
	s := mustParse(t, "Mo-Fr 09:00-12:00")
	// 09:30 in Cayenne is 12:30 UTC: open there, though 12:30 is after
	// closing.
	if !s.OpenAt(time.Date(2025, 3, 3, 9, 30, 0, 0, cayenne)) {
		t.Error("closed at 09:30 in Cayenne")
	}
	if s.OpenAt(time.Date(2025, 3, 3, 9, 30, 0, 0, cayenne).UTC()) {
		t.Error("open at 12:30 UTC")
	}
}

func TestNextChange(t *testing.T) {
	tests := []struct {
		hours string
		from  string
		want  string // "" for none within 8 days
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 08:00", "2025-03-03 09:00"},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 09:00", "2025-03-03 12:00"},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-03 12:00", "2025-03-03 14:00"},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-08 12:00", "2025-03-10 09:00"},
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "2025-03-08 11:59", "2025-03-08 12:00"},
		// Spans that touch across midnight make no change at midnight.
		{"Mo 20:00-24:00; Tu 00:00-02:00", "2025-03-03 21:00", "2025-03-04 02:00"},
		{"Mo 20:00-03:00; Tu 00:00-02:00", "2025-03-03 21:00", "2025-03-04 03:00"},
		{"Fr 20:00-02:00", "2025-03-03 10:00", "2025-03-07 20:00"},
		{"Fr 20:00-02:00", "2025-03-07 22:00", "2025-03-08 02:00"},
		// Once a week: from just after closing, the next opening is
		// 7 days less a few hours away.
		{"Mo 09:00-10:00", "2025-03-03 10:00", "2025-03-10 09:00"},
		{"Mo 09:00-10:00", "2025-03-03 09:59", "2025-03-03 10:00"},
		{"24/7", "2025-03-03 10:00", ""},
		{"off", "2025-03-03 10:00", ""},
		{"PH 10:00-12:00", "2025-03-03 10:00", ""},
		// The holiday on Monday 21 April 2025 moves the opening to Tuesday.
		{"Mo-Fr 09:00-18:00; PH off", "2025-04-18 18:00", "2025-04-22 09:00"},
		{"24/7; PH off", "2025-04-20 12:00", "2025-04-21 00:00"},
		{"24/7; PH off", "2025-04-21 12:00", "2025-04-22 00:00"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.hours)
		got, ok := s.NextChange(at(t, tt.from))
		switch {
		case tt.want == "" && ok:
			t.Errorf("Parse(%q).NextChange(%s) = %s, want none", tt.hours, tt.from, got)
		case tt.want != "" && (!ok || !got.Equal(at(t, tt.want))):
			t.Errorf("Parse(%q).NextChange(%s) = %s, %v, want %s", tt.hours, tt.from, got, ok, tt.want)
		}
	}
}

func TestNextChangeSeconds(t *testing.T) {
	s := mustParse(t, "Mo 09:00-10:00")
	from := time.Date(2025, 3, 3, 9, 59, 30, 0, time.UTC)
	got, ok := s.NextChange(from)
	if want := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("NextChange(%s) = %s, %v, want %s", from, got, ok, want)
	}
}

// TestNextChangeDST checks the nights when French clocks change: on 30 March
// 2025 they skip from 02:00 to 03:00, on 26 October 2025 they go back from
// 03:00 to 02:00.
func TestNextChangeDST(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cest := time.FixedZone("CEST", 2*3600)
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		hours string
		from  time.Time
		want  time.Time
	}{
		// 02:30 does not exist: the venue opens when clocks reach 03:00.
		{"Su 02:30-05:00", time.Date(2025, 3, 29, 23, 0, 0, 0, paris), time.Date(2025, 3, 30, 3, 0, 0, 0, cest)},
		{"Su 02:30-05:00", time.Date(2025, 3, 30, 3, 0, 0, 0, cest), time.Date(2025, 3, 30, 5, 0, 0, 0, cest)},
		{"Sa 09:00-18:00", time.Date(2025, 3, 29, 8, 0, 0, 0, paris), time.Date(2025, 3, 29, 9, 0, 0, 0, cet)},
		{"Su 09:00-18:00", time.Date(2025, 3, 29, 20, 0, 0, 0, paris), time.Date(2025, 3, 30, 9, 0, 0, 0, cest)},
		// 02:30 happens twice; between the two, the wall clock reads
		// 02:00 to 02:30 again and the venue is closed.
		{"Su 02:30-05:00", time.Date(2025, 10, 25, 23, 0, 0, 0, paris), time.Date(2025, 10, 26, 2, 30, 0, 0, cest)},
		{"Su 02:30-05:00", time.Date(2025, 10, 26, 2, 30, 0, 0, cest), time.Date(2025, 10, 26, 2, 0, 0, 0, cet)},
		{"Su 02:30-05:00", time.Date(2025, 10, 26, 2, 0, 0, 0, cet), time.Date(2025, 10, 26, 2, 30, 0, 0, cet)},
		{"Su 02:30-05:00", time.Date(2025, 10, 26, 2, 30, 0, 0, cet), time.Date(2025, 10, 26, 5, 0, 0, 0, cet)},
		{"Su 09:00-18:00", time.Date(2025, 10, 25, 20, 0, 0, 0, paris), time.Date(2025, 10, 26, 9, 0, 0, 0, cet)},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.hours)
		got, ok := s.NextChange(tt.from.In(paris))
		if !ok || !got.Equal(tt.want) {
			t.Errorf("Parse(%q).NextChange(%s) = %s, %v, want %s", tt.hours, tt.from.In(paris), got, ok, tt.want.In(paris))
		}
		if ok && got.Location() != paris {
			t.Errorf("NextChange returned a time in %s, want Europe/Paris", got.Location())
		}
	}
}

func TestEaster(t *testing.T) {
	// Dates from the Roman calendar tables, including the earliest and the
	// latest possible.
	tests := []struct {
		year  int
		month time.Month
		day   int
	}{
		{1818, time.March, 22}, {1943, time.April, 25}, {2000, time.April, 23},
		{2008, time.March, 23}, {2011, time.April, 24}, {2019, time.April, 21},
		{2024, time.March, 31}, {2025, time.April, 20}, {2026, time.April, 5},
		{2027, time.March, 28}, {2038, time.April, 25}, {2285, time.March, 22},
	}
	for _, tt := range tests {
		if m, d := easter(tt.year); m != tt.month || d != tt.day {
			t.Errorf("easter(%d) = %s %d, want %s %d", tt.year, m, d, tt.month, tt.day)
		}
	}
}

func TestPublicHoliday(t *testing.T) {
	holidays := map[int][]string{
		2024: {"01-01", "04-01", "05-01", "05-08", "05-09", "05-20", "07-14", "08-15", "11-01", "11-11", "12-25"},
		2025: {"01-01", "04-21", "05-01", "05-08", "05-29", "06-09", "07-14", "08-15", "11-01", "11-11", "12-25"},
		// Ascension falls on 1 May.
		2008: {"01-01", "03-24", "05-01", "05-08", "05-12", "07-14", "08-15", "11-01", "11-11", "12-25"},
	}
	for year, want := range holidays {
		var got []string
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			if publicHoliday(d) {
				got = append(got, d.Format("01-02"))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d: holidays %v, want %v", year, got, want)
		}
	}
}
