package sqlstore_test

import (
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
	"pgregory.net/rapid"
)

// rapidChecksChosen tells whether -rapid.checks was given on the command
// line. It is read once, before setRapidChecks first sets the flag itself:
// flag.Visit would report that too, and every later test would keep the
// first test's number.
var rapidChecksChosen = sync.OnceValue(func() bool {
	chosen := false
	flag.Visit(func(f *flag.Flag) { chosen = chosen || f.Name == "rapid.checks" })
	return chosen
})

// setRapidChecks lowers rapid's default number of runs (each opens a new
// database) unless the caller chose one with -rapid.checks.
func setRapidChecks(n int) {
	if !rapidChecksChosen() {
		flag.Set("rapid.checks", fmt.Sprint(n))
	}
}

// eachRapid runs a property on each store, a fresh database for every
// check: sqliteChecks of them on SQLite, pgChecks on PostgreSQL (slower to
// set up), unless -rapid.checks says otherwise.
func eachRapid(t *testing.T, sqliteChecks, pgChecks int, run func(rt *rapid.T, t *testing.T, env *st.Env)) {
	st.Each(t, func(t *testing.T, env0 *st.Env) {
		open := st.OpenSQLite
		setRapidChecks(sqliteChecks)
		if env0.Name == "postgres" {
			open = st.OpenPostgres
			setRapidChecks(pgChecks)
		}
		rapid.Check(t, func(rt *rapid.T) { run(rt, t, open(t)) })
	})
}

// TestRandomOperations runs random sequences of operations by random
// actors — operator, funders, prescribers, venues, some not entitled — and
// checks after every step that every invariant holds and that an operation
// that failed changed nothing.
func TestRandomOperations(t *testing.T) {
	eachRapid(t, 25, 8, func(rt *rapid.T, t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 8, Activated: 6, Allocated: 4, Distributed: 2, CarnetSize: 3})
		runRandomOperations(rt, t, env, f)
	})
}

