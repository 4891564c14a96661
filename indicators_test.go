package passnum_test

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated part of docs/INDICATORS.md")

const (
	docBegin = "<!-- BEGIN generated from indicators.go by `go test -run TestIndicatorsDoc -update-docs`: do not edit -->\n"
	docEnd   = "<!-- END generated -->"
)

// TestIndicatorsDoc keeps docs/INDICATORS.md and the definitions in code
// identical: an indicator is defined once.
func TestIndicatorsDoc(t *testing.T) {
	path := "docs/INDICATORS.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated section", path)
	}
	want := doc[:i] + docBegin + passnum.IndicatorsMarkdown() + doc[j:]
	if want == doc {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s differs from the definitions in indicators.go: run go test -run TestIndicatorsDoc -update-docs", path)
}

func TestDelayQuartiles(t *testing.T) {
	tests := []struct {
		delays []int
		want   passnum.DelayStats
	}{
		{nil, passnum.DelayStats{}},
		{[]int{7}, passnum.DelayStats{Count: 1, Q1: 7, Median: 7, Q3: 7}},
		{[]int{1, 2, 3, 4}, passnum.DelayStats{Count: 4, Q1: 1, Median: 2, Q3: 3}},
		{[]int{1, 2, 3, 4, 5}, passnum.DelayStats{Count: 5, Q1: 2, Median: 3, Q3: 4}},
		{[]int{10, 0, 0, 0, 30, 30, 30, 30}, passnum.DelayStats{Count: 8, Q1: 0, Median: 10, Q3: 30}},
		{[]int{-3, 5000}, passnum.DelayStats{Count: 2, Q1: 0, Median: 0, Q3: passnum.MaxDelayDays}},
	}
	for _, tc := range tests {
		h := passnum.DelayHistogram{}
		for _, d := range tc.delays {
			h.Add(d)
		}
		if got := h.Stats(); got != tc.want {
			t.Errorf("%v: %+v, want %+v", tc.delays, got, tc.want)
		}
	}
}

func TestAgeBandOf(t *testing.T) {
	tests := []struct {
		birth, year int
		want        string
	}{
		{2012, 2026, passnum.AgeBandUnder16}, {2010, 2026, "16-25"}, {2001, 2026, "16-25"}, {2000, 2026, "26-44"},
		{1982, 2026, "26-44"}, {1981, 2026, "45-59"}, {1967, 2026, "45-59"}, {1966, 2026, "60-74"}, {1952, 2026, "60-74"}, {1951, 2026, "75+"},
	}
	for _, tc := range tests {
		if got := passnum.AgeBandOf(tc.birth, tc.year); got != tc.want {
			t.Errorf("AgeBandOf(%d, %d) = %s, want %s", tc.birth, tc.year, got, tc.want)
		}
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want passnum.Scope
		ok   bool
	}{
		{"", passnum.ScopeAllPasses, true},
		{"all", passnum.ScopeAllPasses, true},
		{"all@2026", passnum.Scope{Kind: "all", Year: 2026}, true},
		{"programme:3", passnum.Scope{Kind: "programme", ID: 3}, true},
		{"funder:7@2027", passnum.Scope{Kind: "funder", ID: 7, Year: 2027}, true},
		{"hub:9", passnum.Scope{Kind: "hub", ID: 9}, true},
		{"area:departement:35@2027", passnum.Scope{Kind: "area", Area: "departement:35", Year: 2027}, true},
		{"area:region:53", passnum.Scope{Kind: "area", Area: "region:53"}, true},
		{"area:commune:35238", passnum.Scope{}, false},
		{"area:departement:99", passnum.Scope{}, false},
		{"venue:9", passnum.Scope{}, false},
		{"funder:0", passnum.Scope{}, false},
		{"funder:x", passnum.Scope{}, false},
		{"funder:3@26", passnum.Scope{}, false},
		{"funder:3@", passnum.Scope{}, false},
	}
	for _, tc := range tests {
		got, err := passnum.ParseScope(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseScope(%q) = %+v, %v", tc.in, got, err)
			continue
		}
		if tc.ok && tc.in != "" {
			if back, _ := passnum.ParseScope(got.String()); back != got {
				t.Errorf("%q does not survive String: %q", tc.in, got.String())
			}
		}
	}
}

func TestDaysBetween(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, paris)
		return t
	}
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-03-01 23:30", "2026-03-02 00:10", 1}, // Paris dates, not 24-hour periods
		{"2026-03-28 10:00", "2026-03-30 09:00", 2}, // across the change to summer time
		{"2026-10-24 10:00", "2026-10-26 11:00", 2}, // and back
		{"2026-05-01 10:00", "2026-05-01 18:00", 0},
	}
	for _, tc := range tests {
		if got := passnum.DaysBetween(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}
