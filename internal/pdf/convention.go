package pdf

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// Convention writes a convention to sign: its parties, object, territory
// and duration, the amounts of each funder by year, the call's matching
// rule, and a signature block per party with the day it signed, if it
// has. addendum, when not nil, is the addendum the document presents (its
// number in the title, its reason in the object), the amounts being
// those it leaves.
func Convention(w io.Writer, c *passnum.Convention, call *passnum.Call, addendum *passnum.Addendum, operatorName string) error {
	if c == nil || call == nil {
		return fmt.Errorf("pdf: convention: nothing to print")
	}
	title := fmt.Sprintf("Convention n° %d", c.ID)
	created := c.CreatedAt
	if addendum != nil {
		title = fmt.Sprintf("Avenant n° %d à la convention n° %d", addendum.Number, c.ID)
		created = addendum.CreatedAt
	}
	d := newDoc(title+" — "+c.Title, operatorName, created)
	d.footer(fmt.Sprintf("%s · %s", title, c.Title))
	d.runningHead(fmt.Sprintf("%s — %s", title, c.Title))
	d.AddPage()
	d.masthead(call.FunderName, title, "Pass numérique", "Appel à projets « "+call.Title+" »")

	d.heading("Entre les parties")
	for _, p := range c.Parties {
		d.field(partyRole(p.FunderID, call, c), p.FunderName)
	}

	d.heading("Objet")
	d.para(0, 5, fmt.Sprintf("La présente convention finance le plan d'action « %s », retenu à l'appel à projets « %s » de %s : "+
		"l'achat de Pass numériques et leur distribution aux personnes éloignées du numérique du territoire.", c.Title, call.Title, call.FunderName))
	if addendum != nil {
		d.Ln(2)
		d.para(0, 5, "Le présent avenant modifie les montants de la convention : "+addendum.Reason)
	}
	d.Ln(2)
	d.field("Territoire", territoryLabel(c.Territory))
	d.field("Durée", "du "+passnum.FrenchDate(c.StartsOn)+" au "+passnum.FrenchDate(c.EndsOn))
	d.field("Règle de cofinancement", fmt.Sprintf("%s paie au plus %s du total de la convention.", call.FunderName, passnum.FrenchPercent(call.MaxShareBP)))

	d.heading("Engagements financiers")
	years := []int{}
	for _, l := range c.Amounts {
		if !slices.Contains(years, l.Year) {
			years = append(years, l.Year)
		}
	}
	slices.Sort(years)
	cols := []column{{"Financeur", bodyW - 34*float64(len(years)+1), "L"}}
	for _, y := range years {
		cols = append(cols, column{strconv.Itoa(y), 34, "R"})
	}
	cols = append(cols, column{"Total", 34, "R"})
	t := &table{d: d, rowH: 6.5, cols: cols}
	t.header()
	d.font("", 9)
	for _, p := range c.Parties {
		cells := []string{d.fit(p.FunderName, cols[0].width-2)}
		for _, y := range years {
			var cents int64
			for _, l := range c.Amounts {
				if l.FunderID == p.FunderID && l.Year == y {
					cents += l.AmountCents
				}
			}
			cells = append(cells, passnum.FrenchEuros(cents))
		}
		cells = append(cells, passnum.FrenchEuros(c.FunderTotal(p.FunderID)))
		t.row(cells...)
	}
	d.font("B", 9)
	totals := []string{"Total"}
	for _, y := range years {
		var cents int64
		for _, l := range c.Amounts {
			if l.Year == y {
				cents += l.AmountCents
			}
		}
		totals = append(totals, passnum.FrenchEuros(cents))
	}
	t.row(append(totals, passnum.FrenchEuros(c.TotalCents))...)
	d.font("", 9)
	d.Ln(3)
	d.para(0, 4.5, "Chaque financeur verse sa part sur appel de fonds ; les pass ne sont activés qu'une fois les fonds reçus. Les montants sont en euros.")

	d.heading("Signatures")
	for _, p := range c.Parties {
		d.keep(22)
		signed := "Date : ____________________    Signature :"
		if p.SignedOn != "" {
			signed = "Signé le " + passnum.FrenchDate(p.SignedOn)
		}
		d.field(p.FunderName, signed)
		d.Ln(8)
	}
	return d.write(w)
}

// partyRole names what a party is to the convention.
func partyRole(funder int64, call *passnum.Call, c *passnum.Convention) string {
	if funder == call.FunderID {
		return "Financeur de l'appel"
	}
	if len(c.Parties) > 0 && funder == c.ApplicantID {
		return "Porteur du projet"
	}
	return "Cofinanceur"
}

// territoryLabel names the areas of a territory in French.
func territoryLabel(areas []string) string {
	var out []string
	for _, a := range areas {
		level, code, _ := strings.Cut(a, ":")
		switch passnum.AreaLevel(level) {
		case passnum.LevelRegion:
			if r, ok := geo.LookupRegion(code); ok {
				out = append(out, "région "+r.Name)
				continue
			}
		case passnum.LevelDepartement:
			if d, ok := geo.LookupDepartement(code); ok {
				out = append(out, d.Name+" ("+code+")")
				continue
			}
		case passnum.LevelCommune:
			if c, ok := geo.LookupCommune(code); ok {
				out = append(out, geo.Label(c))
				continue
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return "toute la France"
	}
	return strings.Join(out, ", ")
}
