package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpapi"
	"github.com/passnum/passnum/internal/ratelimit"
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

// TestFailedAuthenticationLimit: a client network that sent 30 unknown
// tokens within a minute gets 429 for its unknown tokens until the minute
// has passed, while a valid token from that same network is accepted all
// along (issue 12: behind a reverse proxy, 31 bad tokens made every valid
// token answer 429); behind a trusted proxy, the clients it names are
// counted apart.
func TestFailedAuthenticationLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		proxies, err := ratelimit.ParseTrustedProxies("127.0.0.1/32, ::1/128")
		if err != nil {
			t.Fatal(err)
		}
		a := newAPIWith(t, env, httpapi.Options{TrustedProxies: proxies})
		op := a.operatorToken()
		const (
			proxy   = ""             // the test's connection, from the trusted proxy's address, with no header
			someone = "198.51.100.1" // a client the proxy names
		)
		steps := []struct {
			name   string
			wait   time.Duration
			from   string
			token  string
			times  int
			status int
			reason string
		}{
			{"30 unknown tokens", 0, proxy, "pn_guess", 30, http.StatusUnauthorized, "bad-token"},
			{"the 31st", 0, proxy, "pn_guess", 1, http.StatusTooManyRequests, "too-many-failed-authentications"},
			{"a valid token from the same network", 0, proxy, op, 3, http.StatusOK, ""},
			{"an unknown token from another client of the proxy", 0, someone, "pn_guess", 1, http.StatusUnauthorized, "bad-token"},
			{"a valid token from another client of the proxy", 0, someone, op, 1, http.StatusOK, ""},
			{"still refused within the minute", 30 * time.Second, proxy, "pn_guess", 1, http.StatusTooManyRequests, "too-many-failed-authentications"},
			{"the minute passed", 31 * time.Second, proxy, "pn_guess", 1, http.StatusUnauthorized, "bad-token"},
		}
		for _, step := range steps {
			a.now.Advance(step.wait)
			var headers []header
			if step.from != "" {
				headers = append(headers, header{"X-Forwarded-For", step.from})
			}
			for i := range step.times {
				token := step.token
				if token != op {
					token += strconv.Itoa(i) // a guesser never sends the same token twice
				}
				res := a.do(token, "GET", "/api/v1/me", nil, headers...)
				if step.reason == "" {
					res.ok(step.status, nil)
					continue
				}
				p := res.problem(step.status, step.reason)
				if step.status == http.StatusTooManyRequests {
					if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
						t.Fatalf("%s: Retry-After %q", step.name, res.header.Get("Retry-After"))
					}
					if d := strings.ToLower(p.Detail); !strings.Contains(d, "jeton") || !strings.Contains(d, "réessayez ") {
						t.Fatalf("%s: detail %q", step.name, p.Detail)
					}
				}
			}
		}
	})
}
