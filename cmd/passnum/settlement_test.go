package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa/sepatest"
	"github.com/passnum/passnum/internal/sqlstore"
	"github.com/passnum/passnum/internal/storetest"
)

// redeemedFixture fills the harness's database with the store's fixture
// and passes redeemed at two venues in March 2027 (what the command line
// cannot do: venues redeem through the web and the API), then moves the
// clock to the start of April.
func redeemedFixture(t *testing.T, h *harness) *storetest.Fixture {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	s, err := sqlstore.Open(context.Background(), h.db, sqlstore.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := storetest.NewFixture(t, &storetest.Env{Name: "cli", Store: s, Clock: clock}, storetest.Options{})
	redeem := func(venue *passnum.Organisation, service int64, serials []int64) {
		t.Helper()
		if _, err := s.Redeem(storetest.VenueCtx(venue), passnum.RedeemRequest{Codes: f.CodesOf(serials...), ServiceID: service,
			IdempotencyKey: fmt.Sprintf("cli-%d", serials[0])}); err != nil {
			t.Fatalf("redeem: %v", err)
		}
	}
	redeem(f.Venue, f.Service.ID, f.Serials(0)[:3])
	redeem(f.Venue2, f.Service2.ID, f.Serials(1)[:2])
	for _, v := range []*passnum.Organisation{f.Venue, f.Venue2} {
		if err := s.UpdateBankAccount(storetest.As(f.Operator), v.ID, passnum.BankAccount{Holder: v.Name, IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}); err != nil {
			t.Fatalf("bank account: %v", err)
		}
	}
	h.now = time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC)
	return f
}

