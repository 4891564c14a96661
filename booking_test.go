package passnum_test

import (
	"testing"
	"time"

	"github.com/passnum/passnum"
)

func TestCheckBookable(t *testing.T) {
	now := time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC)
	prog := &passnum.Programme{Name: "Pass Bretagne", Territory: []string{"region:53"}, ValidUntil: "2027-12-31", ToleranceDays: 31,
		Services: []string{"Maîtrise des outils numériques du quotidien"}}
	cancelled := now.Add(-time.Hour)
	session := func(change func(*passnum.WorkshopSession)) *passnum.WorkshopSession {
		s := &passnum.WorkshopSession{StartsAt: now.Add(48 * time.Hour), DurationMinutes: 90, Capacity: 6, Registered: 5}
		if change != nil {
			change(s)
		}
		return s
	}
	ok := passnum.BookingFacts{Programme: prog, Session: session(nil), VenueQualified: true, VenueCommune: "35238",
		ServiceCategory: "Maîtrise des outils numériques du quotidien", ServiceActive: true}
	for _, c := range []struct {
		name   string
		change func(*passnum.BookingFacts)
		reason string
	}{
		{"the last seat, in Rennes", nil, ""},
		{"a venue not qualified", func(f *passnum.BookingFacts) { f.VenueQualified = false }, passnum.ReasonVenueNotQual},
		{"Lyon, outside Bretagne", func(f *passnum.BookingFacts) { f.VenueCommune = "69123" }, passnum.ReasonOutsideTerr},
		{"a service withdrawn", func(f *passnum.BookingFacts) { f.ServiceActive = false }, passnum.ReasonServiceNotAllow},
		{"a service the programme does not pay", func(f *passnum.BookingFacts) { f.ServiceCategory = "Loisirs et créations numériques" }, passnum.ReasonServiceNotAllow},
		{"cancelled", func(f *passnum.BookingFacts) {
			f.Session = session(func(s *passnum.WorkshopSession) { s.CancelledAt = &cancelled })
		}, passnum.ReasonSessionCancelled},
		{"started", func(f *passnum.BookingFacts) {
			f.Session = session(func(s *passnum.WorkshopSession) { s.StartsAt = now.Add(-time.Minute) })
		}, passnum.ReasonSessionOver},
		{"after the passes expire", func(f *passnum.BookingFacts) {
			f.Session = session(func(s *passnum.WorkshopSession) { s.StartsAt = time.Date(2028, 2, 15, 9, 0, 0, 0, time.UTC) })
		}, passnum.ReasonProgrammeExpired},
		{"within the tolerance", func(f *passnum.BookingFacts) {
			f.Session = session(func(s *passnum.WorkshopSession) { s.StartsAt = time.Date(2028, 1, 10, 9, 0, 0, 0, time.UTC) })
		}, ""},
		{"full", func(f *passnum.BookingFacts) {
			f.Session = session(func(s *passnum.WorkshopSession) { s.Registered = 6 })
		}, passnum.ReasonSessionFull},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := ok
			if c.change != nil {
				c.change(&f)
			}
			err := passnum.CheckBookable(f, now)
			if got := passnum.ErrorReason(err); err != nil && got != c.reason || err == nil && c.reason != "" {
				t.Fatalf("got %v (%s), want %q", err, got, c.reason)
			}
			if err != nil && passnum.ErrorMessage(err) == "" {
				t.Fatal("no message")
			}
		})
	}
}

func TestWhatToBring(t *testing.T) {
	for _, c := range []struct{ note, want string }{
		{"", "Votre carnet Pass numérique."},
		{"  ", "Votre carnet Pass numérique."},
		{"Apportez votre smartphone chargé", "Votre carnet Pass numérique. Note du lieu : Apportez votre smartphone chargé."},
		{"Apportez votre smartphone si vous en avez un.", "Votre carnet Pass numérique. Note du lieu : Apportez votre smartphone si vous en avez un."},
		{"Vos identifiants France Travail !", "Votre carnet Pass numérique. Note du lieu : Vos identifiants France Travail !"},
	} {
		if got := passnum.WhatToBring(&passnum.WorkshopSession{Note: c.note}); got != c.want {
			t.Errorf("note %q: %q, want %q", c.note, got, c.want)
		}
	}
	if got := passnum.WhatToBring(nil); got != "Votre carnet Pass numérique." {
		t.Errorf("no session: %q", got)
	}
}
