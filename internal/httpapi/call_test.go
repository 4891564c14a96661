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
