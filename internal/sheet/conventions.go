package sheet

import (
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// Conventions turns the conventions of a territory into a table: one row
// per convention, each territory's total after its conventions, the total
// of all last. label names a territory ("Ille-et-Vilaine (35)"). Amounts
// are real numbers in XLSX, so that a reader can check that each total is
// the sum of the rows above it.
func Conventions(sum *passnum.ConventionSummary, label func([]string) string, scope string) *Table {
	t := &Table{Title: "Conventions par territoire", Columns: []Column{
		{Header: "Territoire", Kind: Text},
		{Header: "Convention", Kind: Text},
		{Header: "Intitulé", Kind: Text},
		{Header: "Engagement de chaque partie", Kind: Text},
		{Header: "Signée le", Kind: Text},
		{Header: "Début", Kind: Text},
		{Header: "Fin", Kind: Text},
		{Header: "Engagé (€)", Kind: Euros},
		{Header: "Appelé (€)", Kind: Euros},
		{Header: "Reçu (€)", Kind: Euros},
		{Header: "Pass financés", Kind: Int},
		{Header: "Pass émis", Kind: Int},
		{Header: "Pass remis", Kind: Int},
		{Header: "Pass utilisés", Kind: Int},
	}}
	if scope != "" {
		t.Notes = append(t.Notes, "Périmètre : "+scope)
	}
	t.Notes = append(t.Notes, "Engagé : montants des conventions après avenants. Reçu : ordres de paiement enregistrés pour les programmes de la convention.")
	figures := func(v passnum.ConventionTotals) []Cell {
		return []Cell{{N: v.CommittedCents}, {N: v.CalledCents}, {N: v.ReceivedCents},
			{N: v.PassesFinanced}, {N: v.Issued}, {N: v.Distributed}, {N: v.Redeemed}}
	}
	for _, g := range sum.Territories {
		name := label(g.Territory)
		for _, c := range g.Conventions {
			parties := make([]string, len(c.Funders))
			for i, m := range c.Funders {
				parties[i] = m.FunderName + " " + passnum.FrenchEuros(m.CommittedCents)
			}
			row := []Cell{{Text: name}, {Text: "n° " + strconv.FormatInt(c.ConventionID, 10)}, {Text: c.Title},
				{Text: strings.Join(parties, " ; ")}, {Text: c.SignedOn}, {Text: c.StartsOn}, {Text: c.EndsOn}}
			t.Rows = append(t.Rows, append(row, figures(c.Totals)...))
		}
		row := []Cell{{Text: "Total " + name}, {Text: conventionCount(g.Total.Conventions)}, {}, {}, {}, {}, {}}
		t.Rows = append(t.Rows, append(row, figures(g.Total)...))
	}
	row := []Cell{{Text: "Total"}, {Text: conventionCount(sum.Total.Conventions)}, {}, {}, {}, {}, {}}
	t.Rows = append(t.Rows, append(row, figures(sum.Total)...))
	return t
}

func conventionCount(n int) string {
	if n < 2 {
		return strconv.Itoa(n) + " convention"
	}
	return strconv.Itoa(n) + " conventions"
}
