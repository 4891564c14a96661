package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestCallPages walks the funder's pages of a call for projects: the call
// with its application and envelope, the decision form (a decision
// without reason is a form to correct, nothing changes), questions and
// answers, the convention and its PDF; and the applicant's form, whose
// budget above the matching rule stays a draft.
func TestCallPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		s := newSite(t, env, Options{})
		f, st := s.f, env.Store
		state := s.as(passnum.KindFunder, passnum.RoleAdmin)
		stateCtx := storetest.As(storetest.Actor(f.State, passnum.RoleAdmin))
		deptCtx := storetest.As(storetest.Actor(f.Dept, passnum.RoleAdmin))
		call, err := st.CreateCall(stateCtx, passnum.CallCreate{Title: "AAP Bretagne", EnvelopeCents: 100_000_00,
			ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantDepartement}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30",
			Questions: []string{"Quels lieux ?"}})
		if err != nil {
			t.Fatal(err)
		}
		app, err := st.SaveApplication(deptCtx, passnum.ApplicationInput{CallID: call.ID, ApplicantKind: passnum.ApplicantDepartement, Title: "Plan 35",
			Territory: []string{"departement:35"}, Targets: passnum.ActionTargets{People: 10, Passes: 100},
			Lines:   []passnum.FundingLine{{FunderID: f.State.ID, Year: 2027, AmountCents: 30_000_00}, {FunderID: f.Dept.ID, Year: 2027, AmountCents: 30_000_00}},
			Answers: []string{"La Quincaillerie"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitApplication(deptCtx, app.ID); err != nil {
			t.Fatal(err)
		}
		if a := s.get(state, "/financeur/appels"); a.status != http.StatusOK || !strings.Contains(a.text(), "AAP Bretagne") {
			t.Fatalf("calls page: %d %s", a.status, a.text())
		}
		a := s.get(state, fmt.Sprintf("/financeur/appels/%d", call.ID))
		if a.status != http.StatusOK || !strings.Contains(a.text(), "Plan 35") || !strings.Contains(a.text(), "Reste à engager") {
			t.Fatalf("call page: %d %s", a.status, a.text())
		}
		page := fmt.Sprintf("/financeur/candidatures/%d", app.ID)
		if a := s.get(state, page); a.status != http.StatusOK || !strings.Contains(a.text(), "La Quincaillerie") || !strings.Contains(a.text(), "Retenir") {
			t.Fatalf("application page: %d %s", a.status, a.text())
		}
		if a := s.post(state, page+"/decision", url.Values{"selected": {"1"}}); a.status != http.StatusBadRequest || !strings.Contains(a.text(), "motif") {
			t.Fatalf("decision without reason: %d %s", a.status, a.text())
		}
		if got, _ := st.FindApplication(stateCtx, app.ID); got.Status != passnum.ApplicationSubmitted {
			t.Fatalf("a refused decision changed the status: %s", got.Status)
		}
		if a := s.post(state, page+"/messages", url.Values{"body": {"Quel calendrier ?"}}); a.status != http.StatusSeeOther {
			t.Fatalf("message: %d %s", a.status, a.text())
		}
		if a := s.post(state, page+"/decision", url.Values{"selected": {"1"}, "reason": {"Plan complet."}}); a.status != http.StatusSeeOther {
			t.Fatalf("decision: %d %s", a.status, a.text())
		}
		if a := s.get(state, page); !strings.Contains(a.text(), "retenue") || !strings.Contains(a.text(), "Quel calendrier ?") {
			t.Fatalf("application after the decision: %s", a.text())
		}
		conv, err := st.CreateConvention(stateCtx, passnum.ConventionCreate{ApplicationID: app.ID, StartsOn: "2027-04-01", EndsOn: "2028-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CallForFunds(stateCtx, conv.ID, passnum.FundCallCreate{FunderID: f.Dept.ID, Year: 2027, AmountCents: 10_000_00, DueOn: "2027-03-01"}); err != nil {
			t.Fatal(err)
		}
		if a := s.get(state, fmt.Sprintf("/financeur/conventions/%d", conv.ID)); a.status != http.StatusOK || !strings.Contains(a.text(), "en attente") || !strings.Contains(a.text(), "en retard") {
			t.Fatalf("convention page: %d %s", a.status, a.text())
		}
		if a := s.get(state, fmt.Sprintf("/financeur/conventions/%d/convention.pdf", conv.ID)); a.status != http.StatusOK || !strings.HasPrefix(a.body, "%PDF") {
			t.Fatalf("convention PDF: %d", a.status)
		}
		// The State applies to the département's call: half is the most.
		other, err := st.CreateCall(storetest.As(f.Operator), passnum.CallCreate{FunderID: f.Dept.ID, Title: "AAP du département", EnvelopeCents: 50_000_00,
			ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantRegion}, OpensOn: "2027-03-01", ClosesOn: "2027-04-30"})
		if err != nil {
			t.Fatal(err)
		}
		form := fmt.Sprintf("/financeur/appels/%d/candidature", other.ID)
		if a := s.get(state, form); a.status != http.StatusOK || !strings.Contains(a.text(), "Déposer la candidature") {
			t.Fatalf("application form: %d %s", a.status, a.text())
		}
		a = s.post(state, form, url.Values{"title": {"Plan régional"}, "applicant_kind": {"region"}, "territory": {"region:53"}, "people": {"10"}, "passes": {"100"},
			"asked_0": {"6 000"}, "own_0": {"4 000"}, "submit": {"1"}})
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/financeur/candidatures/") {
			t.Fatalf("application sent: %d %s", a.status, a.text())
		}
		if !strings.Contains(a.flash(), "Brouillon enregistré, mais pas déposé") || !strings.Contains(a.flash(), "50") {
			t.Fatalf("the answer does not say why the draft was not submitted: %q", a.flash())
		}
		apps, _, err := st.ListApplications(stateCtx, passnum.ApplicationFilter{CallID: other.ID})
		if err != nil || len(apps) != 1 || apps[0].Status != passnum.ApplicationDraft {
			t.Fatalf("the application above the rule: %v (%v), want a draft", apps, err)
		}
		if asked, total := apps[0].Totals(f.Dept.ID); asked != 6_000_00 || total != 10_000_00 {
			t.Fatalf("budget read from the form: %d of %d", asked, total)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
