package passnum

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Whatever the conventions, each territory's total is the sum of its
// conventions, the whole total the sum of the territories', every
// convention is in the group of its territory, once, by number.
func TestSummarizeConventionsAddsUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		areas := []string{"departement:29", "departement:35", "region:53", "departement:35 departement:56"}
		n := rapid.IntRange(0, 12).Draw(t, "n")
		var lines []ConventionFigures
		var want ConventionTotals
		for i := range n {
			cents := rapid.Int64Range(0, 1e11)
			count := rapid.Int64Range(0, 1e7)
			tot := ConventionTotals{Conventions: 1, CommittedCents: cents.Draw(t, "committed"), CalledCents: cents.Draw(t, "called"),
				ReceivedCents: cents.Draw(t, "received"), PassesFinanced: count.Draw(t, "financed"), Issued: count.Draw(t, "issued"),
				Distributed: count.Draw(t, "distributed"), Redeemed: count.Draw(t, "redeemed")}
			want.Conventions++
			want.CommittedCents += tot.CommittedCents
			want.CalledCents += tot.CalledCents
			want.ReceivedCents += tot.ReceivedCents
			want.PassesFinanced += tot.PassesFinanced
			want.Issued += tot.Issued
			want.Distributed += tot.Distributed
			want.Redeemed += tot.Redeemed
			area := rapid.SampledFrom(areas).Draw(t, "territory")
			lines = append(lines, ConventionFigures{ConventionID: int64(n - i), Territory: strings.Fields(area), Totals: tot})
		}
		sum := SummarizeConventions("", lines)
		if sum.Total != want {
			t.Fatalf("total %+v, want %+v", sum.Total, want)
		}
		seen := 0
		var prev string
		for _, g := range sum.Territories {
			key := strings.Join(g.Territory, " ")
			if key <= prev {
				t.Fatalf("territory %q after %q", key, prev)
			}
			prev = key
			var gt ConventionTotals
			for i, c := range g.Conventions {
				if strings.Join(c.Territory, " ") != key {
					t.Fatalf("convention %d of %v in the group of %q", c.ConventionID, c.Territory, key)
				}
				if i > 0 && c.ConventionID <= g.Conventions[i-1].ConventionID {
					t.Fatalf("conventions out of order in %q", key)
				}
				gt.Add(c.Totals)
				seen++
			}
			if g.Total != gt {
				t.Fatalf("%q: total %+v, want %+v", key, g.Total, gt)
			}
		}
		if seen != n {
			t.Fatalf("%d conventions in the groups, want %d", seen, n)
		}
	})
}

func TestConventionFilterForScope(t *testing.T) {
	cases := []struct {
		scope Scope
		want  ConventionSummaryFilter
	}{
		{ScopeAllPasses, ConventionSummaryFilter{}},
		{Scope{Kind: ScopeArea, Area: "departement:35"}, ConventionSummaryFilter{Area: "departement:35"}},
		{Scope{Kind: ScopeFunder, ID: 4}, ConventionSummaryFilter{FunderID: 4}},
		{Scope{Kind: ScopeHub, ID: 5}, ConventionSummaryFilter{HubID: 5}},
		{Scope{Kind: ScopeProgramme, ID: 6, Year: 2027}, ConventionSummaryFilter{ProgrammeID: 6}},
	}
	for _, tc := range cases {
		if got := ConventionFilterForScope(tc.scope); got != tc.want {
			t.Errorf("%v: %+v, want %+v", tc.scope, got, tc.want)
		}
	}
}
