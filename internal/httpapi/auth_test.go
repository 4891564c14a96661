package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		a := newAPI(t, env)
		op := a.operatorToken()

		res := a.do("", "GET", "/api/v1/me", nil)
		res.problem(http.StatusUnauthorized, "unauthenticated")
		if res.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
		a.do("", "GET", "/api/v1/me", nil, header{"Authorization", "Basic b3A6c2VjcmV0"}).problem(http.StatusUnauthorized, "unauthenticated")
		a.do("pn_notatoken", "GET", "/api/v1/me", nil).problem(http.StatusUnauthorized, "bad-token")
		a.do(op+"x", "POST", "/api/v1/checks", map[string]any{"codes": []string{"x"}}).problem(http.StatusUnauthorized, "bad-token")

		// A revoked token stops working at once.
		var tok struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
		}
		a.do(op, "POST", "/api/v1/tokens", map[string]any{"org_id": a.op.OrgID, "role": "agent", "name": "tableur"}).ok(http.StatusCreated, &tok)
		a.do(tok.Secret, "GET", "/api/v1/me", nil).ok(http.StatusOK, nil)
		a.do(op, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", tok.ID), nil).ok(http.StatusNoContent, nil)
		a.do(tok.Secret, "GET", "/api/v1/me", nil).problem(http.StatusUnauthorized, "bad-token")

		// What needs no token.
		a.do("", "GET", "/api/openapi.json", nil).ok(http.StatusOK, &map[string]any{})
		a.do("", "GET", "/api/problems/pass-unknown", nil).ok(http.StatusOK, &map[string]any{})
		a.do("", "GET", "/api/problems/no-such-problem", nil).problem(http.StatusNotFound, "not-found")
	})
}

// TestOwnership: a valid token of the wrong organisation finds nothing, a
// valid token with the wrong role is forbidden.
func TestOwnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		venue2 := a.token(f.Venue2.ID, passnum.RoleAgent)

		var red passnum.Redemption
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": f.CodesOf(f.Serials(0)[0]), "service_id": f.Service.ID, "idempotency_key": "k"}).ok(http.StatusCreated, &red)
		a.do(venue2, "POST", fmt.Sprintf("/api/v1/redemptions/%d/void", red.ID), nil).problem(http.StatusNotFound, "not-found")
		var reds page[passnum.Redemption]
		a.do(venue2, "GET", "/api/v1/redemptions", nil).ok(http.StatusOK, &reds)
		if reds.Total != 0 {
			t.Fatalf("another venue sees %d redemptions", reds.Total)
		}

		foundation, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation Orange"})
		if err != nil {
			t.Fatal(err)
		}
		stranger := a.token(foundation.ID, passnum.RoleAdmin)
		funder := a.token(f.State.ID, passnum.RoleAgent)
		path := fmt.Sprintf("/api/v1/programmes/%d", f.Programme.ID)
		a.do(stranger, "GET", path, nil).problem(http.StatusNotFound, "not-found")
		a.do(stranger, "GET", path+"/batches", nil).problem(http.StatusNotFound, "not-found")
		a.do(funder, "GET", path, nil).ok(http.StatusOK, nil)
		var progs page[passnum.Programme]
		a.do(stranger, "GET", "/api/v1/programmes", nil).ok(http.StatusOK, &progs)
		if progs.Total != 0 || progs.Items == nil {
			t.Fatalf("a funder lists programmes it does not fund: %+v", progs)
		}

		a.do(venue, "POST", "/api/v1/services", passnum.CatalogueServiceCreate{Title: "Atelier", Category: "Maîtrise des outils numériques du quotidien",
			DurationMinutes: 60, PricePasses: 1}).problem(http.StatusForbidden, "forbidden")
	})
}

// TestFailedAuthenticationLimit: past 30 rejected tokens in a minute, the
// client's network is refused, valid token or not, until the minute passes.
func TestFailedAuthenticationLimit(t *testing.T) {
	env := storetest.OpenSQLite(t)
	a := newAPI(t, env)
	op := a.operatorToken()
	for i := 0; i < 30; i++ {
		a.do(fmt.Sprintf("pn_guess%d", i), "GET", "/api/v1/me", nil).problem(http.StatusUnauthorized, "bad-token")
	}
	res := a.do("pn_guess", "GET", "/api/v1/me", nil)
	res.problem(http.StatusTooManyRequests, "too-many-failed-authentications")
	if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
	}
	a.do(op, "GET", "/api/v1/me", nil).problem(http.StatusTooManyRequests, "too-many-failed-authentications")
	a.now.Advance(61 * time.Second)
	a.do(op, "GET", "/api/v1/me", nil).ok(http.StatusOK, nil)
}
