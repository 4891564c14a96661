package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// Booking a person's first workshop when handing out a carnet
// (passnum.BookingService): the prescriber's, for the carnets it handed out.

func (s *Server) bookableSessions(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	items, err := s.svc.BookableSessions(r.Context(), number)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[*passnum.BookableSession]{Items: items, Total: len(items), Limit: passnum.MaxBookableSessions})
}

// bookingInput is the body of POST /carnets/{number}/bookings.
type bookingInput struct {
	SessionID int64 `json:"session_id"`
}

func (s *Server) book(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	var in bookingInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.BookAtHandOut(r.Context(), passnum.BookingRequest{Carnet: number, SessionID: in.SessionID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) carnetBookings(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	items, err := s.svc.CarnetBookings(r.Context(), number)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[*passnum.Booking]{Items: items, Total: len(items), Limit: len(items)})
}

func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	number, err := pathID(r, "number")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.CancelBooking(r.Context(), number, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
