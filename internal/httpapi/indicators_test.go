package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestIndicators: each caller reads the scopes the service lets it read,
// and the JSON answer is the store's report; the exports and the
// territorial report are files of their kind.
func TestIndicators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		op := storetest.As(f.Operator)
		for i, serial := range f.Serials(0)[:3] {
			if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
				t.Fatal(err)
			}
		}
		foundation, err := env.Store.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Fondation"})
		if err != nil {
			t.Fatal(err)
		}
		hub, err := env.Store.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub 35", Territory: []string{"departement:35"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := env.Store.CreateOrganisation(op, passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub 29"})
		if err != nil {
			t.Fatal(err)
		}
		opToken := a.operatorToken()
		funder := a.token(f.State.ID, passnum.RoleAgent)
		hubToken := a.token(hub.ID, passnum.RoleAgent)
		q := func(scope, dim string) string {
			return "?" + url.Values{"scope": {scope}, "dimension": {dim}}.Encode()
		}
		fscope := fmt.Sprintf("funder:%d", f.State.ID)

		// Before any computation: a clear refusal, not an empty report.
		a.do(funder, "GET", "/api/v1/indicators"+q(fscope, "month"), nil).problem(http.StatusNotFound, "no-indicators")
		var snap passnum.IndicatorSnapshot
		a.do(opToken, "POST", "/api/v1/indicators/refresh", nil).ok(http.StatusOK, &snap)
		if snap.ID == 0 || snap.Passes == 0 || snap.Cells == 0 {
			t.Fatalf("snapshot %+v", snap)
		}

		for _, tc := range []struct {
			name, token, scope, dim string
			status                  int
			reason                  string
			actor                   *passnum.Actor
		}{
			{"operator, all", opToken, "all", "programme", 200, "", f.Operator},
			{"funder, its own", funder, fscope, "commune", 200, "", storetest.Actor(f.State, passnum.RoleAgent)},
			{"funder, its own this year", funder, fscope + "@2027", "month", 200, "", storetest.Actor(f.State, passnum.RoleAgent)},
			{"funder, its programme", funder, fmt.Sprintf("programme:%d", f.Programme.ID), "venue", 200, "", storetest.Actor(f.State, passnum.RoleAgent)},
			{"funder, another funder", funder, fmt.Sprintf("funder:%d", foundation.ID), "month", 404, "scope-not-found", nil},
			{"funder, all", funder, "all", "month", 404, "scope-not-found", nil},
			{"hub, its own", hubToken, fmt.Sprintf("hub:%d", hub.ID), "age_band", 200, "", storetest.Actor(hub, passnum.RoleAgent)},
			{"hub, another hub", hubToken, fmt.Sprintf("hub:%d", other.ID), "month", 404, "scope-not-found", nil},
			{"hub, a programme", hubToken, fmt.Sprintf("programme:%d", f.Programme.ID), "month", 404, "scope-not-found", nil},
			{"bad scope", funder, "funder:abc", "month", 400, "invalid-input", nil},
			{"bad year", funder, fscope + "@12", "month", 400, "invalid-input", nil},
			{"bad dimension", funder, fscope, "pays", 400, "invalid-input", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := a.do(tc.token, "GET", "/api/v1/indicators"+q(tc.scope, tc.dim), nil)
				if tc.status != 200 {
					p := res.problem(tc.status, tc.reason)
					if tc.status == 400 && p.Field == "" {
						t.Errorf("no field in %+v", p)
					}
					return
				}
				var got passnum.IndicatorReport
				res.ok(200, &got)
				sc, _ := passnum.ParseScope(tc.scope)
				want, err := env.Store.Indicators(storetest.As(tc.actor), sc, passnum.Dimension(tc.dim))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Total, want.Total) || len(got.Rows) != len(want.Rows) || !got.ComputedAt.Equal(want.ComputedAt) {
					t.Errorf("got total %+v (%d rows), store has %+v (%d rows)", got.Total, len(got.Rows), want.Total, len(want.Rows))
				}
				if sc.Year == 0 && (got.Total.Redeemed != 3 || got.Total.Distributed == 0) {
					t.Errorf("total %+v, want 3 passes used", got.Total)
				}
			})
		}

		var scopes []passnum.ScopeChoice
		a.do(hubToken, "GET", "/api/v1/indicator-scopes", nil).ok(200, &scopes)
		if len(scopes) != 1 || scopes[0].Scope != (passnum.Scope{Kind: passnum.ScopeHub, ID: hub.ID}) || scopes[0].Label == "" {
			t.Errorf("hub scopes %+v", scopes)
		}
		a.do(funder, "POST", "/api/v1/indicators/refresh", nil).problem(http.StatusForbidden, "forbidden")

		// Exports: the same query, as files.
		res := a.do(funder, "GET", "/api/v1/indicators.csv"+q(fscope, "commune"), nil).ok(200, nil)
		if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !bytes.HasPrefix(res.body, []byte("\uFEFFCommune;")) {
			t.Errorf("csv %s: %.200s", ct, res.body)
		}
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, fmt.Sprintf("passnum-indicateurs-funder-%d-commune.csv", f.State.ID)) {
			t.Errorf("csv disposition %q", cd)
		}
		res = a.do(funder, "GET", "/api/v1/indicators.xlsx"+q(fscope, "month"), nil).ok(200, nil)
		if !bytes.HasPrefix(res.body, []byte("PK")) {
			t.Errorf("xlsx is not a zip: %.20q", res.body)
		}
		a.do(funder, "GET", "/api/v1/indicators.xlsx"+q(fmt.Sprintf("funder:%d", foundation.ID), "month"), nil).problem(404, "scope-not-found")
		res = a.do(hubToken, "GET", "/api/v1/indicators/report.pdf"+q(fmt.Sprintf("hub:%d", hub.ID), ""), nil).ok(200, nil)
		if ct := res.header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(res.body, []byte("%PDF")) {
			t.Errorf("pdf %s: %.20q", ct, res.body)
		}
		a.do(hubToken, "GET", "/api/v1/indicators/report.pdf"+q(fmt.Sprintf("hub:%d", other.ID), ""), nil).problem(404, "scope-not-found")
	})
}

