package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

var _ passnum.CallService = (*sqlstore.Store)(nil)

// callWorld is a call of the State open in March and April 2027 (the
// test clock starts on 15 March), to which the département applies with a
// foundation as co-funder.
type callWorld struct {
	f          *st.Fixture
	call       *passnum.Call
	foundation *passnum.Organisation
	other      *passnum.Organisation // a funder with nothing to do with the call
	state      context.Context       // the State's admin
	dept       context.Context       // the département's admin
}

func newCallWorld(t *testing.T, env *st.Env) *callWorld {
	t.Helper()
	f := st.NewFixture(t, env, st.Options{Carnets: 2})
	op := st.As(f.Operator)
	w := &callWorld{f: f, state: st.As(st.Actor(f.State, passnum.RoleAdmin)), dept: st.As(st.Actor(f.Dept, passnum.RoleAdmin))}
	var err error
	if w.foundation, err = env.Store.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation Orange"}); err != nil {
		t.Fatal(err)
	}
	if w.other, err = env.Store.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Rhône"}); err != nil {
		t.Fatal(err)
	}
	w.call, err = env.Store.CreateCall(w.state, passnum.CallCreate{
		Title: "Appel à projets Pass numérique 2027", EnvelopeCents: 100_000_00,
		ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantDepartement, passnum.ApplicantGroup},
		Territory:      []string{"region:53"}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30",
		Questions: []string{"Quels lieux de médiation sont associés ?"},
		Criteria:  []passnum.Criterion{{Label: "Qualité du plan d'action", MaxPoints: 10}, {Label: "Cofinancements", MaxPoints: 5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// input is a complete application of the département asking the State
// for asked cents in 2027, with its own commitment and the foundation's.
func (w *callWorld) input(asked, own, foundation int64) passnum.ApplicationInput {
	lines := []passnum.FundingLine{{FunderID: w.f.State.ID, Year: 2027, AmountCents: asked}, {FunderID: w.f.Dept.ID, Year: 2027, AmountCents: own}}
	if foundation > 0 {
		lines = append(lines, passnum.FundingLine{FunderID: w.foundation.ID, Year: 2027, AmountCents: foundation})
	}
	return passnum.ApplicationInput{CallID: w.call.ID, ApplicantKind: passnum.ApplicantDepartement, Title: "Ille-et-Vilaine numérique",
		Territory: []string{"departement:35"}, Targets: passnum.ActionTargets{People: 2000, Passes: 20000, Venues: 30, Hubs: 1},
		Lines: lines, Answers: []string{"La Quincaillerie numérique et trente autres lieux."}}
}

func TestCreateCall(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		if w.call.MaxShareBP != 5000 || w.call.FunderID != w.f.State.ID || w.call.LeftCents != 100_000_00 || w.call.FunderName != "État — ANCT" {
			t.Fatalf("call %+v: want the State's, 50 %% by default, the whole envelope left", w.call)
		}
		good := func() passnum.CallCreate {
			return passnum.CallCreate{Title: "AAP", EnvelopeCents: 1000, ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantCommune},
				OpensOn: "2027-01-01", ClosesOn: "2027-02-01"}
		}
		cases := []struct {
			name   string
			ctx    context.Context
			change func(*passnum.CallCreate)
			code   string
			field  string
		}{
			{"no envelope", w.state, func(c *passnum.CallCreate) { c.EnvelopeCents = 0 }, passnum.EINVALID, "envelope_cents"},
			{"share above 100 %", w.state, func(c *passnum.CallCreate) { c.MaxShareBP = 10001 }, passnum.EINVALID, "max_share_bp"},
			{"unknown applicant kind", w.state, func(c *passnum.CallCreate) { c.ApplicantKinds = []passnum.ApplicantKind{"mairie"} }, passnum.EINVALID, "applicant_kinds"},
			{"closes before it opens", w.state, func(c *passnum.CallCreate) { c.ClosesOn = "2026-12-31" }, passnum.EINVALID, "closes_on"},
			{"unknown territory", w.state, func(c *passnum.CallCreate) { c.Territory = []string{"region:99"} }, passnum.EINVALID, "territory"},
			{"criterion without points", w.state, func(c *passnum.CallCreate) { c.Criteria = []passnum.Criterion{{Label: "x"}} }, passnum.EINVALID, "criteria"},
			{"another funder's call", w.state, func(c *passnum.CallCreate) { c.FunderID = w.f.Dept.ID }, passnum.EINVALID, "funder_id"},
			{"funder agent", st.As(st.Actor(w.f.State, passnum.RoleAgent)), func(*passnum.CallCreate) {}, passnum.EFORBIDDEN, ""},
			{"venue", st.VenueCtx(w.f.Venue), func(*passnum.CallCreate) {}, passnum.EFORBIDDEN, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := good()
				tc.change(&c)
				_, err := env.Store.CreateCall(tc.ctx, c)
				var e *passnum.Error
				if passnum.ErrorCode(err) != tc.code || !asError(err, &e) || e.Field != tc.field || e.Message == "" {
					t.Fatalf("got %v, want %s on %q", err, tc.code, tc.field)
				}
				_, n, err := env.Store.ListCalls(st.As(w.f.Operator), passnum.CallFilter{})
				if err != nil || n != 1 {
					t.Fatalf("%d calls after a refusal (%v), want 1", n, err)
				}
			})
		}
		// The operator opens a call for a funder it names.
		c := good()
		c.FunderID = w.f.Dept.ID
		got, err := env.Store.CreateCall(st.As(w.f.Operator), c)
		if err != nil || got.FunderID != w.f.Dept.ID {
			t.Fatalf("operator's call: %+v, %v", got, err)
		}
		open, err := env.Store.OpenCalls(context.Background())
		if err != nil || len(open) != 1 || open[0].ID != w.call.ID {
			t.Fatalf("open calls on 15 March: %v, %v; want the State's only", open, err)
		}
	})
}

