package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestCallsAPI walks a call and an application through the API: a
// refused submission is a problem+json in French and changes nothing;
// the open call is on the public list without a token.
func TestCallsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 1})
		a := newAPI(t, env)
		state, dept := a.token(f.State.ID, passnum.RoleAdmin), a.token(f.Dept.ID, passnum.RoleAdmin)
		var call passnum.Call
		a.do(state, "POST", "/api/v1/calls", map[string]any{"title": "AAP 2027", "envelope_cents": 50_000_00,
			"applicant_kinds": []string{"departement"}, "opens_on": "2027-03-01", "closes_on": "2027-04-30",
			"questions": []string{"Quels lieux ?"}}).ok(http.StatusCreated, &call)
		if call.MaxShareBP != passnum.DefaultMaxShareBP || call.LeftCents != 50_000_00 {
			t.Fatalf("call %+v", call)
		}
		var open struct{ Items []passnum.Call }
		a.do("", "GET", "/api/v1/public/calls", nil).ok(http.StatusOK, &open)
		if len(open.Items) != 1 || open.Items[0].ID != call.ID {
			t.Fatalf("public calls %+v", open)
		}
		var app passnum.Application
		a.do(dept, "POST", "/api/v1/applications", map[string]any{"call_id": call.ID, "applicant_kind": "departement", "title": "Plan 35",
			"territory": []string{"departement:35"}, "targets": map[string]int{"people": 100, "passes": 1000},
			"lines":   []map[string]any{{"funder_id": f.State.ID, "year": 2027, "amount_cents": 6_000_00}, {"funder_id": f.Dept.ID, "year": 2027, "amount_cents": 4_000_00}},
			"answers": []string{"La Quincaillerie"}}).ok(http.StatusCreated, &app)
		path := fmt.Sprintf("/api/v1/applications/%d", app.ID)
		p := a.do(dept, "POST", path+"/submission", nil).problem(http.StatusUnprocessableEntity, passnum.ReasonMatchingRule)
		if !strings.Contains(p.Detail, passnum.FrenchPercent(5000)) {
			t.Fatalf("detail %q does not give the rule", p.Detail)
		}
		var again passnum.Application
		a.do(dept, "GET", path, nil).ok(http.StatusOK, &again)
		if again.Status != passnum.ApplicationDraft {
			t.Fatalf("status %s after a refused submission", again.Status)
		}
		// The call's funder does not read a draft; a venue may not read
		// applications at all.
		a.do(state, "GET", path, nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(a.token(f.Venue.ID, passnum.RoleAdmin), "GET", path, nil).problem(http.StatusForbidden, passnum.ReasonForbidden)
		a.do(dept, "PUT", path, map[string]any{"call_id": call.ID, "applicant_kind": "departement", "title": "Plan 35",
			"territory": []string{"departement:35"}, "targets": map[string]int{"people": 100, "passes": 1000},
			"lines":   []map[string]any{{"funder_id": f.State.ID, "year": 2027, "amount_cents": 5_000_00}, {"funder_id": f.Dept.ID, "year": 2027, "amount_cents": 5_000_00}},
			"answers": []string{"La Quincaillerie"}}).ok(http.StatusOK, nil)
		a.do(dept, "POST", path+"/submission", nil).ok(http.StatusOK, &again)
		if again.Status != passnum.ApplicationSubmitted {
			t.Fatalf("status %s", again.Status)
		}
		a.do(state, "POST", path+"/messages", map[string]any{"body": "Quel calendrier ?"}).ok(http.StatusCreated, nil)
		var msgs struct{ Items []passnum.ApplicationMessage }
		a.do(dept, "GET", path+"/messages", nil).ok(http.StatusOK, &msgs)
		if len(msgs.Items) != 1 || msgs.Items[0].AuthorOrgID != f.State.ID {
			t.Fatalf("messages %+v", msgs)
		}
	})
}