// TestSetTerritory: operator admins set a hub's territory, which reads
// back in the organisation; only a hub has one.
func TestSetTerritory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		hub, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub"})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/organisations/%d/territory", hub.ID)
		var org passnum.Organisation
		a.do(a.operatorToken(), "PUT", path, map[string]any{"territory": []string{"departement:35", "commune:29019"}}).ok(200, &org)
		if got := strings.Join(org.Territory, " "); !strings.Contains(got, "departement:35") || !strings.Contains(got, "commune:29019") {
			t.Errorf("territory %q", got)
		}
		for _, tc := range []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			reason string
		}{
			{"unknown area", a.operatorToken(), path, map[string]any{"territory": []string{"pays:fr"}}, 400, "invalid-input"},
			{"not a hub", a.operatorToken(), fmt.Sprintf("/api/v1/organisations/%d/territory", f.State.ID), map[string]any{"territory": []string{"departement:35"}}, 400, "invalid-input"},
			{"operator agent", a.token(f.Operator.OrgID, passnum.RoleAgent), path, map[string]any{"territory": []string{}}, 403, "forbidden"},
			{"the hub itself", a.token(hub.ID, passnum.RoleAdmin), path, map[string]any{"territory": []string{}}, 403, "forbidden"},
			{"unknown field", a.operatorToken(), path, map[string]any{"areas": []string{}}, 400, "unknown-field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a.do(tc.token, "PUT", tc.path, tc.body).problem(tc.status, tc.reason)
			})
		}
		var cleared passnum.Organisation
		a.do(a.operatorToken(), "PUT", path, map[string]any{"territory": []string{}}).ok(200, &cleared)
		if len(cleared.Territory) != 0 {
			t.Errorf("territory not cleared: %v", cleared.Territory)
		}
	})
}

// TestOpenData: the open data files are public, refused clearly before
// the first computation, and never show a count from 1 to 4.
func TestOpenData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 20, Allocated: 20, Distributed: 8})
		a := newAPI(t, env)
		for i, serial := range append(f.Serials(0)[:2], f.Serials(1)...) {
			if _, err := env.Store.Redeem(storetest.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
				t.Fatal(err)
			}
		}
		p := a.do("", "GET", "/api/v1/public/open-data.csv", nil).problem(http.StatusNotFound, "no-indicators")
		if !strings.Contains(p.Detail, "pas encore calculées") {
			t.Errorf("detail %q", p.Detail)
		}
		// Only closed months are published: computed in April, March is.
		env.Clock.Set(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
		if _, err := env.Store.RefreshIndicators(storetest.As(f.Operator), nil); err != nil {
			t.Fatal(err)
		}
		res := a.do("", "GET", "/api/v1/public/open-data.csv", nil).ok(200, nil)
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "pass-numerique.csv") {
			t.Errorf("disposition %q", cd)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\uFEFF"))))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := "month;level;departement;commune;personnes_carnet_remis;personnes_carnet_remis_suppressed;personnes_accompagnees;personnes_accompagnees_suppressed;nouvelles_personnes;nouvelles_personnes_suppressed"; strings.Join(recs[0], ";") != want {
			t.Errorf("header %v", recs[0])
		}
		suppressed := 0
		for _, rec := range recs[1:] {
			for i := 4; i < len(rec); i += 2 {
				if rec[i] == "" {
					suppressed++
					continue
				}
				if n, err := strconv.Atoi(rec[i]); err != nil || n >= 1 && n <= 4 {
					t.Errorf("%v: %s = %q published", rec, recs[0][i], rec[i])
				}
			}
		}
		// Eight people in one commune, two of whom used passes: the count
		// of new people (2) is hidden on every row.
		if suppressed == 0 {
			t.Errorf("nothing suppressed in\n%s", res.body)
		}
		var rel struct {
			Threshold int              `json:"threshold"`
			Measures  []string         `json:"measures"`
			Rows      []map[string]any `json:"rows"`
		}
		res = a.do("", "GET", "/api/v1/public/open-data.json", nil).ok(200, &rel)
		if rel.Threshold != 5 || !reflect.DeepEqual(rel.Measures, passnum.OpenDataMeasures) || len(rel.Rows) != len(recs)-1 {
			t.Errorf("json %s", res.body)
		}
	})
}
