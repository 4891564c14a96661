package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sepa"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

const testIBAN = "FR7630006000011234567890189"

func redeemAt(t *testing.T, env *st.Env, f *st.Fixture, venue *passnum.Organisation, service int64, serials ...int64) *passnum.Redemption {
	t.Helper()
	r, err := env.Store.Redeem(st.VenueCtx(venue), passnum.RedeemRequest{Codes: f.CodesOf(serials...), ServiceID: service,
		IdempotencyKey: fmt.Sprintf("settle-%d-%d", serials[0], len(serials))})
	if err != nil {
		t.Fatalf("redeem %v: %v", serials, err)
	}
	return r
}

func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if passnum.ErrorCode(err) != code {
		t.Fatalf("%s: want %s, got %v", what, code, err)
	}
}

func setBank(t *testing.T, env *st.Env, f *st.Fixture, venues ...*passnum.Organisation) {
	t.Helper()
	for _, v := range venues {
		if err := env.Store.UpdateBankAccount(st.As(f.Operator), v.ID, passnum.BankAccount{Holder: "Association " + v.Name, IBAN: testIBAN, BIC: "AGRIFRPP"}); err != nil {
			t.Fatalf("bank account: %v", err)
		}
	}
}

func passState(t *testing.T, env *st.Env, serial int64) string {
	t.Helper()
	v, err := sqlstore.QueryStrings(env.Store, `SELECT state FROM passes WHERE serial = ?`, serial)
	if err != nil || len(v) != 1 {
		t.Fatalf("pass %d: %v %v", serial, v, err)
	}
	return v[0]
}

