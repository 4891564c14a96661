package pdf

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/passnum/passnum"
)

// FunderCharge writes what a funder is charged under a programme: for each
// period (settlement run), the passes redeemed and its share of their
// value, the management fee on its own line, and the period's total; then
// the total of all periods. programme may be nil: its number is then taken
// from the charges.
func FunderCharge(w io.Writer, charges []*passnum.FunderCharge, funder passnum.Organisation, programme *passnum.Programme, operatorName string) error {
	if len(charges) == 0 {
		return fmt.Errorf("pdf: funder charges: none to print")
	}
	charges = slices.Clone(charges)
	slices.SortStableFunc(charges, func(a, b *passnum.FunderCharge) int {
		if a.Period != b.Period {
			if a.Period < b.Period {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	var created time.Time
	for _, c := range charges {
		if c.CreatedAt.After(created) {
			created = c.CreatedAt
		}
	}
	prog := programmeLabel(programme, charges[0].ProgrammeID)
	first, last := charges[0].Period, charges[len(charges)-1].Period
	period := "Période arrêtée au " + passnum.FrenchDate(last)
	if first != last {
		period = "Périodes arrêtées du " + passnum.FrenchDate(first) + " au " + passnum.FrenchDate(last)
	}

	d := newDoc("Relevé de charges — "+funder.Name, operatorName, created)
	d.footer(fmt.Sprintf("Relevé de charges · %s · %s", funder.Name, prog))
	d.runningHead(fmt.Sprintf("%s — relevé de charges — %s", operatorName, funder.Name))
	d.AddPage()
	d.masthead(operatorName, "Relevé de charges", period)

	top := d.GetY()
	h1 := d.block(margin, top, bodyW/2-3, "Financeur", []string{funder.Name, siretLine(funder.SIRET)})
	facts := []string{"Programme : " + prog}
	if share := funderShare(programme, funder.ID); share > 0 {
		facts = append(facts, "Votre part : "+passnum.FrenchPercent(share))
	}
	if programme != nil && programme.FaceValueCents > 0 {
		facts = append(facts, "Valeur d'un pass : "+passnum.FrenchEuros(programme.FaceValueCents))
	}
	h2 := d.block(margin+bodyW/2+3, top, bodyW/2-3, "Convention", facts)
	d.SetY(top + max(h1, h2) + 6)

	d.font("", 10)
	d.para(0, 5, "Ce relevé impute au financeur sa part des Pass numériques encaissés par les lieux et remboursés sur la période, et les frais de gestion qui s'y appliquent, sur une ligne à part.")
	d.Ln(3)

	t := &table{d: d, rowH: 6.5, cols: []column{
		{"Désignation", 118, "L"},
		{"Pass", 24, "R"},
		{"Montant", 38, "R"},
	}}
	t.header()
	var total, passes int64
	for i, c := range charges {
		if i > 0 {
			t.keep(3) // a period's three lines on one page
		}
		d.font("", 9)
		t.row(fmt.Sprintf("Pass encaissés jusqu'au %s (réf. %d)", passnum.FrenchDate(c.Period), c.ID),
			passnum.FrenchNumber(int64(c.Passes)), passnum.FrenchEuros(c.PassesCents))
		fee := "Frais de gestion " + passnum.FrenchPercent(c.FeeBP)
		if c.FeeBP == 0 {
			fee = "Frais de gestion (sans objet)"
		}
		t.row(fee+" sur "+passnum.FrenchEuros(c.PassesCents), "", passnum.FrenchEuros(c.FeeCents))
		d.font("B", 9)
		t.row("Total de la période", "", passnum.FrenchEuros(c.TotalCents))
		total += c.TotalCents
		passes += int64(c.Passes)
	}

	d.keep(20)
	d.Ln(3)
	d.font("B", 11)
	d.SetX(margin)
	d.cell(118, 7, "Total à payer", "L")
	d.cell(24, 7, passnum.FrenchNumber(passes), "R")
	d.cell(38, 7, passnum.FrenchEuros(total), "R")
	d.Ln(-1)
	d.rule(0.4)
	d.Ln(4)
	d.font("", 9)
	d.para(0, 4.5, "Les montants sont en euros. La part d'un pass revenant à chaque financeur est arrondie au centime ; les parts d'un pass totalisent exactement sa valeur.")
	return d.write(w)
}

// CreditNote writes the credit note refunding a funder, at face value, its
// share of the passes of a programme that expired unused. programme may be
// nil: the face value and the share are then not detailed.
func CreditNote(w io.Writer, cn *passnum.CreditNote, funder passnum.Organisation, programme *passnum.Programme, operatorName string) error {
	if cn == nil {
		return fmt.Errorf("pdf: credit note: none to print")
	}
	ref := cn.Reference
	if ref == "" {
		ref = fmt.Sprint(cn.ID)
	}
	prog := programmeLabel(programme, cn.ProgrammeID)
	d := newDoc("Avoir n° "+ref, operatorName, cn.CreatedAt)
	d.footer(fmt.Sprintf("Avoir n° %s · %s · %s", ref, funder.Name, prog))
	d.AddPage()
	d.masthead(operatorName, "Avoir n° "+ref,
		"Établi le "+passnum.FrenchDate(cn.CreatedAt.In(paris).Format(passnum.DateLayout)))

	top := d.GetY()
	h1 := d.block(margin, top, bodyW/2-3, "Financeur", []string{funder.Name, siretLine(funder.SIRET)})
	facts := []string{"Programme : " + prog}
	if programme != nil {
		facts = append(facts, "Pass valables jusqu'au "+passnum.FrenchDate(programme.ValidUntil))
		if programme.ToleranceDays > 0 {
			last := programme.ExpiresAfter().AddDate(0, 0, -1).Format(passnum.DateLayout)
			facts = append(facts, "Acceptés par tolérance jusqu'au "+passnum.FrenchDate(last))
		}
	}
	h2 := d.block(margin+bodyW/2+3, top, bodyW/2-3, "Convention", facts)
	d.SetY(top + max(h1, h2) + 6)

	d.font("", 10)
	d.para(0, 5, "Les pass ci-dessous ont expiré sans avoir été utilisés. Le financeur est remboursé de sa part de leur valeur faciale.")
	d.Ln(3)

	t := &table{d: d, rowH: 7, cols: []column{
		{"Désignation", 96, "L"},
		{"Quantité", 24, "R"},
		{"Valeur unitaire", 30, "R"},
		{"Montant", 30, "R"},
	}}
	t.header()
	if programme != nil && programme.FaceValueCents > 0 {
		t.row("Pass expirés non utilisés", passnum.FrenchNumber(int64(cn.Passes)),
			passnum.FrenchEuros(programme.FaceValueCents), passnum.FrenchEuros(int64(cn.Passes)*programme.FaceValueCents))
		if share := funderShare(programme, cn.FunderID); share > 0 && share < passnum.BasisPoints {
			t.row("Part du financeur", passnum.FrenchPercent(share), "", "")
		}
	} else {
		t.row("Pass expirés non utilisés (part du financeur)", passnum.FrenchNumber(int64(cn.Passes)), "", "")
	}
	d.Ln(3)
	d.font("B", 11)
	d.SetX(margin)
	d.cell(150, 7, "Montant de l'avoir", "L")
	d.cell(30, 7, passnum.FrenchEuros(cn.AmountCents), "R")
	d.Ln(-1)
	d.rule(0.4)
	d.Ln(4)
	d.font("", 9)
	d.para(0, 4.5, "Les pass concernés ont expiré : ils ne peuvent plus être encaissés.")
	return d.write(w)
}

// programmeLabel names a programme: « Name » (n° 3), or n° 3.
func programmeLabel(p *passnum.Programme, id int64) string {
	if p == nil || p.Name == "" {
		return fmt.Sprintf("n° %d", id)
	}
	return fmt.Sprintf("«\u00a0%s\u00a0» (n°\u00a0%d)", p.Name, p.ID)
}

// funderShare is a funder's share of a programme in basis points, 0 if
// unknown.
func funderShare(p *passnum.Programme, funderID int64) int {
	if p == nil {
		return 0
	}
	for _, f := range p.Funders {
		if f.FunderID == funderID {
			return f.ShareBP
		}
	}
	return 0
}

// siretLine writes an organisation's SIRET, if it has one.
func siretLine(siret string) string {
	if siret == "" {
		return ""
	}
	return formatPivot(siret)
}