func TestApplicationLifecycle(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		draft, err := s.SaveApplication(w.dept, passnum.ApplicationInput{CallID: w.call.ID, Title: "Brouillon"})
		if err != nil || draft.Status != passnum.ApplicationDraft || draft.ApplicantID != w.f.Dept.ID {
			t.Fatalf("draft: %+v, %v", draft, err)
		}
		// A draft is its applicant's: the call's funder does not see it.
		if _, err := s.FindApplication(w.state, draft.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("the call's funder reads a draft: %v", err)
		}
		if _, err := s.SubmitApplication(w.dept, draft.ID); passnum.ErrorReason(err) != passnum.ReasonApplicationIncomplete {
			t.Fatalf("incomplete submission: %v", err)
		}
		steps := []struct {
			name   string
			in     passnum.ApplicationInput
			reason string
			field  string
		}{
			{"no own commitment", func() passnum.ApplicationInput {
				in := w.input(10_000_00, 10_000_00, 0)
				in.Lines = in.Lines[:1]
				return in
			}(), passnum.ReasonApplicationIncomplete, "lines"},
			{"State above half", w.input(10_000_01, 10_000_00, 0), passnum.ReasonMatchingRule, "lines"},
			{"no answer", func() passnum.ApplicationInput { in := w.input(10_000_00, 10_000_00, 0); in.Answers = nil; return in }(), passnum.ReasonApplicationIncomplete, "answers"},
			{"outside the call's territory", func() passnum.ApplicationInput {
				in := w.input(10_000_00, 10_000_00, 0)
				in.Territory = []string{"departement:69"}
				return in
			}(), passnum.ReasonApplicantIneligible, "territory"},
			{"ineligible kind", func() passnum.ApplicationInput {
				in := w.input(10_000_00, 10_000_00, 0)
				in.ApplicantKind = passnum.ApplicantCommune
				return in
			}(), passnum.ReasonApplicantIneligible, "applicant_kind"},
		}
		for _, step := range steps {
			in := step.in
			in.ID = draft.ID
			if _, err := s.SaveApplication(w.dept, in); err != nil {
				t.Fatalf("%s: save: %v", step.name, err)
			}
			_, err := s.SubmitApplication(w.dept, draft.ID)
			var e *passnum.Error
			if passnum.ErrorReason(err) != step.reason || !asError(err, &e) || e.Field != step.field || !strings.ContainsAny(e.Message, "éèàç") {
				t.Fatalf("%s: %v, want %s on %s in French", step.name, err, step.reason, step.field)
			}
			if got, _ := s.FindApplication(w.dept, draft.ID); got.Status != passnum.ApplicationDraft {
				t.Fatalf("%s: status %s after a refused submission", step.name, got.Status)
			}
		}
		// Exactly half, with a foundation: the rule holds.
		in := w.input(10_000_00, 6_000_00, 4_000_00)
		in.ID = draft.ID
		if _, err := s.SaveApplication(w.dept, in); err != nil {
			t.Fatal(err)
		}
		sub, err := s.SubmitApplication(w.dept, draft.ID)
		if err != nil || sub.Status != passnum.ApplicationSubmitted || sub.SubmittedAt == nil {
			t.Fatalf("submit: %+v, %v", sub, err)
		}
		if asked, total := sub.Totals(w.f.State.ID); asked != 10_000_00 || total != 20_000_00 {
			t.Fatalf("totals %d/%d, want 10 000 € asked of 20 000 €", asked, total)
		}
		if _, err := s.SaveApplication(w.dept, in); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("rewriting a submitted application: %v", err)
		}
		// The call's funder now reads it, and asks a question; a funder
		// with nothing to do with it does not see it.
		if _, err := s.FindApplication(w.state, draft.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindApplication(st.As(st.Actor(w.other, passnum.RoleAdmin)), draft.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("an unrelated funder reads the application: %v", err)
		}
		if _, err := s.PostMessage(w.state, draft.ID, "Combien de hubs sont associés ?"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostMessage(w.dept, draft.ID, "Le hub du Grand Ouest."); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostMessage(st.As(st.Actor(w.other, passnum.RoleAdmin)), draft.ID, "Et moi ?"); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("an unrelated funder posts: %v", err)
		}
		msgs, err := s.ListMessages(w.state, draft.ID)
		if err != nil || len(msgs) != 2 || msgs[0].AuthorOrgID != w.f.State.ID || msgs[1].Body != "Le hub du Grand Ouest." {
			t.Fatalf("messages %+v, %v", msgs, err)
		}
		list, n, err := s.ListApplications(w.state, passnum.ApplicationFilter{CallID: w.call.ID})
		if err != nil || n != 1 || list[0].ID != draft.ID {
			t.Fatalf("the funder's list: %d, %v", n, err)
		}
		// After the closing date nothing is saved any more.
		env.Clock.Set(time.Date(2027, 5, 2, 9, 0, 0, 0, time.UTC))
		if _, err := s.SaveApplication(w.dept, w.input(1, 1, 0)); passnum.ErrorReason(err) != passnum.ReasonCallClosed {
			t.Fatalf("saving after closing: %v", err)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}
