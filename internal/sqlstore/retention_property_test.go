package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
	"pgregory.net/rapid"
)

// TestRetentionAtRandomPoints runs purges and erasures at random points of
// random histories — people handed carnets, passes used and voided,
// carnets blocked, seats, reports with notes, restrictions, expiry — with
// a clock that moves by days and months. After each step every invariant
// holds; a purge or an erasure never changes the books (pass states,
// ledger, postings, redemptions); nothing is ever half erased; and after
// a purge, a dry run finds nothing more it could erase.
func TestRetentionAtRandomPoints(t *testing.T) {
	opts := []sqlstore.Option{sqlstore.WithPrivacy(shortRetention()), sqlstore.WithRetentionBatch(3)}
	st.Each(t, func(t *testing.T, env0 *st.Env) {
		open, checks := st.OpenSQLite, 15
		if env0.Name == "postgres" {
			open, checks = st.OpenPostgres, 5
		}
		setRapidChecks(checks)
		rapid.Check(t, func(rt *rapid.T) { runRetentionHistory(rt, t, open(t, opts...)) })
	})
}

func runRetentionHistory(rt *rapid.T, t *testing.T, env *st.Env) {
	f := st.NewFixture(t, env, st.Options{Carnets: 12, Allocated: 12, Distributed: 3, CarnetSize: 3})
	s, op := env.Store, st.As(f.Operator)
	presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
	venue := st.VenueCtx(f.Venue)
	next := f.Batch.FirstCarnet + 3 // the next carnet to hand out
	var refs []string               // every reference handed out, erased ones too
	for n := f.Batch.FirstCarnet; n < next; n++ {
		c, err := s.FindCarnet(op, n)
		if err != nil {
			rt.Fatal(err)
		}
		refs = append(refs, c.BeneficiaryRef)
	}
	var redemptions []int64
	var session *passnum.WorkshopSession
	key := 0

	check := func(name string, err error) {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			rt.Fatalf("%s: internal error: %v", name, err)
		}
		rep, cerr := s.CheckInvariants(op)
		if cerr != nil {
			rt.Fatalf("check: %v", cerr)
		}
		if !rep.OK() {
			rt.Fatalf("after %s (err=%v): invariants broken:\n%s", name, err, strings.Join(rep.Problems, "\n"))
		}
		noHalfErasure(t, s)
	}
	// booksKept runs fn, which must leave the books as they were.
	booksKept := func(name string, fn func() error) error {
		before := snapshot(t, env, f)
		err := fn()
		if after := snapshot(t, env, f); after != before {
			rt.Fatalf("%s (err=%v) changed the books:\nbefore %s\nafter  %s", name, err, before, after)
		}
		check(name, err)
		return err
	}

	rt.Repeat(map[string]func(*rapid.T){
		"hand out": func(rt *rapid.T) {
			if next > f.Batch.FirstCarnet+11 {
				return
			}
			req := passnum.DistributeRequest{Carnet: next}
			if len(refs) > 0 && rapid.Bool().Draw(rt, "known person?") {
				req.BeneficiaryRef = rapid.SampledFrom(refs).Draw(rt, "ref")
			} else {
				req.Beneficiary = &passnum.BeneficiaryInput{BirthYear: 1950, CommuneINSEE: "35238", Needs: []string{"Aide aux démarches administratives"}, ConsentAt: "2027-03-01"}
			}
			d, err := s.Distribute(presc, req)
			if err == nil {
				next++
				refs = append(refs, d.Beneficiary.Ref)
			}
			check("hand out", err)
		},
		"use passes": func(rt *rapid.T) {
			carnet := rapid.IntRange(0, int(next-f.Batch.FirstCarnet)-1).Draw(rt, "carnet")
			serial := rapid.SampledFrom(f.Serials(carnet)).Draw(rt, "serial")
			key++
			r, err := s.Redeem(venue, passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprintf("k%d", key)})
			if err == nil {
				redemptions = append(redemptions, r.ID)
			}
			check("use passes", err)
		},
		"void": func(rt *rapid.T) {
			if len(redemptions) == 0 {
				return
			}
			_, err := s.VoidRedemption(venue, rapid.SampledFrom(redemptions).Draw(rt, "redemption"))
			check("void", err)
		},
		"block": func(rt *rapid.T) {
			carnet := f.Batch.FirstCarnet + int64(rapid.IntRange(0, 11).Draw(rt, "carnet"))
			_, err := s.Block(op, passnum.BlockRequest{Scope: passnum.BlockCarnet, Carnet: carnet, Reason: "perte", Unblock: rapid.Bool().Draw(rt, "unblock")})
			check("block", err)
		},
		"seat and report": func(rt *rapid.T) {
			if len(refs) == 0 {
				return
			}
			ref := rapid.SampledFrom(refs).Draw(rt, "ref")
			now := env.Clock.Now()
			if session == nil || !session.StartsAt.After(now) {
				var err error
				if session, err = s.CreateSession(venue, passnum.SessionCreate{ServiceID: f.Service.ID, StartsAt: now.Add(48 * time.Hour), Capacity: 20}); err != nil {
					check("session", err)
					session = nil
					return
				}
			}
			_, err := s.Register(venue, passnum.RegistrationCreate{SessionID: session.ID, BeneficiaryRef: ref, Label: "Mme R."})
			check("register", err)
			_, err = s.CreateActivityReport(venue, passnum.ActivityReport{Format: passnum.FormatIndividual, Date: passnum.Today(now), DurationMinutes: 60,
				Themes: []string{"Courriels"}, PlaceKind: "lieu", Participants: 1, BeneficiaryRefs: []string{ref}, Notes: "suivi"})
			check("report", err)
		},
		"restrict": func(rt *rapid.T) {
			if len(refs) == 0 {
				return
			}
			_, err := s.RestrictBeneficiary(op, rapid.SampledFrom(refs).Draw(rt, "ref"), rapid.Bool().Draw(rt, "restricted"), "demande")
			check("restrict", err)
		},
		"erase": func(rt *rapid.T) {
			if len(refs) == 0 {
				return
			}
			ref := rapid.SampledFrom(refs).Draw(rt, "ref")
			err := booksKept("erase", func() error { _, err := s.EraseBeneficiary(op, ref, "demande"); return err })
			if err != nil && passnum.ErrorReason(err) != passnum.ReasonErasureUnbalances && passnum.ErrorCode(err) != passnum.ENOTFOUND {
				rt.Fatalf("erase %s: %v, want done, refused for the books, or not found once erased", ref, err)
			}
		},
		"time passes": func(rt *rapid.T) {
			env.Clock.Advance(time.Duration(rapid.IntRange(1, 90).Draw(rt, "days")) * 24 * time.Hour)
		},
		"expire": func(rt *rapid.T) {
			_, err := s.Expire(op)
			check("expire", err)
		},
		"purge": func(rt *rapid.T) {
			var run *passnum.RetentionRun
			err := booksKept("purge", func() error {
				var err error
				run, err = s.RunRetention(op, false)
				return err
			})
			if err != nil {
				rt.Fatalf("purge: %v", err)
			}
			dry, err := s.RunRetention(op, true)
			if err != nil {
				rt.Fatal(err)
			}
			if dry.Total() != 0 {
				rt.Fatalf("after purge %s, a dry run still finds %s", counts(run), counts(dry))
			}
		},
	})
}
