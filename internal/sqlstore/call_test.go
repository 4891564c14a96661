package sqlstore_test

import (
	"context"
	"slices"
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

// submitted creates and submits an application of applicant to the call.
func (w *callWorld) submitted(t *testing.T, env *st.Env, applicant *passnum.Organisation, asked, own int64) *passnum.Application {
	t.Helper()
	ctx := st.As(st.Actor(applicant, passnum.RoleAdmin))
	in := w.input(asked, own, 0)
	in.Lines[1].FunderID = applicant.ID
	p, err := env.Store.SaveApplication(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = env.Store.SubmitApplication(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSelection(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		finistere, err := s.CreateOrganisation(st.As(w.f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Finistère"})
		if err != nil {
			t.Fatal(err)
		}
		first := w.submitted(t, env, w.f.Dept, 60_000_00, 60_000_00)
		second := w.submitted(t, env, finistere, 50_000_00, 50_000_00)
		cases := []struct {
			name   string
			ctx    context.Context
			id     int64
			d      passnum.Decision
			reason string
		}{
			{"no reason", w.state, first.ID, passnum.Decision{Selected: true}, passnum.ReasonInvalidInput},
			{"the applicant decides", w.dept, first.ID, passnum.Decision{Selected: true, Reason: "moi"}, passnum.ReasonForbidden},
			{"an agent of the funder", st.As(st.Actor(w.f.State, passnum.RoleAgent)), first.ID, passnum.Decision{Selected: true, Reason: "ok"}, passnum.ReasonForbidden},
			{"unknown application", w.state, 999999, passnum.Decision{Selected: true, Reason: "ok"}, passnum.ReasonNotFound},
		}
		for _, tc := range cases {
			if _, err := s.DecideApplication(tc.ctx, tc.id, tc.d); passnum.ErrorReason(err) != tc.reason || passnum.ErrorMessage(err) == "" {
				t.Fatalf("%s: %v, want %s in French", tc.name, err, tc.reason)
			}
		}
		reviews := []struct {
			name string
			r    passnum.Review
			ok   bool
		}{
			{"unknown criterion", passnum.Review{Scores: []passnum.Score{{Criterion: "Beauté", Points: 1}}}, false},
			{"above the maximum", passnum.Review{Scores: []passnum.Score{{Criterion: "Cofinancements", Points: 6}}}, false},
			{"twice", passnum.Review{Scores: []passnum.Score{{Criterion: "Cofinancements", Points: 1}, {Criterion: "Cofinancements", Points: 2}}}, false},
			{"good", passnum.Review{Scores: []passnum.Score{{Criterion: "Qualité du plan d'action", Points: 8, Comment: "clair"}, {Criterion: "Cofinancements", Points: 3}}, Comment: "Solide."}, true},
		}
		for _, r := range reviews {
			got, err := s.ReviewApplication(w.state, first.ID, r.r)
			if r.ok != (err == nil) {
				t.Fatalf("review %s: %v", r.name, err)
			}
			if r.ok && (len(got.Scores) != 2 || got.Comment != "Solide.") {
				t.Fatalf("review %s: %+v", r.name, got)
			}
		}
		if _, err := s.DecideApplication(w.state, first.ID, passnum.Decision{Selected: true, Reason: "Plan complet et cofinancé."}); err != nil {
			t.Fatal(err)
		}
		call, _ := s.FindCall(w.state, w.call.ID)
		if call.CommittedCents != 60_000_00 || call.LeftCents != 40_000_00 {
			t.Fatalf("call after selection: committed %d, left %d", call.CommittedCents, call.LeftCents)
		}
		// 50 000 € asked, 40 000 € left: refused, nothing changes.
		before := snapshot(t, env, w.f)
		_, err = s.DecideApplication(w.state, second.ID, passnum.Decision{Selected: true, Reason: "Aussi."})
		if passnum.ErrorReason(err) != passnum.ReasonEnvelopeExceeded || !strings.Contains(passnum.ErrorMessage(err), passnum.FrenchEuros(40_000_00)) {
			t.Fatalf("over-envelope selection: %v", err)
		}
		if got, _ := s.FindApplication(w.state, second.ID); got.Status != passnum.ApplicationSubmitted || before != snapshot(t, env, w.f) {
			t.Fatalf("a refused selection changed something: %s", got.Status)
		}
		refused, err := s.DecideApplication(w.state, second.ID, passnum.Decision{Reason: "Enveloppe épuisée."})
		if err != nil || refused.Status != passnum.ApplicationRefused || refused.Reason != "Enveloppe épuisée." || refused.DecidedAt == nil {
			t.Fatalf("refusal: %+v, %v", refused, err)
		}
		if _, err := s.DecideApplication(w.state, second.ID, passnum.Decision{Selected: true, Reason: "Finalement."}); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("deciding twice: %v", err)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}

func TestConventionToProgramme(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		in := w.input(50_000_00, 30_000_00, 20_000_00)
		p, err := s.SaveApplication(w.dept, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitApplication(w.dept, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: p.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"}); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("a convention before selection: %v", err)
		}
		if _, err := s.DecideApplication(w.state, p.ID, passnum.Decision{Selected: true, Reason: "Retenue."}); err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: p.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if c.TotalCents != 100_000_00 || len(c.Parties) != 3 || c.Signed || c.FunderTotal(w.f.State.ID) != 50_000_00 {
			t.Fatalf("convention %+v", c)
		}
		if _, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: p.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"}); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("a second convention: %v", err)
		}
		// The foundation reads the convention it is party to; a funder
		// with nothing to do with it does not.
		if _, err := s.FindConvention(st.As(st.Actor(w.foundation, passnum.RoleAgent)), c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindConvention(st.As(st.Actor(w.other, passnum.RoleAdmin)), c.ID); passnum.ErrorCode(err) != passnum.ENOTFOUND {
			t.Fatalf("an unrelated funder reads the convention: %v", err)
		}
		prog := passnum.ConventionProgramme{Name: "Pass numérique Ille-et-Vilaine", ValidFrom: "2027-05-01", ValidUntil: "2028-12-31"}
		if _, err := s.CreateProgrammeFromConvention(st.As(w.f.Operator), c.ID, prog); passnum.ErrorReason(err) != passnum.ReasonApplicationState {
			t.Fatalf("a programme before signatures: %v", err)
		}
		if _, err := s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: w.other.ID, SignedOn: "2027-03-10"}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("a signature of a non-party: %v", err)
		}
		if _, err := s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: w.f.State.ID, SignedOn: "2027-03-16"}); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("a signature tomorrow: %v", err)
		}
		for _, party := range []int64{w.f.State.ID, w.f.Dept.ID, w.foundation.ID} {
			if c, err = s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: party, SignedOn: "2027-03-14"}); err != nil {
				t.Fatal(err)
			}
		}
		if !c.Signed {
			t.Fatalf("convention not signed after its three parties: %+v", c.Parties)
		}
		if _, err := s.CreateProgrammeFromConvention(w.state, c.ID, prog); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("a funder creates the programme: %v", err)
		}
		pr, err := s.CreateProgrammeFromConvention(st.As(w.f.Operator), c.ID, prog)
		if err != nil {
			t.Fatal(err)
		}
		// Shares as written by hand: 50 %, 30 %, 20 %; the budget is
		// what 100 000 € pay for once the 4 % fee is taken.
		want := map[int64]int{w.f.State.ID: 5000, w.f.Dept.ID: 3000, w.foundation.ID: 2000}
		for _, f := range pr.Funders {
			if want[f.FunderID] != f.ShareBP {
				t.Fatalf("programme shares %+v, want %v", pr.Funders, want)
			}
		}
		if len(pr.Funders) != 3 || pr.BudgetCents != 96_153_84 || strings.Join(pr.Territory, " ") != "departement:35" {
			t.Fatalf("programme %+v", pr)
		}
		if c, _ = s.FindConvention(w.state, c.ID); len(c.Programmes) != 1 || c.Programmes[0] != pr.ID {
			t.Fatalf("convention's programmes %v", c.Programmes)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}