// statementOf finds the number of a venue's statement in the output of
// settle statements.
func statementOf(t *testing.T, out, venue string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*(\d+)\s+\d+\s+` + regexp.QuoteMeta(venue)).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no statement of %s in %q", venue, out)
	}
	return m[1]
}

// TestSettleStory runs a month's settlement from the command line: run
// (the cut-off defaulting to the end of last month), validation, the payer
// account, the batch and its pain.001 file, one transfer paid, one
// rejected, the funders' charges.
func TestSettleStory(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		f := redeemedFixture(t, h)

		out := h.ok("settle", "run")
		if !strings.Contains(out, "au 31 mars 2027 : 2 relevés, 5 pass, 50,00") {
			t.Fatalf("settle run: %q", out)
		}
		run := id(t, out)
		if out := h.ok("settle", "list"); !strings.Contains(out, "2027-03-31") || !strings.Contains(out, "cli:") {
			t.Errorf("settle list: %q", out)
		}
		out = h.ok("settle", "statements", "--run", run)
		if !strings.Contains(out, "2 relevés, 5 pass") || !strings.Contains(out, "brouillon") {
			t.Errorf("settle statements: %q", out)
		}
		st1, st2 := statementOf(t, out, f.Venue.Name), statementOf(t, out, f.Venue2.Name)

		h.fail(1, []string{"settle", "payer", "--name", "Coopérative passnum", "--iban", "FR7630006000011234567890180", "--bic", "AGRIFRPP"}, "--iban")
		h.fail(1, []string{"settle", "payer"}, "settle payer --name")
		if out := h.ok("settle", "payer", "--name", "Coopérative passnum", "--iban", "FR76 3000 6000 0112 3456 7890 189", "--bic", "AGRIFRPP"); !strings.Contains(out, "enregistré") {
			t.Errorf("settle payer: %q", out)
		}
		if out := h.ok("settle", "payer"); !strings.Contains(out, "Coopérative passnum") || !strings.Contains(out, "en pain.001.001.09") {
			t.Errorf("settle payer (show): %q", out)
		}
		h.fail(1, []string{"settle", "payer", "--format", "pain.001.001.03"}, "--format")

		out, errs, code := h.run("settle", "validate", "--run", run)
		if code != 0 || !strings.Contains(out, "2 relevés du règlement n°"+run+" validés : 5 pass") {
			t.Fatalf("settle validate: %d %q %q", code, out, errs)
		}
		if !strings.Contains(errs, "100 %") {
			t.Errorf("settle validate printed no progress: %q", errs)
		}
		if out := h.ok("settle", "validate", "--run", run); !strings.Contains(out, "Aucun relevé en brouillon") {
			t.Errorf("settle validate again: %q", out)
		}

		xmlPath := filepath.Join(t.TempDir(), "virements.xml")
		out = h.ok("settle", "batch", "--execution-date", "2027-04-05", "--out", xmlPath)
		if !strings.Contains(out, "2 virements, 50,00") || !strings.Contains(out, "5 avril 2027") {
			t.Errorf("settle batch: %q", out)
		}
		batch := id(t, out)
		raw, err := os.ReadFile(xmlPath)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			NbOfTxs string `xml:"CstmrCdtTrfInitn>GrpHdr>NbOfTxs"`
			CtrlSum string `xml:"CstmrCdtTrfInitn>GrpHdr>CtrlSum"`
		}
		if err := xml.Unmarshal(raw, &doc); err != nil || doc.NbOfTxs != "2" || doc.CtrlSum != "50.00" {
			t.Fatalf("pain.001 %+v %v\n%s", doc, err, raw)
		}
		if !strings.Contains(out, "Fichier pain.001.001.09 écrit") {
			t.Errorf("settle batch: %q", out)
		}
		sepatest.Validate(t, raw, passnum.PainEPC09)
		again := filepath.Join(t.TempDir(), "copie.xml")
		h.ok("settle", "batch", "--id", batch, "--out", again)
		if raw2, _ := os.ReadFile(again); string(raw2) != string(raw) {
			t.Error("the file written again differs")
		}
		// The bank asks for ISO's version: the same batch in it.
		if out := h.ok("settle", "payer", "--format", "pain.001.001.10"); !strings.Contains(out, "Coopérative passnum, FR7630006000011234567890189, AGRIFRPP ; fichiers de virements en pain.001.001.10") {
			t.Errorf("settle payer --format: %q", out)
		}
		iso := filepath.Join(t.TempDir(), "iso.xml")
		h.ok("settle", "batch", "--id", batch, "--out", iso)
		raw10, err := os.ReadFile(iso)
		if err != nil {
			t.Fatal(err)
		}
		sepatest.Validate(t, raw10, passnum.PainISO10)
		if strings.Replace(string(raw10), "pain.001.001.10", "pain.001.001.09", 1) != string(raw) {
			t.Error("the batch in pain.001.001.10 differs from its pain.001.001.09 file by more than the namespace")
		}
		if out := h.ok("settle", "batches"); !strings.Contains(out, "2027-04-05") {
			t.Errorf("settle batches: %q", out)
		}

		if out := h.ok("settle", "paid", "--statement", st1); !strings.Contains(out, "payé") {
			t.Errorf("settle paid: %q", out)
		}
		if out := h.ok("settle", "reject", "--statement", st2, "--reason", "AC04 compte clos"); !strings.Contains(out, "AC04 compte clos") {
			t.Errorf("settle reject: %q", out)
		}
		if out := h.ok("settle", "statements", "--state", "rejected"); !strings.Contains(out, "rejet : AC04 compte clos") {
			t.Errorf("settle statements --state rejected: %q", out)
		}
		if out := h.ok("settle", "run", "--cut-off", "2027-03-31"); !strings.Contains(out, "1 relevé, 2 pass") {
			t.Errorf("the rejected passes are not in the next run: %q", out)
		}
		if out := h.ok("settle", "charges", "--programme", fmt.Sprint(f.Programme.ID)); !strings.Contains(out, f.State.Name) || !strings.Contains(out, f.Dept.Name) {
			t.Errorf("settle charges: %q", out)
		}
		if out := h.ok("credit-notes", "list"); !strings.Contains(out, "Aucun avoir") {
			t.Errorf("credit-notes list: %q", out)
		}
		// The programme runs until the end of 2027: nothing to credit yet.
		h.fail(1, []string{"credit-notes", "issue", "--programme", fmt.Sprint(f.Programme.ID)})
	})
}

// TestSettleBadInput: wrong command lines are one French line and exit 2,
// refusals of the service exit 1, and nothing is run.
func TestSettleBadInput(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	h.fail(2, []string{"settle", "run", "--cut-off", "31/03/2027"}, "--cut-off", "AAAA-MM-JJ")
	h.fail(2, []string{"settle", "validate"}, "--run", "--statement")
	h.fail(2, []string{"settle", "validate", "--run", "1", "--statement", "2"}, "--run", "--statement")
	h.fail(2, []string{"settle", "reject", "--statement", "1"}, "--reason")
	h.fail(2, []string{"settle", "batch", "--execution-date", "2027-04-05"}, "--out")
	h.fail(2, []string{"settle", "batch", "--execution-date", "5 avril", "--out", "x.xml"}, "--execution-date")
	h.fail(2, []string{"settle", "payer", "--name", "Coopérative"}, "--iban")
	h.fail(2, []string{"settle", "statements", "--state", "perdu"}, "--state")
	h.fail(2, []string{"settle", "frobnicate"}, "sous-commande inconnue")
	h.fail(1, []string{"settle", "paid", "--statement", "42"})
	h.fail(1, []string{"settle", "batch", "--execution-date", "2027-04-05", "--out", filepath.Join(t.TempDir(), "x.xml")})
	if out := h.ok("settle", "list"); !strings.Contains(out, "Aucun règlement") {
		t.Errorf("settle list: %q", out)
	}
	if out := h.ok("settle", "run", "--help"); !strings.Contains(out, "dernier jour du mois précédent") {
		t.Errorf("settle run --help: %q", out)
	}
}
