package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// Booking the first workshop at hand-out: right after the carnet is handed
// out, the prescriber is offered the next sessions where its passes pay,
// nearest first, and picks one or "Pas maintenant". A separate step rather
// than more fields in the hand-out form: the form stays as long as it was,
// the sessions can be listed for the person's commune once it is known, and
// the step can be skipped with one key.

type bookingData struct {
	Carnet   int64
	Sessions []*passnum.BookableSession
	Bookings []*passnum.Booking
}

func bookingPath(carnet int64) string { return fmt.Sprintf("/prescripteur/carnets/%d/atelier", carnet) }
func receiptPath(carnet int64) string { return fmt.Sprintf("/prescripteur/carnets/%d/recu", carnet) }

func (s *Server) bookingForm(w http.ResponseWriter, r *http.Request) error {
	n, err := pathID(r, "number", "Carnet")
	if err != nil {
		return err
	}
	return s.bookingPage(w, r, s.newView(r, fmt.Sprintf("Premier atelier du carnet n°%d", n), nil), n, http.StatusOK)
}

func (s *Server) bookingPage(w http.ResponseWriter, r *http.Request, v *view, carnet int64, status int) error {
	sessions, err := s.svc.BookableSessions(r.Context(), carnet)
	if err != nil {
		return err
	}
	bookings, err := s.svc.CarnetBookings(r.Context(), carnet)
	if err != nil {
		return err
	}
	v.Data = &bookingData{Carnet: carnet, Sessions: sessions, Bookings: bookings}
	return s.render(w, r, status, "booking", v)
}

// book registers the holder of the carnet in the chosen session, then
// shows the receipt, which prints it.
func (s *Server) book(w http.ResponseWriter, r *http.Request) error {
	n, err := pathID(r, "number", "Carnet")
	if err != nil {
		return err
	}
	v := s.newView(r, fmt.Sprintf("Premier atelier du carnet n°%d", n), nil)
	v.Form = r.PostForm
	choice := strings.TrimSpace(r.PostForm.Get("session_id"))
	if choice == "" {
		v.addError("session-0", "Choisissez une séance dans la liste, ou « Pas maintenant » pour voir le reçu sans inscription.")
		return s.bookingPage(w, r, v, n, http.StatusBadRequest)
	}
	id, err := strconv.ParseInt(choice, 10, 64)
	if err != nil || id <= 0 {
		v.addError("session-0", "Séance inconnue : choisissez une séance de la liste.")
		return s.bookingPage(w, r, v, n, http.StatusBadRequest)
	}
	b, err := s.svc.BookAtHandOut(r.Context(), passnum.BookingRequest{Carnet: n, SessionID: id})
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		// Every refusal is about the choice: its message goes next to it.
		v.addError("session-0", passnum.ErrorMessage(err))
		return s.bookingPage(w, r, v, n, errStatus(err))
	}
	return s.redirect(w, r, receiptPath(n), fmt.Sprintf("Inscription enregistrée : « %s », %s à %s, %s. Le reçu l'indique.",
		b.Session.ServiceTitle, frenchDay(b.Session.StartsAt), clock(b.Session.StartsAt), b.Session.VenueName))
}

// cancelBooking frees the seat booked for the carnet; the venue sees the
// registration cancelled.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	n, err := pathID(r, "number", "Carnet")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id", "Inscription")
	if err != nil {
		return err
	}
	if err := s.svc.CancelBooking(r.Context(), n, id); err != nil {
		return err
	}
	return s.redirect(w, r, receiptPath(n), "Inscription annulée : la place est libérée pour quelqu'un d'autre.")
}

func init() {
	funcs["bookingPath"] = bookingPath
	funcs["whatToBring"] = func(b *passnum.BookableSession) string { return passnum.WhatToBring(&b.WorkshopSession) }
	funcs["bookingHours"] = func(b *passnum.BookableSession) string { return sessionHours(&b.WorkshopSession) }
	funcs["km"] = func(distance *float64) string {
		if distance == nil {
			return ""
		}
		km := *distance
		if km < 1 {
			return "à moins d'1 km"
		}
		return fmt.Sprintf("à %s km", strings.Replace(strconv.FormatFloat(km, 'f', 1, 64), ".", ",", 1))
	}
}
