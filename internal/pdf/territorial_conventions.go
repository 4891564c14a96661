package pdf

import (
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// conventionsPage writes the page "Conventions" of a territorial report:
// the conventions of the scope by territory, each with what its parties
// committed (after addenda), what was called and received, and the passes
// its programmes financed, issued, handed out and used; each territory's
// total, then the total of all, which is what a conférence des
// financeurs adds up.
func conventionsPage(d *doc, sum *passnum.ConventionSummary) {
	d.AddPage()
	d.heading("Conventions")
	if sum.Total.Conventions == 0 {
		d.font("", 9)
		d.para(0, 4.5, "Aucune convention de financement ne concerne ce périmètre pour l'instant.")
		return
	}
	d.font("", 9)
	d.para(0, 4.5, plural(sum.Total.Conventions, "convention", "conventions")+" : l'argent engagé par leurs parties, appelé et reçu, puis les pass que leurs programmes financent, ont émis, remis et vu utiliser.")
	d.Ln(1)
	t := sum.Total
	hbars(d, []barItem{
		{label: "Engagé", value: t.CommittedCents, text: passnum.FrenchEuros(t.CommittedCents)},
		{label: "Appelé", value: t.CalledCents, text: passnum.FrenchEuros(t.CalledCents)},
		{label: "Reçu", value: t.ReceivedCents, text: passnum.FrenchEuros(t.ReceivedCents)},
	}, 30)
	d.Ln(2)

	const money, passes = 25.0, 15.0
	cols := []column{{"Convention", bodyW - 3*money - 4*passes, "L"},
		{"Engagé", money, "R"}, {"Appelé", money, "R"}, {"Reçu", money, "R"},
		{"Financés", passes, "R"}, {"Émis", passes, "R"}, {"Remis", passes, "R"}, {"Utilisés", passes, "R"}}
	figures := func(label string, v passnum.ConventionTotals) []string {
		return []string{label, passnum.FrenchEuros(v.CommittedCents), passnum.FrenchEuros(v.CalledCents), passnum.FrenchEuros(v.ReceivedCents),
			passnum.FrenchNumber(v.PassesFinanced), passnum.FrenchNumber(v.Issued), passnum.FrenchNumber(v.Distributed), passnum.FrenchNumber(v.Redeemed)}
	}
	for _, g := range sum.Territories {
		name := territoryLabel(g.Territory)
		d.keep(30)
		d.font("B", 10)
		d.para(0, 5.5, name)
		tb := &table{d: d, rowH: 5.5, cols: cols}
		tb.keep(3)
		tb.header()
		d.font("", 8)
		var parties []string
		for _, c := range g.Conventions {
			tb.row(figures("n° "+strconv.FormatInt(c.ConventionID, 10)+" "+c.Title, c.Totals)...)
			names := make([]string, len(c.Funders))
			for i, m := range c.Funders {
				names[i] = m.FunderName + " " + passnum.FrenchEuros(m.CommittedCents)
			}
			signed := "signature en attente"
			if c.SignedOn != "" {
				signed = "signée le " + passnum.FrenchDate(c.SignedOn)
			}
			parties = append(parties, "n° "+strconv.FormatInt(c.ConventionID, 10)+" ("+signed+", du "+passnum.FrenchDate(c.StartsOn)+" au "+
				passnum.FrenchDate(c.EndsOn)+") : "+strings.Join(names, " ; ")+".")
		}
		d.font("B", 8)
		tb.row(figures("Total "+name, g.Total)...)
		d.font("I", 8)
		for _, p := range parties {
			d.para(0, 4, p)
		}
		d.Ln(2)
	}
	if len(sum.Territories) > 1 {
		d.keep(20)
		tb := &table{d: d, rowH: 5.5, cols: cols}
		tb.header()
		d.font("B", 8)
		tb.row(figures("Total des "+strconv.Itoa(len(sum.Territories))+" territoires", sum.Total)...)
	}
	d.Ln(2)
	d.font("I", 8)
	d.para(0, 4, "Engagé : montants des conventions après avenants. Appelé : appels de fonds émis. Reçu : ordres de paiement enregistrés pour les programmes de la convention. "+
		"Pass financés : budget des programmes divisé par la valeur d'un pass. Chaque total est la somme des lignes au-dessus de lui.")
}
