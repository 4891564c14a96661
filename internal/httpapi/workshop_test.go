package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// workshopSession is a session with its registrations, as GET
// /sessions/{id} answers.
type workshopSession struct {
	passnum.WorkshopSession
	Registrations []passnum.Registration `json:"registrations"`
}

// TestWorkshopSessions: a venue describes a workshop, schedules a session,
// registers people up to its capacity (the next one gets a clear 409),
// frees a seat, records attendance once the session has started, and
// redeems passes for the session; a session paid for cannot be cancelled.
func TestWorkshopSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		admin, agent := a.token(f.Venue.ID, passnum.RoleAdmin), a.token(f.Venue.ID, passnum.RoleAgent)

		var svc passnum.CatalogueService
		a.do(admin, "PUT", fmt.Sprintf("/api/v1/services/%d", f.Service.ID), map[string]any{
			"title": "Premiers pas sur smartphone, en groupe", "category": f.Service.Category, "duration_minutes": 90,
			"price_passes": 1, "level": "débutant", "format": "collective", "description": "Allumer, appeler, photographier."}).ok(http.StatusOK, &svc)
		if svc.ID != f.Service.ID || svc.VenueID != f.Venue.ID || svc.Level != "débutant" || svc.Format != passnum.FormatCollective || svc.Title != "Premiers pas sur smartphone, en groupe" {
			t.Fatalf("updated service %+v", svc)
		}
		// The venue of a service does not change, and an agent does not edit the catalogue.
		a.do(admin, "PUT", fmt.Sprintf("/api/v1/services/%d", f.Service.ID), map[string]any{"venue_id": f.Venue2.ID}).problem(http.StatusBadRequest, "unknown-field")
		a.do(agent, "PUT", fmt.Sprintf("/api/v1/services/%d", f.Service.ID), map[string]any{
			"title": "x", "category": f.Service.Category, "duration_minutes": 90, "price_passes": 1}).problem(http.StatusForbidden, "forbidden")

		start := storetest.Start.Add(48 * time.Hour)
		var sess passnum.WorkshopSession
		res := a.do(agent, "POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": start, "capacity": 2, "note": "Apportez votre téléphone."}).
			ok(http.StatusCreated, &sess)
		if sess.ID == 0 || sess.VenueID != f.Venue.ID || sess.DurationMinutes != 90 || sess.Capacity != 2 || !sess.StartsAt.Equal(start) {
			t.Fatalf("session %+v", sess)
		}
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/sessions/%d", sess.ID) {
			t.Fatalf("Location %q", loc)
		}
		a.do(agent, "POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": start, "capacity": 0}).problem(http.StatusBadRequest, "invalid-input")

		regs := fmt.Sprintf("/api/v1/sessions/%d/registrations", sess.ID)
		ref := beneficiaryRef(t, a, f)
		var alice, bob passnum.Registration
		a.do(agent, "POST", regs, map[string]any{"label": "Alice"}).ok(http.StatusCreated, &alice)
		a.do(agent, "POST", regs, map[string]any{"beneficiary_ref": ref}).ok(http.StatusCreated, &bob)
		if alice.SessionID != sess.ID || alice.Label != "Alice" || bob.BeneficiaryRef != ref || alice.Attended != nil {
			t.Fatalf("registrations %+v %+v", alice, bob)
		}
		// Over capacity: a clear problem, and nobody registered.
		p := a.do(agent, "POST", regs, map[string]any{"label": "Chloé"}).problem(http.StatusConflict, "session-full")
		if !strings.Contains(p.Detail, "complète") {
			t.Fatalf("detail %q", p.Detail)
		}
		a.do(agent, "POST", regs, map[string]any{}).problem(http.StatusBadRequest, "invalid-input")

		var detail workshopSession
		a.do(agent, "GET", fmt.Sprintf("/api/v1/sessions/%d", sess.ID), nil).ok(http.StatusOK, &detail)
		if detail.Registered != 2 || len(detail.Registrations) != 2 || detail.ServiceTitle != svc.Title {
			t.Fatalf("detail %+v", detail)
		}
		// Another venue does not see it.
		a.do(a.token(f.Venue2.ID, passnum.RoleAdmin), "GET", fmt.Sprintf("/api/v1/sessions/%d", sess.ID), nil).problem(http.StatusNotFound, "not-found")

		// Bob cancels; Chloé takes the seat.
		a.do(agent, "DELETE", fmt.Sprintf("/api/v1/registrations/%d", bob.ID), nil).ok(http.StatusNoContent, nil)
		a.do(agent, "DELETE", fmt.Sprintf("/api/v1/registrations/%d", bob.ID), nil).problem(http.StatusConflict, "registration-cancelled")
		var chloe passnum.Registration
		a.do(agent, "POST", regs, map[string]any{"label": "Chloé"}).ok(http.StatusCreated, &chloe)

		// The list, by French days, and its parameters checked.
		var list page[passnum.WorkshopSession]
		a.do(agent, "GET", "/api/v1/sessions?from=2027-03-17&to=2027-03-17", nil).ok(http.StatusOK, &list)
		if list.Total != 1 || list.Items[0].ID != sess.ID || list.Items[0].Registered != 2 {
			t.Fatalf("sessions of the 17th %+v", list)
		}
		a.do(agent, "GET", "/api/v1/sessions?from=2027-03-18", nil).ok(http.StatusOK, &list)
		if list.Total != 0 || list.Items == nil {
			t.Fatalf("sessions from the 18th %+v", list)
		}
		a.do(agent, "GET", "/api/v1/sessions?from=17/03/2027", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(agent, "GET", "/api/v1/sessions?from=2027-03-18&to=2027-03-17", nil).problem(http.StatusBadRequest, "invalid-input")

		// Attendance is recorded once the session has started.
		attendance := fmt.Sprintf("/api/v1/registrations/%d/attendance", alice.ID)
		a.do(agent, "PUT", attendance, map[string]any{"attended": true}).problem(http.StatusUnprocessableEntity, "session-not-started")
		env.Clock.Advance(48*time.Hour + 10*time.Minute)
		a.do(agent, "PUT", attendance, map[string]any{}).problem(http.StatusBadRequest, "invalid-input")
		a.do(agent, "PUT", attendance, map[string]any{"attended": true}).ok(http.StatusNoContent, nil)
		a.do(agent, "PUT", fmt.Sprintf("/api/v1/registrations/%d/attendance", chloe.ID), map[string]any{"attended": false}).ok(http.StatusNoContent, nil)
		a.do(agent, "GET", fmt.Sprintf("/api/v1/sessions/%d", sess.ID), nil).ok(http.StatusOK, &detail)
		if detail.Attended != 1 {
			t.Fatalf("attended %+v", detail)
		}
		a.do(agent, "DELETE", fmt.Sprintf("/api/v1/registrations/%d", alice.ID), nil).problem(http.StatusConflict, "attendance-recorded")

		// Passes redeemed for the session say so.
		var red passnum.Redemption
		res = a.do(agent, "POST", "/api/v1/redemptions", map[string]any{"codes": f.CodesOf(f.Serials(0)[0]), "service_id": f.Service.ID,
			"session_id": sess.ID, "idempotency_key": "atelier-1"}).ok(http.StatusCreated, &red)
		if red.SessionID != sess.ID || !strings.Contains(string(res.body), fmt.Sprintf(`"session_id":%d`, sess.ID)) {
			t.Fatalf("redemption %s", res.body)
		}
		a.do(agent, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", sess.ID), nil).problem(http.StatusConflict, "session-held")

		// A session not held is cancelled, and takes no one afterwards.
		var later passnum.WorkshopSession
		a.do(agent, "POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": start.Add(7 * 24 * time.Hour), "capacity": 8}).ok(http.StatusCreated, &later)
		a.do(agent, "POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", later.ID), nil).ok(http.StatusOK, &later)
		if later.CancelledAt == nil {
			t.Fatalf("cancelled %+v", later)
		}
		a.do(agent, "POST", fmt.Sprintf("/api/v1/sessions/%d/registrations", later.ID), map[string]any{"label": "Dan"}).problem(http.StatusConflict, "session-cancelled")
		storetest.MustCheck(t, env, f.Operator)
	})
}

