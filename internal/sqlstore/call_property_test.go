package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	st "github.com/passnum/passnum/internal/storetest"
	"pgregory.net/rapid"
)

// TestRandomCommitments runs random sequences of applications, selections,
// conventions, addenda and payments on one call, some of them refused
// (over the envelope, above the matching rule, below what was paid); after
// every step every total equals its parts — a convention's total its
// amounts, the call's committed sum what its funder puts in the selected
// applications and conventions — the envelope holds, passnum check finds
// nothing, and a refused step changed nothing.
func TestRandomCommitments(t *testing.T) {
	eachRapid(t, 12, 3, func(rt *rapid.T, t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		runRandomCommitments(rt, t, env, w)
	})
}

func runRandomCommitments(rt *rapid.T, t *testing.T, env *st.Env, w *callWorld) {
	s := env.Store
	op := st.As(w.f.Operator)
	applicants := []*passnum.Organisation{w.f.Dept}
	for i := 0; i < 3; i++ {
		o, err := s.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: fmt.Sprintf("Département %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		applicants = append(applicants, o)
	}
	funders := append([]*passnum.Organisation{w.f.State, w.foundation}, applicants...)
	var selected []*passnum.Application
	var conventions []*passnum.Convention
	programmes := map[int64]int64{} // convention → programme
	ref := 0
	step := func(name string, fn func() error) {
		before := commitments(t, env, w)
		err := fn()
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			rt.Fatalf("%s: internal error: %v", name, err)
		}
		after := commitments(t, env, w)
		if err != nil && after != before {
			rt.Fatalf("%s failed (%v) but changed the data:\n%s\n%s", name, err, before, after)
		}
		checkCommitments(rt, t, env, w)
	}
	cents := func(label string) int64 { return int64(rapid.IntRange(1, 40).Draw(rt, label)) * 1_000_00 }
	for i, n := 0, rapid.IntRange(5, 25).Draw(rt, "steps"); i < n; i++ {
		switch rapid.IntRange(0, 3).Draw(rt, "op") {
		case 0: // apply, and ask for selection
			who := rapid.SampledFrom(applicants).Draw(rt, "applicant")
			ctx := st.As(st.Actor(who, passnum.RoleAdmin))
			in := w.input(cents("asked"), cents("own"), 0)
			in.Lines[1].FunderID = who.ID
			var app *passnum.Application
			step("apply", func() error {
				var err error
				if app, err = s.SaveApplication(ctx, in); err != nil {
					return err
				}
				if _, err := s.SubmitApplication(ctx, app.ID); err != nil {
					app = nil
					return nil // a draft that breaks the rule stays a draft
				}
				return nil
			})
			if app == nil {
				continue
			}
			step("select", func() error {
				got, err := s.DecideApplication(w.state, app.ID, passnum.Decision{Selected: true, Reason: "Retenue."})
				if err == nil {
					selected = append(selected, got)
				}
				return err
			})
		case 1: // a convention for a selected application, signed, with its programme
			if len(selected) == 0 {
				continue
			}
			app := selected[0]
			selected = selected[1:]
			step("convention", func() error {
				c, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: app.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
				if err != nil {
					return err
				}
				for _, p := range c.Parties {
					if c, err = s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: p.FunderID, SignedOn: "2027-03-15"}); err != nil {
						return err
					}
				}
				pr, err := s.CreateProgrammeFromConvention(op, c.ID, passnum.ConventionProgramme{Name: fmt.Sprintf("Programme %d", c.ID), ValidFrom: "2027-05-01", ValidUntil: "2028-12-31"})
				if err != nil {
					return err
				}
				conventions = append(conventions, c)
				programmes[c.ID] = pr.ID
				return nil
			})
		case 2: // an addendum, perhaps refused
			if len(conventions) == 0 {
				continue
			}
			c := rapid.SampledFrom(conventions).Draw(rt, "convention")
			funder := rapid.SampledFrom(funders).Draw(rt, "funder")
			amount := int64(rapid.IntRange(0, 60).Draw(rt, "amount")) * 1_000_00
			year := rapid.IntRange(2027, 2028).Draw(rt, "year")
			step("addendum", func() error {
				_, err := s.CreateAddendum(w.state, c.ID, passnum.AddendumCreate{Reason: "Avenant", Amounts: []passnum.FundingLine{{FunderID: funder.ID, Year: year, AmountCents: amount}}})
				return err
			})
		case 3: // a payment by a party of a convention
			if len(conventions) == 0 {
				continue
			}
			c := rapid.SampledFrom(conventions).Draw(rt, "convention")
			c, err := s.FindConvention(op, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			party := rapid.SampledFrom(c.Parties).Draw(rt, "party")
			ref++
			step("payment", func() error {
				_, err := s.RecordFunds(op, passnum.FundsCreate{ProgrammeID: programmes[c.ID], FunderID: party.FunderID, Reference: fmt.Sprintf("OP-%d", ref),
					AmountCents: cents("paid") / 2, ReceivedOn: "2027-03-15"})
				return err
			})
		}
	}
}

