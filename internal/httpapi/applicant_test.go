package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestApplicantIsNotPublic: a venue that applied online is neither in the
// public directory nor on a public page, its catalogue is not shown to
// other organisations, and its reports, sessions and team accounts are
// refused with the reason, until the operator qualifies it; then it is.
func TestApplicantIsNotPublic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{Carnets: 2})
		a := newAPI(t, env)
		var org passnum.Organisation
		a.do("", "POST", "/api/v1/venue-applications", application("44201234000018", "ines@vitre.example")).ok(http.StatusCreated, &org)
		admin := a.token(org.ID, passnum.RoleAdmin)
		prescriber := a.token(f.Prescriber.ID, passnum.RoleAgent)
		var svc passnum.CatalogueService
		a.do(admin, "POST", "/api/v1/services", passnum.CatalogueServiceCreate{Title: "Premiers pas", Category: "Maîtrise des outils numériques du quotidien",
			DurationMinutes: 60, PricePasses: 1}).ok(http.StatusCreated, &svc)
		report := map[string]any{"format": "collective", "date": "2027-03-10", "duration_minutes": 120, "themes": []string{"Courriels"},
			"place_kind": "lieu", "participants": 200}
		session := map[string]any{"service_id": svc.ID, "starts_at": storetest.Start.Add(48 * time.Hour), "capacity": 8}
		member := map[string]any{"email": "collegue@vitre.example", "name": "Collègue", "password": "correct horse battery", "org_id": org.ID, "role": "agent"}

		for _, qualified := range []bool{false, true} {
			if qualified {
				a.do(a.operatorToken(), "POST", fmt.Sprintf("/api/v1/venues/%d/qualification", org.ID), map[string]any{"status": "qualified", "reason": "Dossier complet."}).
					ok(http.StatusOK, nil)
			}
			var dir passnum.DirectoryPage
			a.do("", "GET", "/api/v1/public/directory?q=vitre", nil).ok(http.StatusOK, &dir)
			if (dir.Total == 1) != qualified {
				t.Errorf("qualified %v: the directory lists %d venues", qualified, dir.Total)
			}
			entry := a.do("", "GET", fmt.Sprintf("/api/v1/public/directory/%d", org.ID), nil)
			services := a.do(prescriber, "GET", fmt.Sprintf("/api/v1/venues/%d/services", org.ID), nil)
			if qualified {
				entry.ok(http.StatusOK, nil)
				services.ok(http.StatusOK, nil)
				a.do(admin, "POST", "/api/v1/activity-reports", report).ok(http.StatusCreated, nil)
				a.do(admin, "POST", "/api/v1/sessions", session).ok(http.StatusCreated, nil)
				a.do(admin, "POST", "/api/v1/users", member).ok(http.StatusCreated, nil)
				continue
			}
			entry.problem(http.StatusNotFound, "not-found")
			services.problem(http.StatusNotFound, "not-found")
			for _, c := range []struct {
				path string
				body map[string]any
			}{{"/api/v1/activity-reports", report}, {"/api/v1/sessions", session}, {"/api/v1/users", member}} {
				p := a.do(admin, "POST", c.path, c.body).problem(http.StatusUnprocessableEntity, passnum.ReasonVenueNotQual)
				if p.Detail == "" {
					t.Errorf("%s: no reason given", c.path)
				}
			}
		}
		// What hubs and the operator count: the report filed once
		// qualified, and only it.
		var l struct {
			Summary passnum.ActivitySummary `json:"summary"`
		}
		a.do(a.token(hubOf(t, a, "departement:35"), passnum.RoleAgent), "GET", "/api/v1/activity-reports", nil).ok(http.StatusOK, &l)
		if l.Summary.Reports != 1 || l.Summary.Participants != 200 {
			t.Errorf("the hub counts %+v", l.Summary)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
