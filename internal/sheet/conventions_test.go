package sheet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// The table of the conventions of a territory: a row per convention, each
// territory's total after its conventions, the total of all last, amounts
// in euros with a decimal comma.
func TestConventions(t *testing.T) {
	line := func(id int64, dep string, committed, received, issued int64) passnum.ConventionFigures {
		return passnum.NewConventionFigures(&passnum.Convention{ID: id, Title: "Plan", Territory: []string{dep}, StartsOn: "2027-04-01", EndsOn: "2028-12-31"},
			[]passnum.FunderMoney{{FunderName: "État", CommittedCents: committed, ReceivedCents: received}},
			[]passnum.ConventionPassFigures{{BudgetCents: 10_000, FaceValueCents: 1000, Funnel: passnum.Funnel{Issued: issued}}})
	}
	sum := passnum.SummarizeConventions("", []passnum.ConventionFigures{
		line(2, "departement:35", 100_00, 50_00, 10), line(1, "departement:29", 200_00, 0, 0), line(3, "departement:35", 300_00, 0, 20)})
	name := func(areas []string) string { return strings.Join(areas, "+") }
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Conventions(sum, name, "Bretagne")); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffTerritoire;Convention;Intitulé;Engagement de chaque partie;Signée le;Début;Fin;Engagé (€);Appelé (€);Reçu (€);Pass financés;Pass émis;Pass remis;Pass utilisés\n" +
		"departement:29;n° 1;Plan;État 200,00\u00a0€;;2027-04-01;2028-12-31;200,00;0,00;0,00;10;0;0;0\n" +
		"Total departement:29;1 convention;;;;;;200,00;0,00;0,00;10;0;0;0\n" +
		"departement:35;n° 2;Plan;État 100,00\u00a0€;;2027-04-01;2028-12-31;100,00;0,00;50,00;10;10;0;0\n" +
		"departement:35;n° 3;Plan;État 300,00\u00a0€;;2027-04-01;2028-12-31;300,00;0,00;0,00;10;20;0;0\n" +
		"Total departement:35;2 conventions;;;;;;400,00;0,00;50,00;20;30;0;0\n" +
		"Total;3 conventions;;;;;;600,00;0,00;50,00;30;30;0;0\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
