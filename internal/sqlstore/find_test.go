package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
)

// The Find methods read one record with the rights of the List beside
// them: what the list would not show an actor is not found, and an actor
// whose role may not list is refused alike.

// findCase is one actor asking for one record, and the error code it must
// get ("" when it reads the record).
type findCase struct {
	name string
	ctx  context.Context
	id   int64
	code string
}

// runFind asks find for each case; check tells whether got is the record
// of number id as written in the test.
func runFind[T any](t *testing.T, cases []findCase, find func(context.Context, int64) (T, error), check func(id int64, got T) bool) {
	t.Helper()
	for _, c := range cases {
		got, err := find(c.ctx, c.id)
		if c.code == "" {
			if err != nil || !check(c.id, got) {
				t.Errorf("%s: got %+v, %v", c.name, got, err)
			}
			continue
		}
		if passnum.ErrorCode(err) != c.code {
			t.Errorf("%s: want %s, got %+v, %v", c.name, c.code, got, err)
		}
	}
}

// settledInBatch redeems three passes at Venue and two at Venue2 in March
// 2027, settles them at the end of March, validates both statements and
// pays them in one batch.
func settledInBatch(t *testing.T, env *st.Env, f *st.Fixture) *passnum.PaymentBatch {
	t.Helper()
	s, op := env.Store, st.As(f.Operator)
	redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:3]...)
	redeemAt(t, env, f, f.Venue2, f.Service2.ID, f.Serials(1)[:2]...)
	env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
	run, err := s.RunSettlement(op, "2027-03-31")
	if err != nil {
		t.Fatal(err)
	}
	sts, _, err := s.ListStatements(op, passnum.StatementFilter{RunID: run.ID})
	if err != nil || len(sts) != 2 {
		t.Fatalf("statements %+v %v", sts, err)
	}
	for _, x := range sts {
		if _, err := s.ValidateStatement(op, x.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP"}); err != nil {
		t.Fatal(err)
	}
	setBank(t, env, f, f.Venue, f.Venue2)
	b, err := s.CreatePaymentBatch(op, "2027-04-05")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFindPaymentBatch(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		b := settledInBatch(t, env, f)
		runFind(t, []findCase{
			{"operator admin", st.As(f.Operator), b.ID, ""},
			{"operator agent", st.As(&passnum.Actor{OrgID: f.Operator.OrgID, OrgKind: passnum.KindOperator, Role: passnum.RoleAgent, Label: "test"}), b.ID, ""},
			{"venue paid by it", st.VenueCtx(f.Venue), b.ID, passnum.EFORBIDDEN},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), b.ID, passnum.EFORBIDDEN},
			{"no actor", context.Background(), b.ID, passnum.EUNAUTHORIZED},
			{"missing", st.As(f.Operator), b.ID + 1, passnum.ENOTFOUND},
		}, env.Store.FindPaymentBatch, func(id int64, got *passnum.PaymentBatch) bool {
			return got.ID == id && got.Statements == 2 && got.ControlSumCents == 5000 && got.ExecutionDate == "2027-04-05" &&
				got.MessageID == b.MessageID && got.CreatedAt.Equal(b.CreatedAt)
		})
	})
}

func TestStatementsOfBatch(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		b := settledInBatch(t, env, f)
		sts, n, err := env.Store.ListStatements(st.As(f.Operator), passnum.StatementFilter{BatchID: b.ID})
		if err != nil || n != 2 || len(sts) != 2 || sts[0].BatchID != b.ID || sts[1].BatchID != b.ID || sts[0].AmountCents+sts[1].AmountCents != 5000 {
			t.Fatalf("statements of batch %d: %d %+v %v", b.ID, n, sts, err)
		}
		if _, n, err := env.Store.ListStatements(st.As(f.Operator), passnum.StatementFilter{BatchID: b.ID + 1}); err != nil || n != 0 {
			t.Fatalf("statements of no batch: %d %v", n, err)
		}
		own, n, err := env.Store.ListStatements(st.VenueCtx(f.Venue2), passnum.StatementFilter{BatchID: b.ID})
		if err != nil || n != 1 || own[0].VenueID != f.Venue2.ID || own[0].AmountCents != 2000 {
			t.Fatalf("a venue's statements of the batch: %d %+v %v", n, own, err)
		}
	})
}

func TestFindFunderCharge(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		settledInBatch(t, env, f)
		charges, err := env.Store.ListFunderCharges(st.As(f.Operator), f.State.ID, 0)
		if err != nil || len(charges) != 1 {
			t.Fatalf("the State's charges: %+v %v", charges, err)
		}
		c := charges[0]
		runFind(t, []findCase{
			{"operator", st.As(f.Operator), c.ID, ""},
			{"the funder charged", st.As(st.Actor(f.State, passnum.RoleAgent)), c.ID, ""},
			{"another funder", st.As(st.Actor(f.Dept, passnum.RoleAdmin)), c.ID, passnum.ENOTFOUND},
			{"venue", st.VenueCtx(f.Venue), c.ID, passnum.EFORBIDDEN},
			{"prescriber", st.As(st.Actor(f.Prescriber, passnum.RoleAdmin)), c.ID, passnum.EFORBIDDEN},
			{"missing", st.As(f.Operator), 1 << 40, passnum.ENOTFOUND},
		}, env.Store.FindFunderCharge, func(id int64, got *passnum.FunderCharge) bool {
			// Five passes of 10 € at 50 %, and the 4 % fee on them.
			return got.ID == id && got.FunderID == f.State.ID && got.FunderName == f.State.Name && got.ProgrammeID == f.Programme.ID &&
				got.Period == "2027-03-31" && got.PassesCents == 2500 && got.FeeCents == 100 && got.TotalCents == 2600
		})
	})
}

