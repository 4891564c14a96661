package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
	"pgregory.net/rapid"
)

// TestRandomSettlement mixes random redemptions, voids, settlement runs,
// validations, payment batches, payments, rejections, expiry and credit
// notes, by entitled and unentitled actors, as time passes; after every
// step every invariant holds and a failed operation changed nothing.
func TestRandomSettlement(t *testing.T) {
	eachRapid(t, 20, 6, func(rt *rapid.T, t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 8, Activated: 8, Allocated: 6, Distributed: 5, CarnetSize: 3,
			Shares: []int{3333, 3333, 3334}, FaceValueCents: 999})
		runRandomSettlement(rt, t, env, f)
	})
}

func runRandomSettlement(rt *rapid.T, t *testing.T, env *st.Env, f *st.Fixture) {
	s := env.Store
	op := st.As(f.Operator)
	setBank(t, env, f, f.Venue)
	if err := s.SetPayerAccount(op, passnum.PayerAccount{Name: "APTIC", IBAN: testIBAN, BIC: "AGRIFRPP"}); err != nil {
		t.Fatal(err)
	}
	venues := map[int64]int64{f.Venue.ID: f.Service.ID, f.Venue2.ID: f.Service2.ID}
	var serials []int64
	for c := 0; c < 5; c++ {
		serials = append(serials, f.Serials(c)...)
	}
	actor := func(rt *rapid.T) *passnum.Actor {
		switch rapid.IntRange(0, 5).Draw(rt, "who") {
		case 0:
			return st.Actor(f.Venue, passnum.RoleAdmin)
		case 1:
			return st.Actor(f.State, passnum.RoleAdmin)
		}
		return f.Operator
	}
	var redemptions, statements []int64
	key := 0
	step := func(name string, fn func() error) {
		before := snapshot(t, env, f)
		err := fn()
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			rt.Fatalf("%s: internal error: %v", name, err)
		}
		if err != nil {
			if after := snapshot(t, env, f); after != before {
				rt.Fatalf("%s failed (%v) but changed the data", name, err)
			}
		}
		rep, cerr := s.CheckInvariants(op)
		if cerr != nil {
			rt.Fatalf("check: %v", cerr)
		}
		if !rep.OK() {
			rt.Fatalf("after %s (err=%v): invariants broken:\n%s", name, err, strings.Join(rep.Problems, "\n"))
		}
	}
	pick := func(rt *rapid.T, list []int64, label string) int64 {
		if len(list) == 0 {
			return 999999
		}
		return rapid.SampledFrom(list).Draw(rt, label)
	}
	rt.Repeat(map[string]func(*rapid.T){
		"redeem": func(rt *rapid.T) {
			v := rapid.SampledFrom([]*passnum.Organisation{f.Venue, f.Venue2}).Draw(rt, "venue")
			serial := rapid.SampledFrom(serials).Draw(rt, "serial")
			key++
			step("redeem", func() error {
				r, err := s.Redeem(st.VenueCtx(v), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: venues[v.ID], IdempotencyKey: fmt.Sprint("k", key)})
				if err == nil {
					redemptions = append(redemptions, r.ID)
				}
				return err
			})
		},
		"void": func(rt *rapid.T) {
			id := pick(rt, redemptions, "redemption")
			v := rapid.SampledFrom([]*passnum.Organisation{f.Venue, f.Venue2}).Draw(rt, "venue")
			step("void", func() error { _, err := s.VoidRedemption(st.VenueCtx(v), id); return err })
		},
		"time": func(rt *rapid.T) {
			hours := rapid.IntRange(1, 24*90).Draw(rt, "hours")
			env.Clock.Advance(time.Duration(hours) * time.Hour)
		},
		"run": func(rt *rapid.T) {
			a := actor(rt)
			back := rapid.IntRange(0, 40).Draw(rt, "days back")
			cutOff := passnum.Today(env.Clock.Now().AddDate(0, 0, -back))
			if rapid.Bool().Draw(rt, "default cut-off") {
				cutOff = passnum.DefaultCutOff(env.Clock.Now())
			}
			step("run", func() error {
				_, err := s.RunSettlement(st.As(a), cutOff)
				if err == nil {
					list, _, _ := s.ListStatements(op, passnum.StatementFilter{Limit: 500})
					statements = statements[:0]
					for _, x := range list {
						statements = append(statements, x.ID)
					}
				}
				return err
			})
		},
		"validate": func(rt *rapid.T) {
			id, a := pick(rt, statements, "statement"), actor(rt)
			step("validate", func() error { _, err := s.ValidateStatement(st.As(a), id); return err })
		},
		"batch": func(rt *rapid.T) {
			a := actor(rt)
			step("batch", func() error { _, err := s.CreatePaymentBatch(st.As(a), passnum.Today(env.Clock.Now())); return err })
		},
		"bank": func(rt *rapid.T) {
			setBank(t, env, f, f.Venue2)
		},
		"paid": func(rt *rapid.T) {
			id, a := pick(rt, statements, "statement"), actor(rt)
			step("paid", func() error { _, err := s.MarkPaid(st.As(a), id); return err })
		},
		"reject": func(rt *rapid.T) {
			id, a := pick(rt, statements, "statement"), actor(rt)
			reason := rapid.SampledFrom([]string{"", "AC04 compte clos", "MS03"}).Draw(rt, "reason")
			step("reject", func() error { _, err := s.RejectStatement(st.As(a), id, reason); return err })
		},
		"expire": func(rt *rapid.T) {
			step("expire", func() error { _, err := s.Expire(op); return err })
		},
		"credit": func(rt *rapid.T) {
			a := actor(rt)
			step("credit", func() error { _, err := s.IssueCreditNotes(st.As(a), f.Programme.ID); return err })
		},
	})
}
