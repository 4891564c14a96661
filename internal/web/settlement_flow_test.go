package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa/sepatest"
	"github.com/passnum/passnum/internal/storetest"
)

// Bank accounts of the fixture's venues and of the operator: published
// example IBANs with valid check digits.
const (
	venueIBAN  = "FR7630006000011234567890189"
	venue2IBAN = "FR1420041010050500013M02606"
	payerIBAN  = "FR7630001007941234567890185"
)

// relogin gives people new sessions after the clock moved past their
// lifetime.
func (s *site) relogin(people ...*person) {
	s.t.Helper()
	for _, p := range people {
		var err error
		if p.secret, _, err = s.env.Store.Login(s.t.Context(), p.email, p.password); err != nil {
			s.t.Fatal(err)
		}
	}
}

// statementIDs reads the statements linked from a page, in order.
func statementIDs(body, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(regexp.QuoteMeta(prefix)+`(\d+)"`).FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// TestSettlementFlow walks the money out through the pages: passes redeemed
// in March at two venues, the settlement run at the end of the month, its
// statements validated, the operator's account, a payment batch and its
// pain.001 file, one transfer paid and one rejected; the venue reads its
// paid statement and downloads it; the funder reads its charge; the
// rejected passes come back in the next run; after the programme's expiry,
// the credit notes.
func TestSettlementFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f := s.f
		opCtx := storetest.As(f.Operator)
		for _, b := range []struct {
			venue *passnum.Organisation
			iban  string
		}{{f.Venue, venueIBAN}, {f.Venue2, venue2IBAN}} {
			if err := env.Store.UpdateBankAccount(opCtx, b.venue.ID, passnum.BankAccount{Holder: b.venue.Name, IBAN: b.iban, BIC: "AGRIFRPP"}); err != nil {
				t.Fatal(err)
			}
		}
		serials := f.Serials(0)
		if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serials[0], serials[1], serials[2]), ServiceID: f.Service.ID, IdempotencyKey: "march-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue2), passnum.RedeemRequest{Codes: f.CodesOf(f.Serials(1)[0]), ServiceID: f.Service2.ID, IdempotencyKey: "march-2"}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Set(time.Date(2027, 4, 2, 8, 0, 0, 0, time.UTC))
		op := s.as(passnum.KindOperator, passnum.RoleAdmin)
		venue := s.as(passnum.KindVenue, passnum.RoleAgent)
		funder := s.as(passnum.KindFunder, passnum.RoleAdmin)
		hub := s.as(passnum.KindHub, passnum.RoleAdmin)
		s.relogin(op, venue, funder, hub)

		// The page proposes the end of the previous month.
		a := s.get(op, "/operateur/reglements")
		if a.status != http.StatusOK || !strings.Contains(a.body, `value="2027-03-31"`) || !strings.Contains(a.body, `href="/operateur/reglements" aria-current="page"`) {
			t.Fatalf("settlement page: %d\n%.600s", a.status, a.text())
		}
		// A date that is not one is sent back on its field.
		if a := s.post(op, "/operateur/reglements", url.Values{"cut_off": {"31/03"}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="cut_off-error"`) {
			t.Errorf("bad cut-off: %d\n%.400s", a.status, a.text())
		}
		a = s.post(op, "/operateur/reglements", url.Values{"cut_off": {"2027-03-31"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "2 relevés pour 4 pass, 40,00") {
			t.Fatalf("run: %d %q\n%.400s", a.status, a.flash(), a.text())
		}
		a = s.get(op, a.header.Get("Location"))
		drafts := statementIDs(a.body, `/operateur/releves/`)
		if len(drafts) != 2 || !strings.Contains(a.text(), f.Venue.Name) || !strings.Contains(a.text(), "30,00") || !strings.Contains(a.text(), "brouillon") {
			t.Fatalf("drafts %v:\n%s", drafts, a.text())
		}
		// A statement's page: its lines, its downloads, its validation.
		st := s.get(op, "/operateur/releves/"+drafts[0])
		if st.status != http.StatusOK || !strings.Contains(st.body, "/releve.pdf") || !strings.Contains(st.body, "/releve.csv") || !strings.Contains(st.text(), "Valider le relevé") {
			t.Fatalf("statement page: %d\n%s", st.status, st.text())
		}
		if a := s.post(op, "/operateur/releves/"+drafts[0]+"/validation", nil); a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "validé") {
			t.Fatalf("validate one: %d %q", a.status, a.flash())
		}
		runs, err := env.Store.ListSettlementRuns(opCtx)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs %v %v", runs, err)
		}
		a = s.post(op, fmt.Sprintf("/operateur/reglements/%d/validation", runs[0].ID), nil)
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "1 relevé du règlement") {
			t.Fatalf("validate the run: %d %q", a.status, a.flash())
		}
		// No batch before the operator's account is known.
		if a := s.get(op, "/operateur/reglements"); !strings.Contains(a.text(), "Enregistrez d'abord le compte de l'opérateur") {
			t.Errorf("no payer account:\n%s", a.text())
		}
		a = s.post(op, "/operateur/reglements/compte", url.Values{"payer_name": {"Coopérative passnum"}, "payer_iban": {"FR76 3000 1007 9412 3456 7890 180"}, "payer_bic": {"BDFEFRPPCCT"}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="payer_iban-error"`) {
			t.Errorf("bad IBAN: %d\n%.400s", a.status, a.text())
		}
		a = s.post(op, "/operateur/reglements/compte", url.Values{"payer_name": {"Coopérative passnum"}, "payer_iban": {"FR76 3000 1007 9412 3456 7890 185"}, "payer_bic": {"BDFEFRPPCCT"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("payer account: %d\n%.400s", a.status, a.text())
		}
		a = s.post(op, "/operateur/virements", url.Values{"execution_date": {"2027-04-05"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/operateur/virements/") || !strings.Contains(a.flash(), "2 virements, 40,00") {
			t.Fatalf("batch: %d %q %q\n%.400s", a.status, a.header.Get("Location"), a.flash(), a.text())
		}
		batch := a.header.Get("Location")
		page := s.get(op, batch)
		if page.status != http.StatusOK || !strings.Contains(page.text(), groupIBAN(venueIBAN)) || !strings.Contains(page.text(), "Marquer payé") {
			t.Fatalf("batch page: %d\n%s", page.status, page.text())
		}
		xml := s.get(op, batch+"/pain001.xml")
		if xml.status != http.StatusOK || xml.header.Get("Content-Type") != "application/xml" || !strings.HasPrefix(xml.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("pain.001: %d %q %q", xml.status, xml.header.Get("Content-Type"), xml.header.Get("Content-Disposition"))
		}
		for _, want := range []string{venueIBAN, venue2IBAN, payerIBAN, "<CtrlSum>40.00</CtrlSum>", "<NbOfTxs>2</NbOfTxs>"} {
			if !strings.Contains(xml.body, want) {
				t.Errorf("pain.001 lacks %s:\n%.2000s", want, xml.body)
			}
		}
		sepatest.Validate(t, []byte(xml.body), passnum.PainEPC09)
		// The bank asks for ISO's version, and the operator drops the
		// BIC, which SEPA does not need; an unknown version is sent back
		// on its field.
		if a := s.get(op, "/operateur/reglements"); !strings.Contains(a.body, `value="pain.001.001.09" checked`) || !strings.Contains(a.text(), "au format pain.001.001.09") {
			t.Errorf("the account's format is not shown:\n%s", a.text())
		}
		payer := url.Values{"payer_name": {"Coopérative passnum"}, "payer_iban": {"FR76 3000 1007 9412 3456 7890 185"}, "payer_format": {"pain.001.001.03"}}
		if a := s.post(op, "/operateur/reglements/compte", payer); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="payer_format-error"`) {
			t.Errorf("unknown format: %d\n%.400s", a.status, a.text())
		}
		payer.Set("payer_format", "pain.001.001.10")
		if a := s.post(op, "/operateur/reglements/compte", payer); a.status != http.StatusSeeOther {
			t.Fatalf("payer account in ISO's version: %d\n%.400s", a.status, a.text())
		}
		if a := s.get(op, "/operateur/reglements"); !strings.Contains(a.body, `value="pain.001.001.10" checked`) || !strings.Contains(a.text(), "sans BIC") {
			t.Errorf("the account's new format is not shown:\n%s", a.text())
		}
		iso := s.get(op, batch+"/pain001.xml")
		if !strings.Contains(iso.body, "<Id>NOTPROVIDED</Id>") {
			t.Errorf("the payer's bank without BIC is not NOTPROVIDED:\n%.2000s", iso.body)
		}
		sepatest.Validate(t, []byte(iso.body), passnum.PainISO10)
		// Which statement is whose.
		sts, _, err := env.Store.ListStatements(opCtx, passnum.StatementFilter{})
		if err != nil || len(sts) != 2 {
			t.Fatalf("statements %v %v", sts, err)
		}
		var mine, other *passnum.Statement
		for _, x := range sts {
			if x.VenueID == f.Venue.ID {
				mine = x
			} else {
				other = x
			}
		}
		a = s.post(op, fmt.Sprintf("/operateur/releves/%d/paiement", mine.ID), url.Values{"back": {batch}})
		if a.status != http.StatusSeeOther || a.header.Get("Location") != batch || !strings.Contains(a.flash(), "payé") {
			t.Fatalf("mark paid: %d %q %q", a.status, a.header.Get("Location"), a.flash())
		}
		// A rejection needs the bank's reason.
		if a := s.post(op, fmt.Sprintf("/operateur/releves/%d/rejet", other.ID), url.Values{"back": {batch}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "motif du rejet est obligatoire") {
			t.Errorf("reject without reason: %d\n%.400s", a.status, a.text())
		}
		a = s.post(op, fmt.Sprintf("/operateur/releves/%d/rejet", other.ID), url.Values{"back": {batch}, "reason": {"AC04 compte clos"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "rejeté") {
			t.Fatalf("reject: %d %q", a.status, a.flash())
		}
		if page := s.get(op, batch); !strings.Contains(page.text(), "rejeté : AC04 compte clos") || strings.Contains(page.text(), "Marquer payé") {
			t.Errorf("batch page after the bank's return:\n%s", page.text())
		}

		// The venue reads its paid statement and downloads it.
		a = s.get(venue, "/lieu/releves")
		if a.status != http.StatusOK || !strings.Contains(a.text(), "payé") || !strings.Contains(a.text(), mine.Reference) || !strings.Contains(a.text(), "30,00") {
			t.Fatalf("venue statements: %d\n%s", a.status, a.text())
		}
		if strings.Contains(a.text(), other.Reference) {
			t.Errorf("a venue sees another venue's statement")
		}
		pdf := s.get(venue, fmt.Sprintf("/lieu/releves/%d/releve.pdf", mine.ID))
		if pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") || pdf.header.Get("Content-Type") != "application/pdf" {
			t.Errorf("venue PDF: %d %q %.20q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
		}
		csv := s.get(venue, fmt.Sprintf("/lieu/releves/%d/releve.csv", mine.ID))
		if csv.status != http.StatusOK || !strings.HasPrefix(csv.body, "\ufeffreleve;lieu;periode;") || strings.Count(csv.body, "\n") != 4 || !strings.Contains(csv.body, ";10,00;") {
			t.Errorf("venue CSV: %d\n%s", csv.status, csv.body)
		}
		if a := s.get(venue, fmt.Sprintf("/lieu/releves/%d", mine.ID)); a.status != http.StatusOK || !strings.Contains(a.text(), "Premiers pas sur smartphone") {
			t.Errorf("venue statement page: %d\n%s", a.status, a.text())
		}
		if a := s.get(venue, fmt.Sprintf("/lieu/releves/%d/releve.pdf", other.ID)); a.status != http.StatusNotFound && a.status != http.StatusForbidden {
			t.Errorf("another venue's PDF: %d", a.status)
		}

		// The funder reads its charge (half of the passes paid), with a PDF;
		// a hub has no invoices.
		a = s.get(funder, "/financeur/facturation")
		if a.status != http.StatusOK || !strings.Contains(a.text(), f.Programme.Name) || !strings.Contains(a.text(), "31 mars 2027") {
			t.Fatalf("funder billing: %d\n%s", a.status, a.text())
		}
		charge := regexp.MustCompile(`/financeur/facturation/appels/\d+/appel\.pdf`).FindString(a.body)
		if charge == "" {
			t.Fatalf("no charge PDF:\n%s", a.text())
		}
		if pdf := s.get(funder, charge); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Errorf("charge PDF: %d", pdf.status)
		}
		if a := s.get(hub, "/financeur/facturation"); a.status != http.StatusForbidden {
			t.Errorf("hub billing: %d", a.status)
		}

		// The rejected passes come back with the next run.
		a = s.post(op, "/operateur/reglements", url.Values{"cut_off": {"2027-03-31"}})
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "1 relevé pour 1 pass") {
			t.Fatalf("run after a rejection: %d %q", a.status, a.flash())
		}
		again, _, err := env.Store.ListStatements(opCtx, passnum.StatementFilter{State: passnum.StatementDraft})
		if err != nil || len(again) != 1 || again[0].VenueID != f.Venue2.ID {
			t.Fatalf("drafts after a rejection: %v %v", again, err)
		}
		storetest.MustCheck(t, env, f.Operator)

		// After the validity and its tolerance, once every redeemed pass is
		// paid, the funders are credited for the expired ones.
		s.post(op, "/operateur/releves/"+fmt.Sprint(again[0].ID)+"/validation", nil)
		a = s.post(op, "/operateur/virements", url.Values{"execution_date": {"2027-04-06"}})
		if a.status != http.StatusSeeOther {
			t.Fatalf("second batch: %d\n%.400s", a.status, a.text())
		}
		if a := s.post(op, fmt.Sprintf("/operateur/releves/%d/paiement", again[0].ID), nil); a.status != http.StatusSeeOther {
			t.Fatalf("mark paid: %d\n%.400s", a.status, a.text())
		}
		prog := fmt.Sprintf("/operateur/programmes/%d/reglement", f.Programme.ID)
		if a := s.get(op, prog); a.status != http.StatusOK || !strings.Contains(a.text(), "40,00\u00a0€ remboursés aux lieux") && !strings.Contains(a.text(), "40,00 € remboursés aux lieux") || strings.Contains(a.text(), "Émettre les avoirs") {
			t.Fatalf("reconciliation before expiry: %d\n%s", a.status, a.text())
		}
		if a := s.post(op, prog[:len(prog)-len("/reglement")]+"/avoirs", nil); a.status < 400 || a.status >= 500 {
			t.Errorf("credit notes before expiry: %d", a.status)
		}
		env.Clock.Set(time.Date(2028, 2, 15, 8, 0, 0, 0, time.UTC))
		s.relogin(op, funder)
		a = s.get(op, prog)
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Constater l'expiration") {
			t.Fatalf("reconciliation after expiry: %d\n%s", a.status, a.text())
		}
		a = s.post(op, fmt.Sprintf("/operateur/programmes/%d/expiration", f.Programme.ID), nil)
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "expirés") {
			t.Fatalf("expiry: %d %q\n%.400s", a.status, a.flash(), a.text())
		}
		a = s.get(op, prog)
		if !strings.Contains(a.text(), "Émettre les avoirs") {
			t.Fatalf("reconciliation after the expiry was recorded:\n%s", a.text())
		}
		a = s.post(op, fmt.Sprintf("/operateur/programmes/%d/avoirs", f.Programme.ID), nil)
		if a.status != http.StatusSeeOther || !strings.Contains(a.flash(), "2 avoirs émis") {
			t.Fatalf("credit notes: %d %q\n%.400s", a.status, a.flash(), a.text())
		}
		a = s.get(op, prog)
		notes := regexp.MustCompile(`/operateur/avoirs/\d+/avoir\.pdf`).FindAllString(a.body, -1)
		if len(notes) != 2 || strings.Contains(a.text(), "Émettre les avoirs") {
			t.Fatalf("credit notes listed %v:\n%s", notes, a.text())
		}
		if pdf := s.get(op, notes[0]); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Errorf("credit note PDF: %d", pdf.status)
		}
		a = s.get(funder, "/financeur/facturation")
		note := regexp.MustCompile(`/financeur/facturation/avoirs/\d+/avoir\.pdf`).FindString(a.body)
		if note == "" {
			t.Fatalf("the funder does not see its credit note:\n%s", a.text())
		}
		if pdf := s.get(funder, note); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Errorf("funder's credit note PDF: %d", pdf.status)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