// TestConventionAPI: from a selected application to its programme through
// the API, with the convention's PDF, an addendum bringing a foundation in
// and its own PDF; an addendum below what was paid is a problem+json and
// changes nothing.
func TestConventionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 1})
		a := newAPI(t, env)
		op, state, dept := a.operatorToken(), a.token(f.State.ID, passnum.RoleAdmin), a.token(f.Dept.ID, passnum.RoleAdmin)
		foundation, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation Orange"})
		if err != nil {
			t.Fatal(err)
		}
		var call passnum.Call
		a.do(state, "POST", "/api/v1/calls", map[string]any{"title": "AAP 2027", "envelope_cents": 50_000_00,
			"applicant_kinds": []string{"departement"}, "opens_on": "2027-03-01", "closes_on": "2027-04-30"}).ok(http.StatusCreated, &call)
		var app passnum.Application
		a.do(dept, "POST", "/api/v1/applications", map[string]any{"call_id": call.ID, "applicant_kind": "departement", "title": "Plan 35",
			"territory": []string{"departement:35"}, "targets": map[string]int{"people": 100, "passes": 1000},
			"lines": []map[string]any{{"funder_id": f.State.ID, "year": 2027, "amount_cents": 10_000_00}, {"funder_id": f.Dept.ID, "year": 2027, "amount_cents": 10_000_00}}}).ok(http.StatusCreated, &app)
		path := fmt.Sprintf("/api/v1/applications/%d", app.ID)
		a.do(dept, "POST", path+"/submission", nil).ok(http.StatusOK, nil)
		a.do(state, "POST", path+"/decision", map[string]any{"selected": true, "reason": "Retenue."}).ok(http.StatusOK, nil)
		var c passnum.Convention
		a.do(state, "POST", "/api/v1/conventions", map[string]any{"application_id": app.ID, "starts_on": "2027-04-01", "ends_on": "2028-12-31"}).ok(http.StatusCreated, &c)
		conv := fmt.Sprintf("/api/v1/conventions/%d", c.ID)
		res := a.do(dept, "GET", conv+"/convention.pdf", nil).ok(http.StatusOK, nil)
		if text := storetest.OpenedText(t, res.body); !strings.HasPrefix(string(res.body), "%PDF") || !strings.Contains(text, "Plan 35") {
			t.Fatalf("convention PDF does not name the plan")
		}
		for _, party := range []int64{f.State.ID, f.Dept.ID} {
			a.do(state, "POST", conv+"/signatures", map[string]any{"funder_id": party, "signed_on": "2027-03-14"}).ok(http.StatusOK, &c)
		}
		var prog passnum.Programme
		a.do(op, "POST", conv+"/programmes", map[string]any{"name": "Pass numérique 35", "valid_from": "2027-05-01", "valid_until": "2028-12-31"}).ok(http.StatusCreated, &prog)
		a.do(op, "POST", fmt.Sprintf("/api/v1/programmes/%d/funds", prog.ID), map[string]any{"funder_id": f.Dept.ID, "reference": "OP-35", "amount_cents": 8_000_00, "received_on": "2027-03-15"}).ok(http.StatusCreated, nil)
		// The département paid 8 000 €: its commitment cannot go to 7 000 €.
		p := a.do(state, "POST", conv+"/addenda", map[string]any{"reason": "Baisse", "amounts": []map[string]any{{"funder_id": f.Dept.ID, "year": 2027, "amount_cents": 7_000_00}}}).
			problem(http.StatusUnprocessableEntity, passnum.ReasonBelowPaid)
		if !strings.Contains(p.Detail, passnum.FrenchEuros(8_000_00)) {
			t.Fatalf("detail %q does not say what was paid", p.Detail)
		}
		var ad passnum.Addendum
		a.do(state, "POST", conv+"/addenda", map[string]any{"reason": "Entrée de la Fondation Orange", "amounts": []map[string]any{{"funder_id": foundation.ID, "year": 2028, "amount_cents": 5_000_00}}}).ok(http.StatusCreated, &ad)
		if ad.Number != 1 || len(ad.Lines) != 1 || ad.Lines[0].BeforeCents != 0 || ad.Lines[0].AfterCents != 5_000_00 {
			t.Fatalf("addendum %+v", ad)
		}
		res = a.do(dept, "GET", conv+"/addenda/1/addendum.pdf", nil).ok(http.StatusOK, nil)
		if text := storetest.OpenedText(t, res.body); !strings.Contains(text, "Fondation Orange") {
			t.Fatalf("addendum PDF does not name the foundation")
		}
		a.do(dept, "GET", conv+"/addenda/2/addendum.pdf", nil).problem(http.StatusNotFound, passnum.ReasonNotFound)
		a.do(state, "GET", conv, nil).ok(http.StatusOK, &c)
		if c.TotalCents != 25_000_00 || len(c.Parties) != 3 || c.Signed {
			t.Fatalf("convention after the addendum: %+v", c)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
