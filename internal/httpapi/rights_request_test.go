package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRightsRequestsAPI records, extends and answers requests of the
// register through the API, and sends it bad input: each refusal is a
// problem with a French detail, and changes nothing.
func TestRightsRequestsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		presc := a.token(f.Prescriber.ID, passnum.RoleAgent)

		var letter passnum.RightsRequest
		res := a.do(op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-0000-0001", "kind": "erasure", "channel": "post",
			"received_on": "2027-03-01", "details": "Effacer mes données."}).ok(http.StatusCreated, &letter)
		if letter.DueOn != "2027-04-01" || res.header.Get("Location") != fmt.Sprintf("/api/v1/rights-requests/%d", letter.ID) {
			t.Errorf("recorded %+v at %q, want due 2027-04-01", letter, res.header.Get("Location"))
		}
		var asked passnum.RightsRequest
		a.do(presc, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-9999-9999", "kind": "access", "channel": "post"}).ok(http.StatusCreated, &asked)
		if asked.Channel != passnum.ChannelPrescriber {
			t.Errorf("a prescriber's request came by %q, want prescriber", asked.Channel)
		}

		path := fmt.Sprintf("/api/v1/rights-requests/%d", letter.ID)
		var ext passnum.RightsRequest
		a.do(op, "POST", path+"/extension", map[string]any{"reason": "Plusieurs carnets à retrouver."}).ok(http.StatusOK, &ext)
		if !ext.Extended || ext.DueOn != "2027-06-01" {
			t.Errorf("extended: %+v, want due 2027-06-01", ext)
		}
		var ans passnum.RightsRequest
		a.do(op, "POST", path+"/answer", map[string]any{"answered_on": "2027-03-12", "answer": "Données effacées."}).ok(http.StatusOK, &ans)
		if ans.AnsweredOn != "2027-03-12" || ans.Open() {
			t.Errorf("answered: %+v", ans)
		}

		for _, tc := range []struct {
			name         string
			token        string
			method, path string
			body         any
			status       int
			reason       string
		}{
			{"unknown right", op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-1", "kind": "forget", "channel": "post"}, 400, "invalid-input"},
			{"no reference", op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "", "kind": "access", "channel": "post"}, 400, "invalid-input"},
			{"bad date", op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-1", "kind": "access", "channel": "post", "received_on": "01/03/2027"}, 400, "invalid-input"},
			{"unknown field", op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-1", "kind": "access", "channel": "post", "due_on": "2030-01-01"}, 400, "unknown-field"},
			{"control character", op, "POST", "/api/v1/rights-requests", map[string]any{"ref": "B-1\x00", "kind": "access", "channel": "post"}, 422, "control-character"},
			{"answered twice", op, "POST", path + "/answer", map[string]any{"answer": "Autre chose."}, 409, passnum.ReasonRightsRequestAnswered},
			{"extended after the answer", op, "POST", path + "/extension", map[string]any{"reason": "encore"}, 409, passnum.ReasonRightsRequestAnswered},
			{"empty answer", op, "POST", fmt.Sprintf("/api/v1/rights-requests/%d/answer", asked.ID), map[string]any{"answer": ""}, 400, "invalid-input"},
			{"unknown request", op, "GET", "/api/v1/rights-requests/999999", nil, 404, "not-found"},
			{"bad id", op, "GET", "/api/v1/rights-requests/abc", nil, 400, "invalid-input"},
			{"bad open", op, "GET", "/api/v1/rights-requests?open=peut-etre", nil, 400, "invalid-input"},
			{"bad due_by", op, "GET", "/api/v1/rights-requests?due_by=demain", nil, 400, "invalid-input"},
			{"a prescriber reads", presc, "GET", fmt.Sprintf("/api/v1/rights-requests/%d", asked.ID), nil, 403, "forbidden"},
			{"a prescriber answers", presc, "POST", fmt.Sprintf("/api/v1/rights-requests/%d/answer", asked.ID), map[string]any{"answer": "Voici."}, 403, "forbidden"},
		} {
			p := a.do(tc.token, tc.method, tc.path, tc.body).problem(tc.status, tc.reason)
			if p.Detail == "" {
				t.Errorf("%s: no detail", tc.name)
			}
		}
		var list page[passnum.RightsRequest]
		a.do(op, "GET", "/api/v1/rights-requests", nil).ok(http.StatusOK, &list)
		if list.Total != 2 || len(list.Items) != 2 || list.Items[0].ID != asked.ID || list.Items[1].Answer != "Données effacées." {
			t.Errorf("register after refusals: %+v, want the open request then the answered one, unchanged", list)
		}
		var byRef page[passnum.RightsRequest]
		a.do(op, "GET", "/api/v1/rights-requests?ref=b-0000-0001", nil).ok(http.StatusOK, &byRef)
		if byRef.Total != 1 || byRef.Items[0].ID != letter.ID {
			t.Errorf("requests of b-0000-0001: %+v", byRef)
		}
		var open page[passnum.RightsRequest]
		a.do(op, "GET", "/api/v1/rights-requests?open=true&due_by=2027-04-30", nil).ok(http.StatusOK, &open)
		if open.Total != 1 || open.Items[0].ID != asked.ID {
			t.Errorf("open and due by 2027-04-30: %+v", open)
		}
	})
}