// TestConventionShares: the split of a convention's amounts into basis
// points always sums to 10 000, remainders to the largest fractions.
func TestConventionShares(t *testing.T) {
	cases := []struct {
		amounts []int64
		want    []int
	}{
		{[]int64{50, 50}, []int{5000, 5000}},
		{[]int64{1, 1, 1}, []int{3334, 3333, 3333}},
		{[]int64{2, 1}, []int{6667, 3333}},
		{[]int64{1_000_000_00, 1}, []int{10000}},
	}
	for _, tc := range cases {
		c := &passnum.Convention{}
		for i, a := range tc.amounts {
			c.Amounts = append(c.Amounts, passnum.FundingLine{FunderID: int64(i + 1), Year: 2027, AmountCents: a})
		}
		got := c.Shares()
		var bp []int
		for _, s := range got {
			bp = append(bp, s.ShareBP)
		}
		if !slices.Equal(bp, tc.want) {
			t.Errorf("shares of %v: %v, want %v", tc.amounts, bp, tc.want)
		}
	}
}

// signedConvention is the département's application selected, its
// convention signed by the State and the département, and its programme.
func (w *callWorld) signedConvention(t *testing.T, env *st.Env, asked, own int64) (*passnum.Convention, *passnum.Programme) {
	t.Helper()
	s := env.Store
	p := w.submitted(t, env, w.f.Dept, asked, own)
	if _, err := s.DecideApplication(w.state, p.ID, passnum.Decision{Selected: true, Reason: "Retenue."}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateConvention(w.state, passnum.ConventionCreate{ApplicationID: p.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	for _, party := range []int64{w.f.State.ID, w.f.Dept.ID} {
		if c, err = s.SignConvention(w.state, c.ID, passnum.Signature{FunderID: party, SignedOn: "2027-03-15"}); err != nil {
			t.Fatal(err)
		}
	}
	pr, err := s.CreateProgrammeFromConvention(st.As(w.f.Operator), c.ID, passnum.ConventionProgramme{Name: "Pass 35", ValidFrom: "2027-05-01", ValidUntil: "2028-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	return c, pr
}

func TestAddenda(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		c, pr := w.signedConvention(t, env, 40_000_00, 40_000_00)
		// The département paid 30 000 € of its 40 000 €.
		if _, err := s.RecordFunds(st.As(w.f.Operator), passnum.FundsCreate{ProgrammeID: pr.ID, FunderID: w.f.Dept.ID, Reference: "OP-35-1", AmountCents: 30_000_00, ReceivedOn: "2027-03-15"}); err != nil {
			t.Fatal(err)
		}
		line := func(funder int64, year int, cents int64) []passnum.FundingLine {
			return []passnum.FundingLine{{FunderID: funder, Year: year, AmountCents: cents}}
		}
		cases := []struct {
			name   string
			ctx    context.Context
			in     passnum.AddendumCreate
			reason string
		}{
			{"below what was paid", w.state, passnum.AddendumCreate{Reason: "Baisse", Amounts: line(w.f.Dept.ID, 2027, 29_999_99)}, passnum.ReasonBelowPaid},
			{"State above half", w.state, passnum.AddendumCreate{Reason: "Hausse de l'État", Amounts: line(w.f.State.ID, 2027, 40_000_01)}, passnum.ReasonMatchingRule},
			{"beyond the envelope", w.state, passnum.AddendumCreate{Reason: "Hausse", Amounts: []passnum.FundingLine{
				{FunderID: w.f.State.ID, Year: 2028, AmountCents: 60_000_01}, {FunderID: w.foundation.ID, Year: 2028, AmountCents: 100_000_00}}}, passnum.ReasonEnvelopeExceeded},
			{"no change", w.state, passnum.AddendumCreate{Reason: "Rien", Amounts: line(w.f.Dept.ID, 2027, 40_000_00)}, passnum.ReasonInvalidInput},
			{"no reason", w.state, passnum.AddendumCreate{Amounts: line(w.foundation.ID, 2027, 1)}, passnum.ReasonInvalidInput},
			{"by the applicant", w.dept, passnum.AddendumCreate{Reason: "Moi", Amounts: line(w.foundation.ID, 2027, 1)}, passnum.ReasonForbidden},
			{"by an unrelated funder", st.As(st.Actor(w.other, passnum.RoleAdmin)), passnum.AddendumCreate{Reason: "Moi", Amounts: line(w.foundation.ID, 2027, 1)}, passnum.ReasonNotFound},
		}
		before := snapshot(t, env, w.f)
		for _, tc := range cases {
			_, err := s.CreateAddendum(tc.ctx, c.ID, tc.in)
			if passnum.ErrorReason(err) != tc.reason || passnum.ErrorMessage(err) == "" {
				t.Fatalf("%s: %v, want %s", tc.name, err, tc.reason)
			}
			if after := snapshot(t, env, w.f); after != before {
				t.Fatalf("%s: a refused addendum changed the data", tc.name)
			}
		}
		if list, _ := s.ListAddenda(w.state, c.ID); len(list) != 0 {
			t.Fatalf("%d addenda after refusals", len(list))
		}
		// A foundation brought in (with more of the State), then the
		// département down to exactly what it paid.
		ad, err := s.CreateAddendum(w.state, c.ID, passnum.AddendumCreate{Reason: "Entrée de la Fondation Orange", Amounts: []passnum.FundingLine{
			{FunderID: w.foundation.ID, Year: 2028, AmountCents: 20_000_00}, {FunderID: w.f.State.ID, Year: 2028, AmountCents: 10_000_00}}})
		if err != nil {
			t.Fatal(err)
		}
		if ad.Number != 1 || len(ad.Lines) != 2 {
			t.Fatalf("addendum %+v", ad)
		}
		if ad, err = s.CreateAddendum(w.state, c.ID, passnum.AddendumCreate{Reason: "Ajustement", Amounts: line(w.f.Dept.ID, 2027, 30_000_00)}); err != nil {
			t.Fatal(err)
		}
		if ad.Number != 2 || len(ad.Lines) != 1 {
			t.Fatalf("addendum %+v", ad)
		}
		c, _ = s.FindConvention(w.state, c.ID)
		call, _ := s.FindCall(w.state, w.call.ID)
		if c.TotalCents != 100_000_00 || c.FunderTotal(w.f.State.ID) != 50_000_00 || len(c.Parties) != 3 || c.Signed || call.CommittedCents != 50_000_00 {
			t.Fatalf("after two addenda: total %d, State %d, %d parties, committed %d", c.TotalCents, c.FunderTotal(w.f.State.ID), len(c.Parties), call.CommittedCents)
		}
		// The history: the département reads both addenda, and undoing
		// them gives the amounts first signed.
		list, err := s.ListAddenda(w.dept, c.ID)
		if err != nil || len(list) != 2 || list[1].Lines[0].BeforeCents != 40_000_00 || list[1].Lines[0].AfterCents != 30_000_00 {
			t.Fatalf("addenda %+v, %v", list, err)
		}
		first := passnum.AmountsBefore(c.Amounts, list)
		if len(first) != 2 || first[0].AmountCents != 40_000_00 || first[1].AmountCents != 40_000_00 {
			t.Fatalf("amounts before the addenda: %+v", first)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}

func TestMoneyIn(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		w := newCallWorld(t, env)
		s := env.Store
		c, pr := w.signedConvention(t, env, 40_000_00, 40_000_00)
		cases := []struct {
			name   string
			in     passnum.FundCallCreate
			reason string
		}{
			{"more than committed", passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 40_000_01, DueOn: "2027-03-10"}, passnum.ReasonOverCalled},
			{"a year without amount", passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2028, AmountCents: 1, DueOn: "2027-03-10"}, passnum.ReasonInvalidInput},
			{"no due date", passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 1}, passnum.ReasonInvalidInput},
			{"good, due five days ago", passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 20_000_00, DueOn: "2027-03-10"}, ""},
			{"good, due next month", passnum.FundCallCreate{FunderID: w.f.State.ID, Year: 2027, AmountCents: 25_000_00, DueOn: "2027-04-15"}, ""},
			{"beyond what is left to call", passnum.FundCallCreate{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 20_000_01, DueOn: "2027-05-10"}, passnum.ReasonOverCalled},
		}
		for _, tc := range cases {
			_, err := s.CallForFunds(w.state, c.ID, tc.in)
			if passnum.ErrorReason(err) != tc.reason {
				t.Fatalf("%s: %v, want %q", tc.name, err, tc.reason)
			}
		}
		if _, err := s.CallForFunds(w.dept, c.ID, cases[3].in); passnum.ErrorCode(err) != passnum.EFORBIDDEN {
			t.Fatalf("the applicant calls for funds: %v", err)
		}
		if _, err := s.RecordFunds(st.As(w.f.Operator), passnum.FundsCreate{ProgrammeID: pr.ID, FunderID: w.f.Dept.ID, Reference: "CD35-1", AmountCents: 10_000_00, ReceivedOn: "2027-03-12"}); err != nil {
			t.Fatal(err)
		}
		m, err := s.MoneyIn(w.dept, c.ID)
		if err != nil || len(m.Calls) != 2 {
			t.Fatalf("money in %+v, %v", m, err)
		}
		want := map[int64]passnum.FunderMoney{
			w.f.State.ID: {CommittedCents: 40_000_00, CalledCents: 25_000_00, ReceivedCents: 0, OwedCents: 25_000_00, Late: false},
			w.f.Dept.ID:  {CommittedCents: 40_000_00, CalledCents: 20_000_00, ReceivedCents: 10_000_00, OwedCents: 10_000_00, Late: true},
		}
		for _, got := range m.Funders {
			w := want[got.FunderID]
			w.FunderID, w.FunderName = got.FunderID, got.FunderName
			if got != w {
				t.Errorf("standing %+v, want %+v", got, w)
			}
		}
		// An addendum cannot bring the département under what was called.
		if _, err := s.CreateAddendum(w.state, c.ID, passnum.AddendumCreate{Reason: "Baisse", Amounts: []passnum.FundingLine{{FunderID: w.f.Dept.ID, Year: 2027, AmountCents: 19_999_99}}}); passnum.ErrorReason(err) != passnum.ReasonOverCalled {
			t.Fatalf("an addendum under what was called: %v", err)
		}
		st.MustCheck(t, env, w.f.Operator)
	})
}