func runRandomOperations(rt *rapid.T, t *testing.T, env *st.Env, f *st.Fixture) {
	s := env.Store
	op := st.As(f.Operator)
	pid := f.Programme.ID
	venues := []*passnum.Organisation{f.Venue, f.Venue2, f.Outside}
	services := map[int64]int64{f.Venue.ID: f.Service.ID, f.Venue2.ID: f.Service2.ID, f.Outside.ID: f.OutService.ID}
	prescribers := []*passnum.Organisation{f.Prescriber, f.Other}
	orgs := []*passnum.Organisation{f.State, f.Dept, f.Prescriber, f.Venue, f.Venue2}
	// Any actor, including ones the rules must refuse.
	anyActor := func(rt *rapid.T) *passnum.Actor {
		if rapid.IntRange(0, 3).Draw(rt, "operator?") == 0 {
			return f.Operator
		}
		o := rapid.SampledFrom(orgs).Draw(rt, "org")
		return st.Actor(o, rapid.SampledFrom([]passnum.Role{passnum.RoleAdmin, passnum.RoleAgent}).Draw(rt, "role"))
	}
	lastCarnet := func() int64 {
		bs, _ := s.ListBatches(op, pid)
		return bs[len(bs)-1].LastCarnet
	}
	carnet := func(rt *rapid.T) int64 {
		return rapid.Int64Range(f.Batch.FirstCarnet, lastCarnet()+1).Draw(rt, "carnet") // +1: sometimes unknown
	}
	var codes []string // every code issued so far (the fixture's batch; new batches are exported)
	for _, c := range f.Codes {
		codes = append(codes, c)
	}
	var redemptions []int64
	key := 0

	step := func(name string, fn func() error) {
		before := snapshot(t, env, f)
		err := fn()
		if code := passnum.ErrorCode(err); code == passnum.EINTERNAL {
			rt.Fatalf("%s: internal error: %v", name, err)
		}
		if err != nil {
			if after := snapshot(t, env, f); after != before {
				rt.Fatalf("%s failed (%v) but changed the data:\nbefore %s\nafter  %s", name, err, before, after)
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

	rt.Repeat(map[string]func(*rapid.T){
		"issue": func(rt *rapid.T) {
			n := rapid.IntRange(1, 8).Draw(rt, "carnets")
			step("issue", func() error {
				b, err := s.Issue(st.As(anyActor(rt)), passnum.IssueRequest{ProgrammeID: pid, Carnets: n})
				if err == nil {
					c, _ := st.ExportCodes(t, s, f.Operator, b.ID)
					for _, code := range c {
						codes = append(codes, code)
					}
				}
				return err
			})
		},
		"funds": func(rt *rapid.T) {
			amount := rapid.Int64Range(-100, 20000).Draw(rt, "amount")
			funder := rapid.SampledFrom([]*passnum.Organisation{f.State, f.Dept, f.Venue}).Draw(rt, "funder")
			ref := rapid.SampledFrom([]string{"OP-STATE-1", "OP-A", "OP-B", "OP-C"}).Draw(rt, "ref")
			step("funds", func() error {
				_, err := s.RecordFunds(st.As(anyActor(rt)), passnum.FundsCreate{ProgrammeID: pid, FunderID: funder.ID, Reference: ref, AmountCents: amount, ReceivedOn: "2027-03-01"})
				return err
			})
		},
		"activate": func(rt *rapid.T) {
			first := carnet(rt)
			last := first + rapid.Int64Range(0, 3).Draw(rt, "span")
			step("activate", func() error {
				_, err := s.Activate(st.As(anyActor(rt)), passnum.ActivateRequest{ProgrammeID: pid, FirstCarnet: first, LastCarnet: last})
				return err
			})
		},
		"allocate": func(rt *rapid.T) {
			c := carnet(rt)
			pr := rapid.SampledFrom(prescribers).Draw(rt, "prescriber")
			step("allocate", func() error {
				_, err := s.Allocate(st.As(anyActor(rt)), passnum.AllocateRequest{PrescriberID: pr.ID, Carnets: []int64{c}})
				return err
			})
		},
		"distribute": func(rt *rapid.T) {
			c := carnet(rt)
			pr := rapid.SampledFrom(prescribers).Draw(rt, "prescriber")
			year := rapid.IntRange(1900, 2030).Draw(rt, "birth year")
			step("distribute", func() error {
				_, err := s.Distribute(st.As(st.Actor(pr, passnum.RoleAgent)), passnum.DistributeRequest{Carnet: c,
					Beneficiary: &passnum.BeneficiaryInput{BirthYear: year, CommuneINSEE: "35238", ConsentAt: "2027-03-01"}})
				return err
			})
		},
		"redeem": func(rt *rapid.T) {
			v := rapid.SampledFrom(venues).Draw(rt, "venue")
			n := rapid.IntRange(1, 3).Draw(rt, "passes")
			list := make([]string, n)
			for i := range list {
				list[i] = rapid.SampledFrom(codes).Draw(rt, "code")
			}
			key++
			k := fmt.Sprintf("k%d", key)
			if rapid.IntRange(0, 4).Draw(rt, "reuse key?") == 0 && key > 1 {
				k = fmt.Sprintf("k%d", key-1) // a retry, or a reused key
			}
			step("redeem", func() error {
				r, err := s.Redeem(st.VenueCtx(v), passnum.RedeemRequest{Codes: list, ServiceID: services[v.ID], IdempotencyKey: k})
				if err == nil && !r.Replayed {
					redemptions = append(redemptions, r.ID)
				}
				return err
			})
		},
		"void": func(rt *rapid.T) {
			if len(redemptions) == 0 {
				rt.Skip("no redemption yet")
			}
			id := rapid.SampledFrom(redemptions).Draw(rt, "redemption")
			v := rapid.SampledFrom(venues).Draw(rt, "venue")
			step("void", func() error {
				_, err := s.VoidRedemption(st.VenueCtx(v), id)
				return err
			})
		},
		"block": func(rt *rapid.T) {
			scope := rapid.SampledFrom([]passnum.BlockScope{passnum.BlockPass, passnum.BlockCarnet, passnum.BlockStock}).Draw(rt, "scope")
			req := passnum.BlockRequest{Scope: scope, Reason: "test", Unblock: rapid.Bool().Draw(rt, "unblock"),
				Serial: rapid.Int64Range(f.Batch.FirstSerial, f.Batch.LastSerial).Draw(rt, "serial"), Carnet: carnet(rt), ProgrammeID: pid}
			step("block", func() error {
				_, err := s.Block(st.As(anyActor(rt)), req)
				return err
			})
		},
		"time passes": func(rt *rapid.T) {
			env.Clock.Advance(time.Duration(rapid.IntRange(1, 48).Draw(rt, "hours")) * time.Hour)
		},
		"expire": func(rt *rapid.T) {
			if rapid.IntRange(0, 5).Draw(rt, "jump past expiry?") == 0 {
				env.Clock.Set(time.Date(2028, 2, 2, 0, 0, 0, 0, time.UTC))
			}
			step("expire", func() error {
				_, err := s.Expire(st.As(anyActor(rt)))
				return err
			})
		},
	})
}