// beneficiaryRef returns the reference of the beneficiary of the fixture's
// first carnet, as its prescriber reads it.
func beneficiaryRef(t *testing.T, a *api, f *storetest.Fixture) string {
	t.Helper()
	c, err := f.Env.Store.FindCarnet(storetest.As(f.Operator), f.Batch.FirstCarnet)
	if err != nil {
		t.Fatal(err)
	}
	if c.BeneficiaryRef == "" {
		t.Fatalf("carnet %d has no beneficiary", c.Number)
	}
	return c.BeneficiaryRef
}

// TestActivityReports: a venue records activity reports and reads them
// back with their summary; the operator reads any venue's; another venue
// sees none; bad input and bad periods are refused in French.
func TestActivityReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		agent := a.token(f.Venue.ID, passnum.RoleAgent)
		ref := beneficiaryRef(t, a, f)
		// Dates in the past of both the store's clock and the real one.
		var one, group passnum.ActivityReport
		res := a.do(agent, "POST", "/api/v1/activity-reports", map[string]any{
			"format": "individual", "date": "2026-02-10", "duration_minutes": 45, "themes": []string{"Courriels", "Démarches en ligne"},
			"autonomy": "partiellement autonome", "place_kind": "lieu", "participants": 1, "beneficiary_refs": []string{ref}, "passes_used": 1,
		}).ok(http.StatusCreated, &one)
		if one.ID == 0 || one.VenueID != f.Venue.ID || one.Author == "" || one.Date != "2026-02-10" || len(one.BeneficiaryRefs) != 1 || one.PassesUsed != 1 {
			t.Fatalf("report %s", res.body)
		}
		a.do(agent, "POST", "/api/v1/activity-reports", map[string]any{
			"format": "collective", "date": "2026-02-12", "duration_minutes": 120, "themes": []string{"Courriels"},
			"place_kind": "permanence", "participants": 6, "notes": "Atelier à la médiathèque.",
		}).ok(http.StatusCreated, &group)

		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"format": "individual", "date": "2026-02-10", "duration_minutes": 45, "themes": []string{"Jardinage"}, "place_kind": "lieu", "participants": 1}, "themes"},
			{map[string]any{"format": "individual", "date": "10/02/2026", "duration_minutes": 45, "themes": []string{"Courriels"}, "place_kind": "lieu", "participants": 1}, "date"},
			{map[string]any{"format": "individual", "date": "2026-02-10", "duration_minutes": 45, "themes": []string{"Courriels"}, "place_kind": "lieu", "participants": 3}, "participants"},
		} {
			p := a.do(agent, "POST", "/api/v1/activity-reports", bad.body).problem(http.StatusBadRequest, "invalid-input")
			if p.Field != bad.field {
				t.Errorf("%v: field %q, want %q (%s)", bad.body, p.Field, bad.field, p.Detail)
			}
		}
		a.do(agent, "POST", "/api/v1/activity-reports", map[string]any{"venue_id": f.Venue2.ID}).problem(http.StatusBadRequest, "unknown-field")

		type reportList struct {
			Reports []passnum.ActivityReport `json:"reports"`
			Total   int                      `json:"total"`
			Offset  int                      `json:"offset"`
			Limit   int                      `json:"limit"`
			Summary passnum.ActivitySummary  `json:"summary"`
		}
		var l reportList
		a.do(agent, "GET", "/api/v1/activity-reports?from=2026-02-01&to=2026-02-28&limit=1", nil).ok(http.StatusOK, &l)
		sum := l.Summary
		if l.Total != 2 || len(l.Reports) != 1 || l.Limit != 1 || sum.Reports != 2 || sum.Individual != 1 || sum.Collective != 1 ||
			sum.Participants != 7 || sum.Minutes != 165 || sum.PassesUsed != 1 || sum.WithPasses != 1 || sum.ByTheme["Courriels"] != 2 || sum.LinkedPeople != 1 {
			t.Fatalf("list %+v", l)
		}
		a.do(agent, "GET", "/api/v1/activity-reports?from=2026-02-11", nil).ok(http.StatusOK, &l)
		if l.Total != 1 || l.Reports[0].ID != group.ID {
			t.Fatalf("from the 11th %+v", l)
		}
		a.do(a.operatorToken(), "GET", fmt.Sprintf("/api/v1/activity-reports?venue_id=%d", f.Venue.ID), nil).ok(http.StatusOK, &l)
		if l.Total != 2 {
			t.Fatalf("operator's list %+v", l)
		}
		a.do(a.token(f.Venue2.ID, passnum.RoleAgent), "GET", "/api/v1/activity-reports", nil).ok(http.StatusOK, &l)
		if l.Total != 0 || l.Reports == nil || l.Summary.ByTheme == nil || l.Summary.ByVenue == nil {
			t.Fatalf("another venue's list %+v", l)
		}
		// Territories: the venue is in Rennes (35238), in Bretagne (53).
		for _, tc := range []struct {
			token, query string
			total        int
		}{
			{a.operatorToken(), "?territory=region:53", 2},
			{a.operatorToken(), "?territory=departement:29,commune:35238", 2},
			{a.operatorToken(), "?territory=departement:29&territory=departement:69", 0},
			{a.token(hubOf(t, a, "departement:35"), passnum.RoleAgent), "", 2},
			{a.token(hubOf(t, a, "region:84"), passnum.RoleAgent), "", 0},
			{a.token(hubOf(t, a, "region:84"), passnum.RoleAgent), "?territory=region:53", 0}, // not beyond its own
		} {
			a.do(tc.token, "GET", "/api/v1/activity-reports"+tc.query, nil).ok(http.StatusOK, &l)
			if l.Total != tc.total || tc.total > 0 && (len(l.Summary.ByVenue) != 1 || l.Summary.ByVenue[0].VenueID != f.Venue.ID) {
				t.Errorf("%s: %+v", tc.query, l)
			}
		}
		a.do(a.operatorToken(), "GET", "/api/v1/activity-reports?territory=canton:3501", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(agent, "GET", "/api/v1/activity-reports?from=février", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(agent, "GET", "/api/v1/activity-reports?from=2026-03-01&to=2026-02-01", nil).problem(http.StatusBadRequest, "invalid-input")
		a.do(a.token(f.Prescriber.ID, passnum.RoleAdmin), "GET", "/api/v1/activity-reports", nil).problem(http.StatusForbidden, "forbidden")
	})
}