func TestFindCreditNote(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{})
		op := st.As(f.Operator)
		redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:2]...)
		env.Clock.Set(time.Date(2028, 2, 2, 12, 0, 0, 0, time.UTC))
		if _, err := s.Expire(op); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IssueCreditNotes(op, f.Programme.ID); err != nil {
			t.Fatal(err)
		}
		notes, err := s.ListCreditNotes(op, f.Dept.ID, 0)
		if err != nil || len(notes) != 1 {
			t.Fatalf("the département's notes: %+v %v", notes, err)
		}
		n := notes[0]
		runFind(t, []findCase{
			{"operator", op, n.ID, ""},
			{"the funder credited", st.As(st.Actor(f.Dept, passnum.RoleAgent)), n.ID, ""},
			{"another funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), n.ID, passnum.ENOTFOUND},
			{"hub", st.As(&passnum.Actor{OrgID: 999, OrgKind: passnum.KindHub, Role: passnum.RoleAdmin, Label: "test"}), n.ID, passnum.EFORBIDDEN},
			{"missing", op, 1 << 40, passnum.ENOTFOUND},
		}, s.FindCreditNote, func(id int64, got *passnum.CreditNote) bool {
			// 100 passes issued, 2 used: 98 expired, half of 980 €.
			return got.ID == id && got.FunderID == f.Dept.ID && got.FunderName == f.Dept.Name && got.ProgrammeID == f.Programme.ID &&
				got.Passes == 98 && got.AmountCents == 49000 && got.Reference == n.Reference
		})
	})
}

func TestFindRedemption(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		r := redeemAt(t, env, f, f.Venue, f.Service.ID, f.Serials(0)[:2]...)
		serials := f.Serials(0)[:2]
		runFind(t, []findCase{
			{"the venue", st.VenueCtx(f.Venue), r.ID, ""},
			{"operator", st.As(f.Operator), r.ID, ""},
			{"another venue", st.VenueCtx(f.Venue2), r.ID, passnum.ENOTFOUND},
			{"funder", st.As(st.Actor(f.State, passnum.RoleAdmin)), r.ID, passnum.EFORBIDDEN},
			{"missing", st.VenueCtx(f.Venue), r.ID + 1, passnum.ENOTFOUND},
		}, env.Store.FindRedemption, func(id int64, got *passnum.Redemption) bool {
			return got.ID == id && got.VenueID == f.Venue.ID && got.ServiceID == f.Service.ID && got.ServiceTitle == "Premiers pas sur smartphone" &&
				got.AmountCents == 2000 && len(got.Serials) == 2 && got.Serials[0] == serials[0] && got.Serials[1] == serials[1] && got.VoidedAt == nil
		})
	})
}

func TestFindCatalogueService(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		s := env.Store
		f := st.NewFixture(t, env, st.Options{})
		op := st.As(f.Operator)
		withdrawn, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Atelier d'hiver",
			Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetCatalogueServiceActive(op, withdrawn.ID, false); err != nil {
			t.Fatal(err)
		}
		pending, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindVenue, Name: "Tiers-lieu en attente",
			SIRET: "44306184100047", CommuneINSEE: "35238"})
		if err != nil {
			t.Fatal(err)
		}
		offered, err := s.CreateCatalogueService(op, passnum.CatalogueServiceCreate{VenueID: pending.ID, Title: "Premiers courriels",
			Category: "Maîtrise des outils numériques du quotidien", DurationMinutes: 90, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		funder := st.As(st.Actor(f.State, passnum.RoleAgent))
		titles := map[int64]string{f.Service.ID: "Premiers pas sur smartphone", withdrawn.ID: "Atelier d'hiver", offered.ID: "Premiers courriels"}
		runFind(t, []findCase{
			{"the venue, active", st.VenueCtx(f.Venue), f.Service.ID, ""},
			{"the venue, withdrawn", st.VenueCtx(f.Venue), withdrawn.ID, ""},
			{"operator, withdrawn", op, withdrawn.ID, ""},
			{"another venue, active in the directory", st.VenueCtx(f.Venue2), f.Service.ID, ""},
			{"a funder, active in the directory", funder, f.Service.ID, ""},
			{"a funder, withdrawn", funder, withdrawn.ID, passnum.ENOTFOUND},
			{"a funder, a venue not yet qualified", funder, offered.ID, passnum.ENOTFOUND},
			{"the pending venue itself", st.VenueCtx(pending), offered.ID, ""},
			{"no actor", context.Background(), f.Service.ID, passnum.EUNAUTHORIZED},
			{"missing", op, offered.ID + 1, passnum.ENOTFOUND},
		}, s.FindCatalogueService, func(id int64, got *passnum.CatalogueService) bool {
			return got.ID == id && got.Title == titles[id] && got.Active == (id != withdrawn.ID)
		})
	})
}
