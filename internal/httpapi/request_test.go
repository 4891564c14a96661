package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestRequests covers how the API reads requests: JSON bodies, parameters,
// unknown routes, and the list envelope.
func TestRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := a.operatorToken()
		issue := fmt.Sprintf("/api/v1/programmes/%d/batches", f.Programme.ID)

		p := a.do(op, "POST", "/api/v1/organisations", `{"kind": "funder", "name": "Fondation", "colour": "bleu"}`).problem(http.StatusBadRequest, "unknown-field")
		if p.Field != "colour" || !strings.Contains(p.Detail, "colour") {
			t.Fatalf("unknown field: %+v", p)
		}
		p = a.do(op, "POST", "/api/v1/carnets/1/distribution", `{"beneficiary": {"commune_insee": "35238", "shoe_size": 42}}`).problem(http.StatusBadRequest, "unknown-field")
		if p.Field != "shoe_size" {
			t.Fatalf("unknown nested field: %+v", p)
		}
		p = a.do(op, "POST", issue, `{"carnets": "dix"}`).problem(http.StatusBadRequest, "invalid-input")
		if p.Field != "carnets" || !strings.Contains(p.Detail, "nombre entier") {
			t.Fatalf("wrong type: %+v", p)
		}
		a.do(op, "POST", issue, `{"carnets": 1`).problem(http.StatusBadRequest, "invalid-json")
		a.do(op, "POST", issue, `{"carnets": 1} {"carnets": 2}`).problem(http.StatusBadRequest, "invalid-json")
		a.do(op, "POST", issue, `[1]`).problem(http.StatusBadRequest, "invalid-json")
		a.do(op, "POST", issue, ``).problem(http.StatusBadRequest, "invalid-json")
		big := `{"name": "` + strings.Repeat("a", 1<<20) + `"}`
		a.do(op, "POST", "/api/v1/organisations", big).problem(http.StatusRequestEntityTooLarge, "body-too-large")
		a.do(op, "POST", issue, `{"carnets": 1}`, header{"Content-Type", "text/plain"}).problem(http.StatusUnsupportedMediaType, "unsupported-media-type")
		a.do(op, "POST", issue, `{"carnets": 1}`, header{"Content-Type", "application/json; charset=utf-8"}).ok(http.StatusCreated, nil)

		// Problems of the service keep their field.
		p = a.do(op, "POST", "/api/v1/organisations", map[string]any{"kind": "venue", "name": "Lieu", "siret": "123", "commune_insee": "35238"}).problem(http.StatusBadRequest, "invalid-input")
		if p.Field != "siret" {
			t.Fatalf("invalid siret: %+v", p)
		}
		p = a.do(op, "POST", "/api/v1/organisations", map[string]any{"kind": "venue", "name": "Copie", "siret": f.Venue.SIRET, "commune_insee": "35238"}).problem(http.StatusConflict, "siret-taken")
		if p.Field != "siret" {
			t.Fatalf("siret taken: %+v", p)
		}

		// Parameters.
		a.do(op, "GET", "/api/v1/organisations/abc", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/organisations/0", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/organisations/999999", nil).problem(http.StatusNotFound, "not-found")
		a.do(op, "GET", "/api/v1/organisations?limit=0", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/organisations?limit=501", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/organisations?offset=-1", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/organisations?kind=bank", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "GET", "/api/v1/carnets?distributed=maybe", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(op, "POST", fmt.Sprintf("/api/v1/services/%d/active", f.Service.ID), map[string]any{}).problem(http.StatusBadRequest, "invalid-input")

		// The list envelope.
		var orgs page[passnum.Organisation]
		a.do(op, "GET", "/api/v1/organisations?offset=1&limit=2", nil).ok(http.StatusOK, &orgs)
		if orgs.Total != 8 || len(orgs.Items) != 2 || orgs.Offset != 1 || orgs.Limit != 2 || orgs.Items[0].ID != f.State.ID {
			t.Fatalf("organisations page: %+v", orgs)
		}
		var carnets page[passnum.Carnet]
		a.do(op, "GET", fmt.Sprintf("/api/v1/carnets?programme_id=%d&distributed=true", f.Programme.ID), nil).ok(http.StatusOK, &carnets)
		if carnets.Total != 6 || carnets.Limit != 50 {
			t.Fatalf("distributed carnets: %+v", carnets)
		}
		var services page[passnum.CatalogueService]
		a.do(op, "GET", fmt.Sprintf("/api/v1/venues/%d/services?offset=5", f.Venue.ID), nil).ok(http.StatusOK, &services)
		if services.Total != 1 || services.Items == nil || len(services.Items) != 0 {
			t.Fatalf("page past the end: %+v", services)
		}

		// Routes that do not exist still answer problem+json.
		a.do(op, "GET", "/api/v1/nowhere", nil).problem(http.StatusNotFound, "not-found")
		res := a.do(op, "DELETE", "/api/v1/organisations", nil)
		res.problem(http.StatusMethodNotAllowed, "method-not-allowed")
		if allow := res.header.Values("Allow"); len(allow) != 2 || allow[0] != "GET" || allow[1] != "POST" {
			t.Fatalf("Allow: %v", allow)
		}
	})
}

// TestInternalErrors: an error that is not the service's own is logged
// with its detail and shown only as the generic French message.
func TestInternalErrors(t *testing.T) {
	env := storetest.OpenSQLite(t)
	a := newAPI(t, env)
	op := a.operatorToken()
	env.Store.Close() // from now on every query fails with a driver error
	p := a.do(op, "GET", "/api/v1/programmes", nil).problem(http.StatusInternalServerError, "internal")
	if p.Detail != passnum.ErrorMessage(errors.New("any")) || strings.Contains(p.Detail, "sql") {
		t.Fatalf("internal detail shown: %+v", p)
	}
	if logs := a.logs.String(); !strings.Contains(logs, `"msg":"internal error"`) || !strings.Contains(logs, "closed") || strings.Contains(logs, op) {
		t.Fatalf("internal error not logged with its detail, or token logged:\n%s", logs)
	}
}
