package pdf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// The territorial report ends with a page on the conventions of its
// scope: one table per territory with its total, the total of all, the
// parties' commitments in euros written the French way; a scope without
// convention says so.
func TestTerritorialReportConventions(t *testing.T) {
	line := func(id int64, dep, title string, committed, called, received, issued int64) passnum.ConventionFigures {
		return passnum.NewConventionFigures(&passnum.Convention{ID: id, Title: title, Territory: []string{dep}, StartsOn: "2027-04-01", EndsOn: "2028-12-31"},
			[]passnum.FunderMoney{{FunderName: "État — ANCT", CommittedCents: committed / 2, CalledCents: called, ReceivedCents: received},
				{FunderName: "Conseil départemental", CommittedCents: committed / 2}},
			[]passnum.ConventionPassFigures{{BudgetCents: committed * 10000 / 10400, FaceValueCents: 1000, Funnel: passnum.Funnel{Issued: issued, Distributed: issued / 2, Redeemed: issued / 4}}})
	}
	tr := territorial()
	tr.Conventions = passnum.SummarizeConventions("region:53", []passnum.ConventionFigures{
		line(1, "departement:35", "Ille-et-Vilaine numérique", 80_000_00, 20_000_00, 30_000_00, 2000),
		line(2, "departement:29", "Finistère connecté", 40_000_00, 0, 0, 0),
		line(3, "departement:35", "Rennes Métropole", 1_234_567_00, 100_000_00, 100_000_00, 4000),
	})
	var buf bytes.Buffer
	if err := TerritorialReport(&buf, tr); err != nil {
		t.Fatal(err)
	}
	keep(t, "territorial-conventions.pdf", buf.Bytes())
	s := text(t, buf.Bytes())
	for _, want := range []string{
		"Conventions",
		"Ille-et-Vilaine \\(35\\)",
		"Finist\xe8re \\(29\\)",
		"n\xb0 1 Ille-et-Vilaine num\xe9rique",
		cp1252(passnum.FrenchEuros(80_000_00)),
		cp1252(passnum.FrenchEuros(1_314_567_00)), // Ille-et-Vilaine's total committed
		cp1252(passnum.FrenchEuros(1_354_567_00)), // all of it
		cp1252(passnum.FrenchEuros(130_000_00)),   // received in Ille-et-Vilaine
		cp1252(passnum.FrenchNumber(6000)),        // passes issued in Ille-et-Vilaine
		"Total Ille-et-Vilaine \\(35\\)",
		"Total des 2 territoires",
		cp1252("État — ANCT " + passnum.FrenchEuros(40_000_00)),
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in the document", want)
		}
	}

	tr.Conventions = passnum.SummarizeConventions("", nil)
	buf.Reset()
	if err := TerritorialReport(&buf, tr); err != nil {
		t.Fatal(err)
	}
	if s := text(t, buf.Bytes()); !strings.Contains(s, "Aucune convention de financement") {
		t.Error("a scope without convention does not say so")
	}
}