// commitments is what calls, applications and conventions hold, for
// comparing before and after a refused step.
func commitments(t *testing.T, env *st.Env, w *callWorld) string {
	t.Helper()
	op := st.As(w.f.Operator)
	var parts []string
	calls, _, err := env.Store.ListCalls(op, passnum.CallFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		parts = append(parts, fmt.Sprintf("call%d=%d/%d", c.ID, c.CommittedCents, c.Applications))
	}
	apps, _, err := env.Store.ListApplications(op, passnum.ApplicationFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		parts = append(parts, fmt.Sprintf("app%d=%s", a.ID, a.Status))
	}
	convs, _, err := env.Store.ListConventions(op, passnum.ConventionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		parts = append(parts, fmt.Sprintf("conv%d=%d%v%v", c.ID, c.TotalCents, c.Amounts, c.Parties))
		addenda, err := env.Store.ListAddenda(op, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("addenda=%d", len(addenda)))
	}
	return strings.Join(parts, " ") + " " + snapshot(t, env, w.f)
}

// checkCommitments recomputes every total from its parts, in Go, beside
// what passnum check recomputes in SQL.
func checkCommitments(rt *rapid.T, t *testing.T, env *st.Env, w *callWorld) {
	op := st.As(w.f.Operator)
	call, err := env.Store.FindCall(op, w.call.ID)
	if err != nil {
		t.Fatal(err)
	}
	apps, _, err := env.Store.ListApplications(op, passnum.ApplicationFilter{CallID: w.call.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	convs, _, err := env.Store.ListConventions(op, passnum.ConventionFilter{CallID: w.call.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	byApp := map[int64]*passnum.Convention{}
	for _, c := range convs {
		byApp[c.ApplicationID] = c
		var sum int64
		for _, l := range c.Amounts {
			sum += l.AmountCents
		}
		if sum != c.TotalCents {
			rt.Fatalf("convention %d: total %d, amounts sum to %d", c.ID, c.TotalCents, sum)
		}
		if share := c.FunderTotal(w.f.State.ID); !passnum.WithinShare(share, c.TotalCents, call.MaxShareBP) {
			rt.Fatalf("convention %d: the State puts %d of %d", c.ID, share, c.TotalCents)
		}
	}
	var committed int64
	for _, a := range apps {
		if a.Status != passnum.ApplicationSelected {
			continue
		}
		if c, ok := byApp[a.ID]; ok {
			committed += c.FunderTotal(w.f.State.ID)
		} else {
			asked, _ := a.Totals(w.f.State.ID)
			committed += asked
		}
	}
	if committed != call.CommittedCents || call.LeftCents != call.EnvelopeCents-committed || committed > call.EnvelopeCents {
		rt.Fatalf("call: committed %d (left %d of %d), its parts sum to %d", call.CommittedCents, call.LeftCents, call.EnvelopeCents, committed)
	}
	rep, err := env.Store.CheckInvariants(op)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		rt.Fatalf("invariants broken:\n%s", strings.Join(rep.Problems, "\n"))
	}
}
