package passnum

import (
	"context"
	"strings"
	"time"
)

// Booking at hand-out. A person who leaves the prescriber with a carnet and
// nothing else rarely comes back to a venue: only a fifth of the passes
// handed out are used. So the prescriber may book the person's first
// workshop on the spot, in one of the next sessions of the venues where the
// carnet's passes pay, and the receipt says when and where to go. The seat
// is an ordinary registration of the session: the venue sees it, with the
// structure that booked it, and cancelling it (by either) frees the seat.

// MaxBookableSessions is how many sessions the hand-out offers: enough to
// find a day that suits, few enough to read aloud.
const MaxBookableSessions = 10

// BookableSession is a session offered at hand-out, with where it takes
// place.
type BookableSession struct {
	WorkshopSession
	VenueName string `json:"venue_name"`
	// Address is the street of the session's place (the venue's, or its
	// point of presence's); PostalCode and Commune complete it.
	Address    string `json:"address,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Commune    string `json:"commune,omitempty"` // its name
	// DistanceKm from the person's commune; nil when unknown (no commune
	// given, or no point for the place), as in the directory.
	DistanceKm *float64 `json:"distance_km,omitempty"`
}

// SeatsLeft is how many places the session still has.
func (s *BookableSession) SeatsLeft() int { return max(0, s.Capacity-s.Registered) }

// Booking is a person's seat booked by a prescriber for a carnet it handed
// out.
type Booking struct {
	Carnet       int64            `json:"carnet"`
	Registration *Registration    `json:"registration"`
	Session      *BookableSession `json:"session"`
	// BookedBy is the name of the structure that booked.
	BookedBy string `json:"booked_by"`
}

// BookingRequest asks for a seat in a session for the person who received
// a carnet.
type BookingRequest struct {
	Carnet    int64 `json:"carnet"`
	SessionID int64 `json:"session_id"`
}

// Validate checks the shape of a booking request.
func (r *BookingRequest) Validate() error {
	if r.Carnet <= 0 {
		return Invalid("carnet", "Numéro de carnet manquant.")
	}
	if r.SessionID <= 0 {
		return Invalid("session_id", "Choisissez une séance dans la liste, ou « Pas maintenant ».")
	}
	return nil
}

// BookingFacts are what decides whether a session may be booked for a
// carnet's holder.
type BookingFacts struct {
	Programme       *Programme
	Session         *WorkshopSession
	VenueQualified  bool
	VenueCommune    string // INSEE
	ServiceCategory string
	ServiceActive   bool
}

// CheckBookable tells whether a prescriber may book the session for the
// holder of a carnet of the programme: a qualified venue inside the
// programme's territory, a service the programme pays for, a session not
// cancelled, not started, within the passes' validity, with a place left.
// The store checks the same again under its own lock on the seat (the
// conditional update of the counter); this says why in French.
func CheckBookable(f BookingFacts, now time.Time) error {
	p, s := f.Programme, f.Session
	switch {
	case !f.VenueQualified:
		return Errorf(EREFUSED, ReasonVenueNotQual, "Ce lieu n'est pas qualifié : les pass du carnet n'y sont pas acceptés. Choisissez une autre séance.")
	case !p.Covers(f.VenueCommune):
		return Errorf(EREFUSED, ReasonOutsideTerr, "Ce lieu est hors du territoire du programme « %s » (%s) : les pass du carnet n'y sont pas acceptés.", p.Name, DescribeTerritory(p.Territory))
	case !f.ServiceActive:
		return Errorf(EREFUSED, ReasonServiceNotAllow, "Cet atelier ne figure plus au catalogue du lieu. Choisissez une autre séance.")
	case f.ServiceCategory != "" && !p.AllowsService(f.ServiceCategory):
		return Errorf(EREFUSED, ReasonServiceNotAllow, "Le programme « %s » ne finance pas les ateliers « %s ». Choisissez une autre séance.", p.Name, f.ServiceCategory)
	case s.CancelledAt != nil:
		return Errorf(ECONFLICT, ReasonSessionCancelled, "Cette séance a été annulée. Choisissez une autre séance.")
	case !now.Before(s.StartsAt):
		return Errorf(EREFUSED, ReasonSessionOver, "Cette séance a déjà commencé. Choisissez une séance à venir.")
	case !s.StartsAt.Before(p.ExpiresAfter()):
		return Errorf(EREFUSED, ReasonProgrammeExpired, "Cette séance a lieu après la fin de validité des pass (%s). Choisissez une séance plus proche.", FrenchDate(p.ValidUntil))
	case s.Full():
		return Errorf(ECONFLICT, ReasonSessionFull, "Séance complète : les %s places sont prises. Choisissez une autre séance.", FrenchNumber(int64(s.Capacity)))
	}
	return nil
}

// WhatToBring is what the receipt tells the person to bring to a booked
// workshop: the carnet always, then the session's own note.
func WhatToBring(s *WorkshopSession) string {
	out := "Votre carnet Pass numérique."
	if s == nil {
		return out
	}
	note := strings.TrimSpace(s.Note)
	if note == "" {
		return out
	}
	out += " Note du lieu : " + note
	for _, end := range []string{".", "!", "?", "…"} {
		if strings.HasSuffix(note, end) {
			return out
		}
	}
	return out + "."
}

// BookingService lets a prescriber book a person's first workshop when it
// hands out a carnet. Every method is the prescriber's, for a carnet it
// handed out; others are answered as if the carnet were not in their stock.
type BookingService interface {
	// BookableSessions lists the next sessions (MaxBookableSessions at
	// most) the holder of carnet may be booked into: nearest venues first
	// when the person's commune is known, then by date.
	BookableSessions(ctx context.Context, carnet int64) ([]*BookableSession, error)
	// BookAtHandOut registers the holder of a carnet in a session; the
	// seat is taken atomically, as a venue's registration.
	BookAtHandOut(ctx context.Context, r BookingRequest) (*Booking, error)
	// CarnetBookings lists the bookings of a carnet still standing.
	CarnetBookings(ctx context.Context, carnet int64) ([]*Booking, error)
	// CancelBooking frees a seat booked for a carnet.
	CancelBooking(ctx context.Context, carnet, registrationID int64) error
}
