package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestTerritorySummaryAPI: the conventions of a territory for each kind
// of organisation and role (those who read conventions, and no one else),
// a bad area as a problem+json; the public amounts of the signed
// conventions without a token, as CSV and JSON, with no person in them.
func TestTerritorySummaryAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 1})
		a := newAPI(t, env)
		op, state, dept := a.operatorToken(), a.token(f.State.ID, passnum.RoleAdmin), a.token(f.Dept.ID, passnum.RoleAdmin)
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

		hub, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub de Bretagne"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.SetTerritory(storetest.As(f.Operator), hub.ID, []string{"region:53"}); err != nil {
			t.Fatal(err)
		}
		other, err := env.Store.CreateOrganisation(storetest.As(f.Operator), passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: "Département du Rhône"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name        string
			token       string
			query       string
			status      int
			conventions int
		}{
			{"operator", op, "", http.StatusOK, 1},
			{"operator, Ille-et-Vilaine", op, "?area=departement:35", http.StatusOK, 1},
			{"operator, Gironde", op, "?area=departement:33", http.StatusOK, 0},
			{"the call's funder, agent", a.token(f.State.ID, passnum.RoleAgent), "", http.StatusOK, 1},
			{"a party", dept, "", http.StatusOK, 1},
			{"a funder of neither", a.token(other.ID, passnum.RoleAdmin), "", http.StatusOK, 0},
			{"a hub of Bretagne", a.token(hub.ID, passnum.RoleAgent), "", http.StatusOK, 1},
			{"a prescriber", a.token(f.Prescriber.ID, passnum.RoleAdmin), "", http.StatusForbidden, 0},
			{"a venue", a.token(f.Venue.ID, passnum.RoleAdmin), "", http.StatusForbidden, 0},
			{"no token", "", "", http.StatusUnauthorized, 0},
		}
		for _, tc := range cases {
			res := a.do(tc.token, "GET", "/api/v1/conventions/territory-summary"+tc.query, nil)
			if res.status != tc.status {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.body)
			}
			if tc.status != http.StatusOK {
				continue
			}
			var sum passnum.ConventionSummary
			res.ok(http.StatusOK, &sum)
			if sum.Total.Conventions != tc.conventions {
				t.Fatalf("%s: %d conventions, want %d", tc.name, sum.Total.Conventions, tc.conventions)
			}
			if tc.conventions == 1 && (sum.Total.CommittedCents != 20_000_00 || sum.Territories[0].Total != sum.Total) {
				t.Fatalf("%s: %+v", tc.name, sum)
			}
		}
		p := a.do(op, "GET", "/api/v1/conventions/territory-summary?area=commune:35238", nil).problem(http.StatusBadRequest, passnum.ReasonInvalidInput)
		if !strings.Contains(p.Detail, "Territoire inconnu") {
			t.Fatalf("detail %q", p.Detail)
		}

		// Unsigned, the convention is not public; signed, it is.
		res := a.do("", "GET", "/api/v1/public/open-data/conventions.csv", nil).ok(http.StatusOK, nil)
		if lines := strings.Split(strings.TrimSpace(string(res.body)), "\n"); len(lines) != 1 {
			t.Fatalf("unsigned conventions published: %s", res.body)
		}
		for _, party := range []int64{f.State.ID, f.Dept.ID} {
			a.do(state, "POST", fmt.Sprintf("/api/v1/conventions/%d/signatures", c.ID), map[string]any{"funder_id": party, "signed_on": "2027-03-14"}).ok(http.StatusOK, nil)
		}
		res = a.do("", "GET", "/api/v1/public/open-data/conventions.csv", nil).ok(http.StatusOK, nil)
		body := string(res.body)
		if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 5 || !strings.Contains(body, f.Dept.Name) ||
			!strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || !strings.Contains(res.header.Get("Content-Disposition"), "conventions.csv") {
			t.Fatalf("public conventions CSV: %s", body)
		}
		var doc struct {
			Conventions []passnum.PublicConvention `json:"conventions"`
		}
		res = a.do("", "GET", "/api/v1/public/open-data/conventions.json", nil).ok(http.StatusOK, &doc)
		if len(doc.Conventions) != 1 || doc.Conventions[0].SignedOn != "2027-03-14" || len(doc.Conventions[0].Parties) != 2 {
			t.Fatalf("public conventions JSON: %s", res.body)
		}
		for _, personal := range []string{"@", "Camille"} {
			if strings.Contains(body, personal) || strings.Contains(string(res.body), personal) {
				t.Fatalf("the open data hold %q", personal)
			}
		}
	})
}
