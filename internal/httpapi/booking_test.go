package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestBookingAtHandOut: through the API, a prescriber lists the sessions
// the holder of a carnet it handed out may be booked into, books the last
// seat (the next booking is a clear 409), reads the booking, and cancels
// it; the venue reads who booked.
func TestBookingAtHandOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		presc, venue := a.token(f.Prescriber.ID, passnum.RoleAgent), a.token(f.Venue.ID, passnum.RoleAgent)
		var w passnum.WorkshopSession
		a.do(venue, "POST", "/api/v1/sessions", map[string]any{"service_id": f.Service.ID, "starts_at": storetest.Start.Add(24 * time.Hour),
			"capacity": 1, "note": "Apportez votre smartphone"}).ok(http.StatusCreated, &w)
		carnet := f.Batch.FirstCarnet
		base := fmt.Sprintf("/api/v1/carnets/%d", carnet)

		var offered struct {
			Items []passnum.BookableSession `json:"items"`
		}
		a.do(presc, "GET", base+"/bookable-sessions", nil).ok(http.StatusOK, &offered)
		if len(offered.Items) != 1 || offered.Items[0].ID != w.ID || offered.Items[0].VenueName != f.Venue.Name {
			t.Fatalf("offered %+v", offered.Items)
		}
		a.do(presc, "POST", base+"/bookings", map[string]any{}).problem(http.StatusBadRequest, "invalid-input")
		var b passnum.Booking
		a.do(presc, "POST", base+"/bookings", map[string]any{"session_id": w.ID}).ok(http.StatusCreated, &b)
		if b.BookedBy != f.Prescriber.Name || b.Session.ID != w.ID || b.Registration.Carnet != carnet {
			t.Fatalf("booking %+v", b)
		}
		a.do(presc, "POST", fmt.Sprintf("/api/v1/carnets/%d/bookings", carnet+1), map[string]any{"session_id": w.ID}).problem(http.StatusConflict, "session-full")

		var listed struct {
			Items []passnum.Booking `json:"items"`
		}
		a.do(presc, "GET", base+"/bookings", nil).ok(http.StatusOK, &listed)
		if len(listed.Items) != 1 || listed.Items[0].Registration.ID != b.Registration.ID {
			t.Fatalf("bookings %+v", listed.Items)
		}
		var seen workshopSession
		a.do(venue, "GET", fmt.Sprintf("/api/v1/sessions/%d", w.ID), nil).ok(http.StatusOK, &seen)
		if len(seen.Registrations) != 1 || seen.Registrations[0].BookedBy != f.Prescriber.Name {
			t.Fatalf("the venue reads %+v", seen.Registrations)
		}
		a.do(presc, "DELETE", fmt.Sprintf("%s/bookings/%d", base, b.Registration.ID), nil).ok(http.StatusNoContent, nil)
		a.do(presc, "DELETE", fmt.Sprintf("%s/bookings/%d", base, b.Registration.ID), nil).problem(http.StatusConflict, "registration-cancelled")
		a.do(venue, "GET", fmt.Sprintf("/api/v1/sessions/%d", w.ID), nil).ok(http.StatusOK, &seen)
		if seen.Registered != 0 {
			t.Fatalf("a cancelled booking holds its seat: %+v", seen.WorkshopSession)
		}
	})
}
