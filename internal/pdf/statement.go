package pdf

import (
	"fmt"
	"io"
	"strings"

	"github.com/passnum/passnum"
)

// VenueStatement writes a venue's reimbursement statement: who pays whom,
// the statement's reference, cut-off and state, one line per pass redeemed
// (the column titles repeated on every page), the totals and where the
// money goes. bank is the venue's account, printed with its IBAN masked but
// for the last four characters; nil says the account on file is used.
// Lines name their programme by number: the statement carries no names.
func VenueStatement(w io.Writer, st *passnum.Statement, venue passnum.Venue, bank *passnum.BankAccount, operatorName string) error {
	if st == nil {
		return fmt.Errorf("pdf: venue statement: no statement")
	}
	name := venue.Name
	if name == "" {
		name = st.VenueName
	}
	d := newDoc(fmt.Sprintf("Relevé de remboursement n° %d", st.ID), operatorName, st.CreatedAt)
	d.footer(fmt.Sprintf("Relevé n° %d · %s · pass encaissés jusqu'au %s", st.ID, name, passnum.FrenchDate(st.CutOff)))
	d.runningHead(fmt.Sprintf("%s — relevé de remboursement n° %d — %s", operatorName, st.ID, name))
	d.AddPage()

	d.masthead(operatorName, "Relevé de remboursement",
		fmt.Sprintf("n° %d", st.ID),
		"Pass encaissés jusqu'au "+passnum.FrenchDate(st.CutOff)+" inclus")
	statementParties(d, st, venue, name)

	d.font("", 10)
	d.para(0, 5, fmt.Sprintf("%s rembourse au lieu, à leur valeur faciale, les Pass numériques qu'il a encaissés jusqu'au %s inclus et qui ne l'avaient pas encore été : %s pour %s.",
		operatorName, passnum.FrenchDate(st.CutOff), plural(st.Passes, "pass", "pass"), passnum.FrenchEuros(st.AmountCents)))
	d.Ln(3)
	statementLines(d, st)
	statementPayment(d, st, bank, name)
	return d.write(w)
}

// statementParties writes the venue, as an address block, and the
// statement's facts beside it.
func statementParties(d *doc, st *passnum.Statement, venue passnum.Venue, name string) {
	top := d.GetY()
	addr := []string{name, venue.Address, venue.AddressComplement,
		strings.TrimSpace(venue.PostalCode + " " + venue.Commune), formatPivot(venue.Pivot)}
	h1 := d.block(margin, top, bodyW/2-3, "Lieu remboursé", addr)
	facts := []string{
		"Référence du virement : " + st.Reference,
		"État : " + st.State.Label(),
		"Établi le " + passnum.FrenchDate(st.CreatedAt.In(paris).Format(passnum.DateLayout)),
	}
	if st.ValidatedAt != nil {
		facts = append(facts, "Validé le "+passnum.FrenchDate(st.ValidatedAt.In(paris).Format(passnum.DateLayout)))
	}
	if st.PaidAt != nil {
		facts = append(facts, "Payé le "+passnum.FrenchDate(st.PaidAt.In(paris).Format(passnum.DateLayout)))
	}
	if st.RejectedReason != "" {
		facts = append(facts, "Virement rejeté : "+st.RejectedReason)
	}
	h2 := d.block(margin+bodyW/2+3, top, bodyW/2-3, "Relevé", facts)
	d.SetY(top + max(h1, h2) + 6)
}

// statementLines writes one line per pass, then the statement's totals,
// which the lines add up to (else it says what they add up to).
func statementLines(d *doc, st *passnum.Statement) {
	t := &table{d: d, rowH: 6, cols: []column{
		{"Série", 26, "L"},
		{"Encaissé le", 30, "L"},
		{"Atelier", 74, "L"},
		{"Programme", 24, "C"},
		{"Montant", 26, "R"},
	}}
	t.header()
	var sum int64
	for _, l := range st.Lines {
		title := l.ServiceTitle
		if title == "" {
			title = "—"
		}
		t.row(passnum.FormatSerial(l.Serial), shortDateTime(l.RedeemedAt), title,
			fmt.Sprintf("n° %d", l.ProgrammeID), passnum.FrenchEuros(l.AmountCents))
		sum += l.AmountCents
	}
	if len(st.Lines) == 0 {
		t.row("", "", "Aucune ligne", "", "")
	}

	d.keep(30)
	d.Ln(2)
	d.font("B", 10)
	d.SetX(margin + bodyW - 100)
	d.cell(74, 6, fmt.Sprintf("Total : %s", plural(st.Passes, "pass", "pass")), "R")
	d.cell(26, 6, passnum.FrenchEuros(st.AmountCents), "R")
	d.Ln(-1)
	if len(st.Lines) > 0 && (sum != st.AmountCents || len(st.Lines) != st.Passes) {
		d.font("I", 9)
		d.line(5, fmt.Sprintf("Les lignes ci-dessus totalisent %s pour %s.", passnum.FrenchEuros(sum), plural(len(st.Lines), "pass", "pass")), "R")
	}
}

// statementPayment writes where the money goes and the reference that
// ties the transfer to the statement.
func statementPayment(d *doc, st *passnum.Statement, bank *passnum.BankAccount, name string) {
	d.keep(62) // the payment and the note below stay together
	d.heading("Paiement")
	if bank != nil && bank.IBAN != "" {
		holder := bank.Holder
		if holder == "" {
			holder = name
		}
		d.field("Titulaire du compte", holder)
		d.field("IBAN", maskIBAN(bank.IBAN))
		if bank.BIC != "" {
			d.field("BIC", bank.BIC)
		}
	} else {
		d.para(0, 5, "Sur le compte bancaire enregistré pour le lieu.")
	}
	d.field("Montant", passnum.FrenchEuros(st.AmountCents))
	d.field("Référence du virement", st.Reference)
	d.Ln(3)
	d.font("", 9)
	d.para(0, 4.5, "Le virement porte la référence ci-dessus : rapprochez-le de ce relevé. Pour toute question sur une ligne, indiquez son numéro de série.")
}

// plural writes n with its noun: "1 pass", "1 234 pass".
func plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return passnum.FrenchNumber(int64(n)) + "\u00a0" + one
	}
	return passnum.FrenchNumber(int64(n)) + "\u00a0" + many
}