// hubOf creates a hub with a territory and returns its id.
func hubOf(t *testing.T, a *api, areas ...string) int64 {
	t.Helper()
	o, err := a.env.Store.CreateOrganisation(storetest.As(a.op), passnum.OrganisationCreate{Kind: passnum.KindHub, Name: "Hub " + strings.Join(areas, " "), Territory: areas})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// TestActivityReportsAHubReads: a hub reads what the venues of its
// territory did, not what names the people they helped: no notes, no
// references, only how many people were linked. The venue that wrote a
// report and the operator read all of it.
func TestActivityReportsAHubReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		ref := beneficiaryRef(t, a, f)
		const notes = "Mme Durand, 82 ans, veuve, ne sait pas lire."
		a.do(a.token(f.Venue.ID, passnum.RoleAgent), "POST", "/api/v1/activity-reports", map[string]any{
			"format": "collective", "date": "2026-02-10", "duration_minutes": 90, "themes": []string{"Santé en ligne"},
			"place_kind": "domicile", "participants": 3, "beneficiary_refs": []string{ref}, "notes": notes,
		}).ok(http.StatusCreated, nil)
		hub := hubOf(t, a, "departement:35")
		for _, tc := range []struct {
			name  string
			token string
			query string
			whole bool
		}{
			{"the venue's agent", a.token(f.Venue.ID, passnum.RoleAgent), "", true},
			{"the operator", a.operatorToken(), fmt.Sprintf("?venue_id=%d", f.Venue.ID), true},
			{"the hub's agent", a.token(hub, passnum.RoleAgent), "", false},
			{"the hub's admin, naming the venue", a.token(hub, passnum.RoleAdmin), fmt.Sprintf("?venue_id=%d", f.Venue.ID), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var l struct {
					Reports []passnum.ActivityReport `json:"reports"`
					Total   int                      `json:"total"`
				}
				res := a.do(tc.token, "GET", "/api/v1/activity-reports"+tc.query, nil).ok(http.StatusOK, &l)
				if l.Total != 1 || len(l.Reports) != 1 {
					t.Fatalf("%s", res.body)
				}
				r := l.Reports[0]
				if r.Participants != 3 || r.LinkedPeople != 1 || r.DurationMinutes != 90 || r.PlaceKind != "domicile" || r.Themes[0] != "Santé en ligne" {
					t.Errorf("what was done: %+v", r)
				}
				if shown := strings.Contains(string(res.body), notes) || strings.Contains(string(res.body), ref); shown != tc.whole {
					t.Errorf("notes or references shown: %v, want %v: %s", shown, tc.whole, res.body)
				}
				if tc.whole && (r.Notes != notes || len(r.BeneficiaryRefs) != 1 || r.BeneficiaryRefs[0] != ref) {
					t.Errorf("the whole report: %+v", r)
				}
			})
		}
	})
}