func TestSettlementLifecycle(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{})
		op := st.As(f.Operator)
		check := func() { t.Helper(); st.MustCheck(t, env, f.Operator) }

		r1 := redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:3]...)
		redeemAt(t, env, f, f.Venue2, f.Service2.ID, f.Serials(1)[:2]...)
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))

		// Roles and input.
		_, err := s.RunSettlement(st.VenueCtx(f.Venue), "2027-03-31")
		wantCode(t, err, passnum.EFORBIDDEN, "venue runs settlement")
		_, err = s.RunSettlement(st.As(st.Actor(f.State, passnum.RoleAdmin)), "2027-03-31")
		wantCode(t, err, passnum.EFORBIDDEN, "funder runs settlement")
		for _, bad := range []string{"", "2027-02-30", "31/03/2027", "2027-3-31", "2027-04-03"} {
			_, err = s.RunSettlement(op, bad)
			wantCode(t, err, passnum.EINVALID, "cut-off "+bad)
		}

		run, err := s.RunSettlement(op, "2027-03-31")
		if err != nil {
			t.Fatal(err)
		}
		if run.Statements != 2 || run.Passes != 5 || run.AmountCents != 5000 {
			t.Fatalf("run %+v", run)
		}
		check()
		again, err := s.RunSettlement(op, "2027-03-31")
		if err != nil || again.Statements != 0 || again.Passes != 0 {
			t.Fatalf("re-run adds %+v %v", again, err)
		}
		check()

		list, total, err := s.ListStatements(op, passnum.StatementFilter{RunID: run.ID})
		if err != nil || total != 2 {
			t.Fatalf("statements %d %v", total, err)
		}
		var st1, st2 *passnum.Statement
		for _, x := range list {
			if x.VenueID == f.Venue.ID {
				st1 = x
			} else {
				st2 = x
			}
		}
		if st1 == nil || st2 == nil || st1.State != passnum.StatementDraft || st1.AmountCents != 3000 || !sepa.ValidCreditorReference(st1.Reference) {
			t.Fatalf("statements %+v %+v", st1, st2)
		}

		// A venue sees its own statements only; funders none.
		own, n, err := s.ListStatements(st.VenueCtx(f.Venue), passnum.StatementFilter{})
		if err != nil || n != 1 || own[0].ID != st1.ID {
			t.Fatalf("venue's statements %d %v", n, err)
		}
		_, err = s.FindStatement(st.VenueCtx(f.Venue), st2.ID)
		wantCode(t, err, passnum.ENOTFOUND, "other venue's statement")
		_, _, err = s.ListStatements(st.As(st.Actor(f.State, passnum.RoleAdmin)), passnum.StatementFilter{})
		wantCode(t, err, passnum.EFORBIDDEN, "funder lists statements")
		_, err = s.ListSettlementRuns(st.VenueCtx(f.Venue))
		wantCode(t, err, passnum.EFORBIDDEN, "venue lists runs")

		full, err := s.FindStatement(st.VenueCtx(f.Venue), st1.ID)
		if err != nil || len(full.Lines) != 3 {
			t.Fatalf("find %+v %v", full, err)
		}
		var sum int64
		for _, l := range full.Lines {
			var shares int64
			for _, sh := range l.Shares {
				shares += sh.AmountCents
			}
			if shares != l.AmountCents || l.ServiceTitle != f.Service.Title || l.RedemptionID != r1.ID {
				t.Fatalf("line %+v", l)
			}
			sum += l.AmountCents
		}
		if sum != full.AmountCents {
			t.Fatalf("lines sum to %d, statement %d", sum, full.AmountCents)
		}

		// The database itself refuses a pass on a second live statement.
		err = sqlstore.ExecRaw(s, `INSERT INTO statement_lines (statement_id, serial, redemption_id, programme_id, redeemed_at, service_id, amount_cents, charged)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, st2.ID, f.Serials(0)[0], r1.ID, f.Programme.ID, passnum.FormatTime(env.Clock.Now()), f.Service.ID, 1000)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "unique") {
			t.Fatalf("second live line accepted: %v", err)
		}

		// A new redemption, settled the same day: it can no longer be voided.
		r3 := redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(2)[0])
		if again, _ := s.RunSettlement(op, "2027-03-31"); again.Passes != 0 {
			t.Fatalf("a pass redeemed after the cut-off was settled: %+v", again)
		}
		later, err := s.RunSettlement(op, "2027-04-02")
		if err != nil || later.Statements != 1 || later.Passes != 1 {
			t.Fatalf("later run %+v %v", later, err)
		}
		_, err = s.VoidRedemption(st.VenueCtx(f.Venue), r3.ID)
		wantCode(t, err, passnum.EREFUSED, "void after settlement")
		check()

		// draft → validated → in a batch → paid; the other rejected.
		_, err = s.MarkPaid(op, st1.ID)
		wantCode(t, err, passnum.ECONFLICT, "paid before validation")
		for _, x := range []*passnum.Statement{st1, st2} {
			v, err := s.ValidateStatement(op, x.ID)
			if err != nil || v.State != passnum.StatementValidated || v.ValidatedAt == nil {
				t.Fatalf("validate %+v %v", v, err)
			}
		}
		_, err = s.ValidateStatement(op, st1.ID)
		wantCode(t, err, passnum.ECONFLICT, "validate twice")
		_, err = s.MarkPaid(op, st1.ID)
		wantCode(t, err, passnum.ECONFLICT, "paid outside a batch")
		_, err = s.CreatePaymentBatch(op, "2027-04-05")
		wantCode(t, err, passnum.EREFUSED, "batch without payer account")
		_, err = s.PayerAccount(op)
		wantCode(t, err, passnum.ENOTFOUND, "payer before set")
		err = s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: "FR76 3000 6000 0112 3456 7890 188", BIC: "AGRIFRPP"})
		wantCode(t, err, passnum.EINVALID, "bad payer IBAN")
		if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: "fr76 3000 6000 0112 3456 7890 189", BIC: "agrifrpp"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreatePaymentBatch(op, "2027-04-05")
		wantCode(t, err, passnum.EREFUSED, "batch without venue bank accounts")
		if !strings.Contains(passnum.ErrorMessage(err), f.Venue.Name) {
			t.Errorf("the refusal does not name the venues: %v", err)
		}
		setBank(t, env, f, f.Venue)
		batch, err := s.CreatePaymentBatch(op, "2027-04-05")
		if err != nil || batch.Statements != 1 || batch.ControlSumCents != 3000 || len(batch.Skipped) != 1 || batch.Skipped[0] != f.Venue2.Name {
			t.Fatalf("batch %+v %v", batch, err)
		}
		setBank(t, env, f, f.Venue2)
		batch2, err := s.CreatePaymentBatch(op, "2027-04-05")
		if err != nil || batch2.Statements != 1 || batch2.MessageID == batch.MessageID {
			t.Fatalf("batch2 %+v %v", batch2, err)
		}
		check()
		payer, transfers, err := s.PaymentBatchTransfers(op, batch.ID)
		if err != nil || payer.IBAN != testIBAN || payer.Format != passnum.PainEPC09 || len(transfers) != 1 || transfers[0].EndToEndID != st1.Reference || transfers[0].IBAN != testIBAN ||
			transfers[0].AmountCents != 3000 || transfers[0].Period != "2027-03-31" {
			t.Fatalf("transfers %+v %+v %v", payer, transfers, err)
		}
		// setBank's holder is an association named after the venue: the
		// venue is the ultimate creditor.
		if tr := transfers[0]; tr.Creditor != "Association "+f.Venue.Name || tr.UltimateCreditor != f.Venue.Name {
			t.Errorf("creditor %q, ultimate creditor %q, want the association and %q", tr.Creditor, tr.UltimateCreditor, f.Venue.Name)
		}
		_, _, err = s.PaymentBatchTransfers(st.VenueCtx(f.Venue), batch.ID)
		wantCode(t, err, passnum.EFORBIDDEN, "venue reads transfers")

		paid, err := s.MarkPaid(op, st1.ID)
		if err != nil || paid.State != passnum.StatementPaid || paid.PaidAt == nil || paid.BatchID != batch.ID {
			t.Fatalf("paid %+v %v", paid, err)
		}
		if got := passState(t, env, f.Serials(0)[0]); got != "settled" {
			t.Fatalf("paid pass is %s", got)
		}
		check()
		_, err = s.RejectStatement(op, st2.ID, "  ")
		wantCode(t, err, passnum.EINVALID, "reject without reason")
		rej, err := s.RejectStatement(op, st2.ID, "AC04 compte clos")
		if err != nil || rej.State != passnum.StatementRejected || rej.RejectedReason != "AC04 compte clos" {
			t.Fatalf("rejected %+v %v", rej, err)
		}
		_, err = s.RejectStatement(op, st1.ID, "trop tard")
		wantCode(t, err, passnum.ECONFLICT, "reject a paid statement")
		check()

		// The rejected passes go to the next run, and only them; funders
		// are not charged for them twice.
		next, err := s.RunSettlement(op, "2027-04-02")
		if err != nil || next.Statements != 1 || next.Passes != 2 || next.AmountCents != 2000 {
			t.Fatalf("next run %+v %v", next, err)
		}
		check()
		charges, err := s.ListFunderCharges(op, 0, f.Programme.ID)
		if err != nil {
			t.Fatal(err)
		}
		var charged int64
		for _, c := range charges {
			charged += c.PassesCents
			if c.RunID == next.ID {
				t.Errorf("rejected passes charged again: %+v", c)
			}
		}
		if charged != 6000 {
			t.Errorf("funders charged %d cents for 6 passes", charged)
		}
		own2, err := s.ListFunderCharges(st.As(st.Actor(f.State, passnum.RoleAgent)), f.Dept.ID, 0)
		if err != nil || len(own2) == 0 {
			t.Fatalf("funder's charges %v", err)
		}
		for _, c := range own2 {
			if c.FunderID != f.State.ID {
				t.Fatalf("a funder sees another's charge: %+v", c)
			}
		}
		_, err = s.ListFunderCharges(st.VenueCtx(f.Venue), 0, 0)
		wantCode(t, err, passnum.EFORBIDDEN, "venue reads charges")
	})
}

// TestSettlementChargesExact: three funders with awkward shares, an odd
// face value and the 4 % fee: every total is the sum of its parts.
func TestSettlementChargesExact(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{Shares: []int{3333, 3333, 3334}, FaceValueCents: 777})
		op := st.As(f.Operator)
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)...)
		redeemAt(t, env, f, f.Venue2, f.Service2.ID, f.Serials(1)[:2]...)
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
		run, err := s.RunSettlement(op, "2027-03-31")
		if err != nil || run.Passes != 7 || run.AmountCents != 7*777 {
			t.Fatalf("run %+v %v", run, err)
		}
		st.MustCheck(t, env, f.Operator)
		charges, err := s.ListFunderCharges(op, 0, 0)
		if err != nil || len(charges) != 3 {
			t.Fatalf("charges %d %v", len(charges), err)
		}
		var passes, fee int64
		for _, c := range charges {
			if c.TotalCents != c.PassesCents+c.FeeCents || c.FeeBP != 400 || c.Period != "2027-03-31" {
				t.Errorf("charge %+v", c)
			}
			passes += c.PassesCents
			fee += c.FeeCents
		}
		// 7 × 777 = 5 439; 4 % = 217.56 → 218.
		if passes != 5439 || fee != 218 || passnum.FeeCents(5439, 400) != 218 || passnum.FeeCents(12345, 400) != 494 || passnum.FeeCents(1250, 400) != 50 {
			t.Fatalf("charged %d + %d", passes, fee)
		}
		list, _, _ := s.ListStatements(op, passnum.StatementFilter{})
		for _, x := range list {
			full, err := s.FindStatement(op, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, l := range full.Lines {
				var parts int64
				for _, sh := range l.Shares {
					parts += sh.AmountCents
				}
				if parts != l.AmountCents || len(l.Shares) != 3 {
					t.Fatalf("line %+v", l)
				}
				sum += l.AmountCents
			}
			if sum != full.AmountCents {
				t.Fatalf("statement %d: lines %d, total %d", x.ID, sum, full.AmountCents)
			}
		}
		// Paying splits the cash out of each funder's bank the same way.
		setBank(t, env, f, f.Venue, f.Venue2)
		if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP"}); err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if _, err := s.ValidateStatement(op, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreatePaymentBatch(op, "2027-04-02"); err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if _, err := s.MarkPaid(op, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestCreditNotes: after validity and tolerance, once expiry has run, each
// funder is credited its share of the unused passes, once.
func TestCreditNotes(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{Shares: []int{3333, 3333, 3334}})
		op := st.As(f.Operator)
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:2]...)
		if _, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: f.Batch.FirstCarnet + 12, Reason: "perdu"}); err != nil {
			t.Fatalf("block: %v", err)
		}
		_, err := s.IssueCreditNotes(op, f.Programme.ID)
		wantCode(t, err, passnum.EREFUSED, "credit notes before expiry")
		rec, err := s.Reconcile(st.As(st.Actor(f.Region, passnum.RoleAgent)), f.Programme.ID)
		if err != nil || rec.ReadyToCredit || rec.PayableCents != 2000 {
			t.Fatalf("reconciliation %+v %v", rec, err)
		}
		_, err = s.Reconcile(st.VenueCtx(f.Venue), f.Programme.ID)
		wantCode(t, err, passnum.EFORBIDDEN, "venue reconciles")

		// Within the tolerance: still too early.
		env.Clock.Set(time.Date(2028, 1, 15, 12, 0, 0, 0, time.UTC))
		_, err = s.IssueCreditNotes(op, f.Programme.ID)
		wantCode(t, err, passnum.EREFUSED, "credit notes within tolerance")
		env.Clock.Set(time.Date(2028, 2, 2, 12, 0, 0, 0, time.UTC))
		_, err = s.IssueCreditNotes(op, f.Programme.ID)
		wantCode(t, err, passnum.EREFUSED, "credit notes before expiry ran")
		_, err = s.IssueCreditNotes(st.As(st.Actor(f.State, passnum.RoleAdmin)), f.Programme.ID)
		wantCode(t, err, passnum.EFORBIDDEN, "funder issues credit notes")
		exp, err := s.Expire(op)
		if err != nil {
			t.Fatal(err)
		}
		st.MustCheck(t, env, f.Operator)
		notes, err := s.IssueCreditNotes(op, f.Programme.ID)
		if err != nil || len(notes) != 3 {
			t.Fatalf("notes %+v %v", notes, err)
		}
		var sum int64
		for _, n := range notes {
			sum += n.AmountCents
			if int64(n.Passes) != exp.Passes || !sepa.ValidCreditorReference(n.Reference) {
				t.Errorf("note %+v (expired %d)", n, exp.Passes)
			}
		}
		if sum != exp.Passes*f.Programme.FaceValueCents || exp.Passes != int64(f.Batch.Passes-2) {
			t.Fatalf("credited %d for %d passes", sum, exp.Passes)
		}
		st.MustCheck(t, env, f.Operator)
		_, err = s.IssueCreditNotes(op, f.Programme.ID)
		wantCode(t, err, passnum.ECONFLICT, "credit notes twice")
		mine, err := s.ListCreditNotes(st.As(st.Actor(f.Dept, passnum.RoleAgent)), 0, 0)
		if err != nil || len(mine) != 1 || mine[0].FunderID != f.Dept.ID {
			t.Fatalf("funder's notes %+v %v", mine, err)
		}
		rec, err = s.Reconcile(op, f.Programme.ID)
		if err != nil || !rec.Credited || rec.ReadyToCredit || rec.CreditedCents != sum {
			t.Fatalf("reconciliation after %+v %v", rec, err)
		}
		// The database refuses a second note for a funder.
		err = sqlstore.ExecRaw(s, `INSERT INTO credit_notes (programme_id, funder_id, passes, amount_cents, reference, created_at) VALUES (?, ?, 1, 1, 'X', 'x')`,
			f.Programme.ID, f.Dept.ID)
		if err == nil {
			t.Fatal("a second credit note was accepted")
		}
		// Redeemed passes are still settled after expiry.
		if run, err := s.RunSettlement(op, "2028-01-31"); err != nil || run.Passes != 2 {
			t.Fatalf("run after expiry %+v %v", run, err)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func TestDefaultCutOff(t *testing.T) {
	for now, want := range map[time.Time]string{
		time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC):    "2027-03-31",
		time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC):   "2026-12-31",
		time.Date(2027, 2, 28, 23, 30, 0, 0, time.UTC): "2027-02-28", // already 1 March in Paris
		time.Date(2028, 3, 10, 9, 0, 0, 0, time.UTC):   "2028-02-29",
	} {
		if got := passnum.DefaultCutOff(now); got != want {
			t.Errorf("DefaultCutOff(%s) = %s, want %s", now, got, want)
		}
	}
	end, err := passnum.CutOffEnd("2027-03-31")
	if err != nil || !end.Equal(time.Date(2027, 3, 31, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("CutOffEnd = %s %v", end, err)
	}
}

// TestPayerAccountFormat records the operator's account with each message
// version of its payment files, and without a BIC, which SEPA does not
// require; an unknown version changes nothing.
func TestPayerAccountFormat(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		op := st.As(st.NewFixture(t, env, st.Options{}).Operator)
		tests := []struct {
			name    string
			account passnum.PayerAccount
			want    passnum.PainFormat // "" when refused
			wantBIC string
		}{
			{"first account, no format: the EPC's", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP"}, passnum.PainEPC09, "AGRIFRPP"},
			{"ISO's version", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP", Format: passnum.PainISO10}, passnum.PainISO10, "AGRIFRPP"},
			{"no format keeps it", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN}, passnum.PainISO10, ""},
			{"unknown version", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP", Format: "pain.001.001.03"}, "", ""},
			{"bad BIC", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRI"}, "", ""},
			{"back to the EPC's", passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "cmbr fr2b ark", Format: passnum.PainEPC09}, passnum.PainEPC09, "CMBRFR2BARK"},
		}
		var last *passnum.PayerAccount
		for _, tt := range tests {
			err := s.SetPayerAccount(op, tt.account)
			got, rerr := s.PayerAccount(op)
			if rerr != nil {
				t.Fatalf("%s: read back: %v", tt.name, rerr)
			}
			if tt.want == "" {
				wantCode(t, err, passnum.EINVALID, tt.name)
				if *got != *last {
					t.Errorf("%s: refused, yet the account is now %+v (was %+v)", tt.name, got, last)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got.Format != tt.want || got.BIC != tt.wantBIC {
				t.Errorf("%s: format %q, BIC %q, want %q, %q", tt.name, got.Format, got.BIC, tt.want, tt.wantBIC)
			}
			last = got
		}
	})
}
