package opendata

import (
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// suppressedNames lists the suppressed rows of measure m as "level:code".
func suppressedNames(r *Release, m int) []string {
	var out []string
	for _, row := range r.Rows {
		if !row.Values[m].Suppressed {
			continue
		}
		code := row.Month
		switch row.Level {
		case LevelDepartement:
			code = row.Departement
		case LevelCommune:
			code = row.Commune
		}
		out = append(out, string(row.Level)+":"+code)
	}
	return out
}

func cell(dept, commune string, n int) Cell {
	return Cell{Month: "2026-01", Departement: dept, Commune: commune, Counts: []int{n}}
}

func TestSuppress(t *testing.T) {
	tests := []struct {
		name      string
		threshold int
		cells     []Cell
		want      []string
	}{
		{"nothing small", 5, []Cell{cell("29", "29019", 12), cell("29", "29232", 7), cell("22", "22278", 30)}, nil},
		{"zeros are published", 5, []Cell{cell("29", "29019", 0), cell("29", "29232", 0), cell("22", "22278", 9)}, nil},
		{"primary and smallest non-zero sibling", 5,
			[]Cell{cell("29", "29019", 3), cell("29", "29232", 20), cell("29", "29103", 10), cell("29", "29150", 0), cell("22", "22278", 50)},
			[]string{"commune:29019", "commune:29103"}},
		{"ties broken by code", 5,
			[]Cell{cell("29", "29019", 1), cell("29", "29232", 8), cell("29", "29103", 8)},
			[]string{"commune:29019", "commune:29103"}},
		{"small département propagates up and down", 5,
			[]Cell{cell("29", "29019", 3), cell("29", "29232", 0), cell("22", "22278", 50), cell("56", "56260", 80)},
			[]string{"departement:22", "commune:22278", "departement:29", "commune:29019"}},
		{"two small communes protect each other", 5,
			[]Cell{cell("29", "29019", 2), cell("29", "29232", 4), cell("29", "29103", 40)},
			[]string{"commune:29019", "commune:29232"}},
		{"small nation", 5, []Cell{cell("29", "29019", 2), cell("29", "29232", 1)},
			[]string{"national:2026-01", "departement:29", "commune:29019", "commune:29232"}},
		{"threshold 1 publishes all", 1, []Cell{cell("29", "29019", 1), cell("22", "22278", 2)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := &Table{Measures: []string{"passes_redeemed"}, Cells: tt.cells}
			r, err := Suppress(tab, tt.threshold)
			if err != nil {
				t.Fatal(err)
			}
			got := suppressedNames(r, 0)
			if !slices.Equal(got, tt.want) {
				t.Errorf("suppressed %v, want %v", got, tt.want)
			}
			checkRelease(t, tab, r)
		})
	}
}

func TestSuppressErrors(t *testing.T) {
	ok := []Cell{cell("29", "29019", 3)}
	tests := []struct {
		name      string
		measures  []string
		cells     []Cell
		threshold int
		want      string
	}{
		{"threshold", []string{"m"}, ok, 0, "threshold"},
		{"no measure", nil, ok, 5, "no measure"},
		{"bad measure", []string{"Passes"}, ok, 5, "measure"},
		{"column clash", []string{"commune"}, ok, 5, "duplicate column"},
		{"counts", []string{"a", "b"}, ok, 5, "2 measures"},
		{"negative", []string{"m"}, []Cell{cell("29", "29019", -1)}, 5, "negative"},
		{"duplicate", []string{"m"}, []Cell{cell("29", "29019", 1), cell("29", "29019", 2)}, 5, "duplicate cell"},
		{"two départements", []string{"m"}, []Cell{cell("29", "29019", 1), {Month: "2026-02", Departement: "22", Commune: "29019", Counts: []int{1}}}, 5, "départements"},
		{"empty code", []string{"m"}, []Cell{cell("", "29019", 1)}, 5, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Suppress(&Table{Measures: tt.measures, Cells: tt.cells}, tt.threshold)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// tester is what checkRelease needs of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkRelease asserts the disclosure-control guarantees of r against the
// confidential table t.
func checkRelease(t tester, tab *Table, r *Release) {
	t.Helper()
	for m, name := range r.Measures {
		vals := truth(tab, r, m)
		for i, row := range r.Rows {
			v := row.Values[m]
			if v.N != vals[i] {
				t.Fatalf("%s row %d: value %d, true %d", name, i, v.N, vals[i])
			}
			if !v.Suppressed && v.N >= 1 && v.N < r.Threshold {
				t.Fatalf("%s row %+v: small count %d published", name, row, v.N)
			}
			if v.Suppressed && v.N == 0 {
				t.Fatalf("%s row %+v: zero suppressed", name, row)
			}
		}
		iv := attack(r, m)
		for i, row := range r.Rows {
			if !row.Values[m].Suppressed {
				continue
			}
			// The attacker's bounds are sound: the truth is inside.
			if iv[i].lo > vals[i] || iv[i].hi < vals[i] {
				t.Fatalf("%s row %+v: attacker bounds [%d,%d] miss %d", name, row, iv[i].lo, iv[i].hi, vals[i])
			}
			if iv[i].lo == iv[i].hi {
				t.Fatalf("%s row %+v: disclosed as %d", name, row, iv[i].lo)
			}
			// Proof of ambiguity: two other exact non-negative solutions,
			// with this cell at value−1 and value+1.
			d, err := witness(r, m, vals, i)
			if err != nil {
				t.Fatalf("%s row %+v: no witness: %v", name, row, err)
			}
			for _, sign := range []int{1, -1} {
				if err := checkSolution(r, m, vals, d, sign); err != nil {
					t.Fatalf("%s row %+v: witness %+d: %v", name, row, sign, err)
				}
			}
		}
	}
}

// TestSuppressProperty: on random tables, no suppressed value can be
// recomputed from what is published.
func TestSuppressProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		threshold := rapid.SampledFrom([]int{5, 5, 5, 2, 3, 11}).Draw(rt, "threshold")
		measures := []string{"beneficiaries", "passes_redeemed", "carnets"}[:rapid.IntRange(1, 3).Draw(rt, "measures")]
		// Mostly small counts, some zeros, a few large ones.
		count := rapid.OneOf(rapid.IntRange(0, 6), rapid.IntRange(0, 0), rapid.IntRange(5, 60))
		tab := &Table{Measures: measures}
		months := rapid.IntRange(1, 2).Draw(rt, "months")
		depts := rapid.IntRange(1, 4).Draw(rt, "depts")
		for mo := 1; mo <= months; mo++ {
			for d := range depts {
				communes := rapid.IntRange(1, 5).Draw(rt, "communes")
				for c := range communes {
					counts := make([]int, len(measures))
					for i := range counts {
						counts[i] = count.Draw(rt, "count")
					}
					tab.Cells = append(tab.Cells, Cell{
						Month:       "2026-0" + string(rune('0'+mo)),
						Departement: string(rune('A' + d)),
						Commune:     string(rune('A'+d)) + string(rune('a'+c)),
						Counts:      counts,
					})
				}
			}
		}
		r, err := Suppress(tab, threshold)
		if err != nil {
			rt.Fatal(err)
		}
		checkRelease(rt, tab, r)
	})
}
