package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// The store implements the booking interface.
var _ passnum.BookingService = (*sqlstore.Store)(nil)

// TestBookAtHandOutRace: prescribers booking the last seats of a session
// at the same instant, with the venue registering people too: exactly as
// many get a seat as there are places, the others are told the session is
// full, and the counter matches the registrations.
func TestBookAtHandOutRace(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 10, CarnetSize: 2, Allocated: 10, Distributed: 8})
		s := env.Store
		svc := collective(t, env, f, f.Venue, "Atelier tablette")
		agent := st.VenueCtx(f.Venue)
		w := newSession(t, env, agent, svc.ID, st.Start.Add(24*time.Hour), 3)
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		var mu sync.Mutex
		var wg sync.WaitGroup
		ok, reasons := 0, map[string]int{}
		tally := func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else {
				reasons[passnum.ErrorReason(err)]++
			}
		}
		for i := range 8 {
			wg.Go(func() {
				_, err := s.BookAtHandOut(presc, passnum.BookingRequest{Carnet: f.Batch.FirstCarnet + int64(i), SessionID: w.ID})
				tally(err)
			})
		}
		for range 2 {
			wg.Go(func() {
				_, err := s.Register(agent, passnum.RegistrationCreate{SessionID: w.ID, Label: "Josiane"})
				tally(err)
			})
		}
		wg.Wait()
		if ok != 3 || reasons[passnum.ReasonSessionFull] != 7 || len(reasons) != 1 {
			t.Fatalf("%d seats taken, refusals %v; want 3 and 7 session-full", ok, reasons)
		}
		got, regs, err := s.FindSession(agent, w.ID)
		wantErr(t, err, "", "")
		if got.Registered != 3 || len(regs) != 3 {
			t.Fatalf("session %+v with %d registrations", got, len(regs))
		}
		st.MustCheck(t, env, f.Operator)
		t.Logf("%s: %d transactions retried", env.Name, s.Retries())
	})
}

// TestBookAtHandOut: what a prescriber is offered, what it may book, what
// the venue sees, and cancelling by either side frees the seat.
func TestBookAtHandOut(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 10, CarnetSize: 2, Allocated: 8, Distributed: 4})
		s := env.Store
		rennes, brest, lyon := st.VenueCtx(f.Venue), st.VenueCtx(f.Venue2), st.VenueCtx(f.Outside)
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		day := 24 * time.Hour
		// Brest (far from the person, in Rennes) comes first by date, Rennes
		// first by distance.
		brestSoon := newSession(t, env, brest, f.Service2.ID, st.Start.Add(1*day), 5)
		rennesLater := newSession(t, env, rennes, f.Service.ID, st.Start.Add(3*day), 5)
		rennesSoon := newSession(t, env, rennes, f.Service.ID, st.Start.Add(2*day), 5)
		lyonSoon := newSession(t, env, lyon, f.OutService.ID, st.Start.Add(1*day), 5) // outside the territory
		full := newSession(t, env, rennes, f.Service.ID, st.Start.Add(4*day), 1)
		if _, err := s.Register(rennes, passnum.RegistrationCreate{SessionID: full.ID, Label: "Josiane"}); err != nil {
			t.Fatal(err)
		}
		cancelled := newSession(t, env, rennes, f.Service.ID, st.Start.Add(5*day), 5)
		if _, err := s.CancelSession(rennes, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		afterValidity := newSession(t, env, rennes, f.Service.ID, time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC), 5)
		// A workshop the programme does not pay for.
		leisure, err := s.CreateCatalogueService(st.As(f.Operator), passnum.CatalogueServiceCreate{VenueID: f.Venue.ID, Title: "Montage vidéo",
			Category: "Loisirs et créations numériques", DurationMinutes: 60, PricePasses: 1})
		if err != nil {
			t.Fatal(err)
		}
		notPaid := newSession(t, env, rennes, leisure.ID, st.Start.Add(2*day), 5)

		carnet := f.Batch.FirstCarnet
		list, err := s.BookableSessions(presc, carnet)
		wantErr(t, err, "", "")
		var ids []int64
		for _, b := range list {
			ids = append(ids, b.ID)
		}
		if want := []int64{rennesSoon.ID, rennesLater.ID, brestSoon.ID}; !slices.Equal(ids, want) {
			t.Fatalf("bookable sessions %v, want %v (Rennes by date, then Brest)", ids, want)
		}
		if b := list[0]; b.VenueName != f.Venue.Name || b.Commune != "Rennes" || b.DistanceKm == nil || *b.DistanceKm > 2 || b.SeatsLeft() != 5 {
			t.Fatalf("first session %+v", b)
		}
		if d := list[2].DistanceKm; d == nil || *d < 150 {
			var km any = "an unknown distance"
			if d != nil {
				km = *d
			}
			t.Fatalf("Brest is %v km from Rennes", km)
		}

		// Refusals: a clear reason, and nothing changed.
		other := st.As(st.Actor(f.Other, passnum.RoleAgent))
		for _, c := range []struct {
			name         string
			ctx          context.Context
			carnet       int64
			session      int64
			code, reason string
		}{
			{"outside the territory", presc, carnet, lyonSoon.ID, passnum.EREFUSED, passnum.ReasonOutsideTerr},
			{"a service the programme does not pay", presc, carnet, notPaid.ID, passnum.EREFUSED, passnum.ReasonServiceNotAllow},
			{"full", presc, carnet, full.ID, passnum.ECONFLICT, passnum.ReasonSessionFull},
			{"cancelled", presc, carnet, cancelled.ID, passnum.ECONFLICT, passnum.ReasonSessionCancelled},
			{"after the passes expire", presc, carnet, afterValidity.ID, passnum.EREFUSED, passnum.ReasonProgrammeExpired},
			{"unknown session", presc, carnet, 999999, passnum.EINVALID, ""},
			{"another structure's carnet", other, carnet, rennesSoon.ID, passnum.EREFUSED, passnum.ReasonCarnetNotInStock},
			{"a carnet not handed out", presc, carnet + 6, rennesSoon.ID, passnum.EREFUSED, passnum.ReasonCarnetNotInStock},
			{"a venue", rennes, carnet, rennesSoon.ID, passnum.EFORBIDDEN, ""},
			{"the operator", st.As(f.Operator), carnet, rennesSoon.ID, passnum.EFORBIDDEN, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.BookAtHandOut(c.ctx, passnum.BookingRequest{Carnet: c.carnet, SessionID: c.session})
				wantErr(t, err, c.code, c.reason)
				if msg := passnum.ErrorMessage(err); c.code != passnum.EFORBIDDEN && !strings.Contains(msg, " ") {
					t.Errorf("message %q", msg)
				}
			})
		}
		if got, _, _ := s.FindSession(rennes, lyonSoon.ID); got != nil {
			t.Fatal("Rennes reads Lyon's session")
		}
		for _, id := range []int64{lyonSoon.ID} {
			w, _, err := s.FindSession(lyon, id)
			if err != nil || w.Registered != 0 {
				t.Fatalf("refused booking changed session %d: %+v %v", id, w, err)
			}
		}
		if bs, err := s.CarnetBookings(presc, carnet); err != nil || len(bs) != 0 {
			t.Fatalf("bookings after refusals: %v %v", bs, err)
		}

		// Booked: the venue sees who booked, the list offers the session no more.
		b, err := s.BookAtHandOut(presc, passnum.BookingRequest{Carnet: carnet, SessionID: rennesSoon.ID})
		wantErr(t, err, "", "")
		if b.BookedBy != f.Prescriber.Name || b.Session.VenueName != f.Venue.Name || b.Registration.Carnet != carnet || b.Session.Registered != 1 {
			t.Fatalf("booking %+v session %+v", b, b.Session)
		}
		_, err = s.BookAtHandOut(presc, passnum.BookingRequest{Carnet: carnet, SessionID: rennesSoon.ID})
		wantErr(t, err, passnum.ECONFLICT, passnum.ReasonAlreadyRegistered)
		w, regs, err := s.FindSession(rennes, rennesSoon.ID)
		wantErr(t, err, "", "")
		if w.Registered != 1 || len(regs) != 1 || regs[0].BookedBy != f.Prescriber.Name || regs[0].BeneficiaryRef == "" {
			t.Fatalf("the venue sees %+v %+v", w, regs)
		}
		if list, _ := s.BookableSessions(presc, carnet); len(list) != 2 || list[0].ID != rennesLater.ID {
			t.Fatalf("after booking, offered %+v", list)
		}
		bs, err := s.CarnetBookings(presc, carnet)
		if err != nil || len(bs) != 1 || bs[0].Registration.ID != b.Registration.ID || bs[0].Session.Address != "" && bs[0].Session.Commune != "Rennes" {
			t.Fatalf("bookings %+v %v", bs, err)
		}
		if _, err := s.CarnetBookings(other, carnet); passnum.ErrorReason(err) != passnum.ReasonCarnetNotInStock {
			t.Fatalf("another structure reads the bookings: %v", err)
		}

		// The prescriber cancels: the seat is free again.
		wantErr(t, s.CancelBooking(other, carnet, b.Registration.ID), passnum.EREFUSED, passnum.ReasonCarnetNotInStock)
		wantErr(t, s.CancelBooking(presc, carnet+1, b.Registration.ID), passnum.ENOTFOUND, "")
		wantErr(t, s.CancelBooking(presc, carnet, b.Registration.ID), "", "")
		wantErr(t, s.CancelBooking(presc, carnet, b.Registration.ID), passnum.ECONFLICT, passnum.ReasonRegistrationCancelled)
		if w, _, _ := s.FindSession(rennes, rennesSoon.ID); w.Registered != 0 {
			t.Fatalf("cancelled booking holds its seat: %+v", w)
		}
		if bs, _ := s.CarnetBookings(presc, carnet); len(bs) != 0 {
			t.Fatalf("cancelled booking listed: %+v", bs)
		}

		// The venue cancels a booking: the seat is free, the receipt has none.
		b, err = s.BookAtHandOut(presc, passnum.BookingRequest{Carnet: carnet, SessionID: rennesSoon.ID})
		wantErr(t, err, "", "")
		wantErr(t, s.CancelRegistration(rennes, b.Registration.ID), "", "")
		if w, _, _ := s.FindSession(rennes, rennesSoon.ID); w.Registered != 0 {
			t.Fatalf("booking cancelled by the venue holds its seat: %+v", w)
		}
		if bs, _ := s.CarnetBookings(presc, carnet); len(bs) != 0 {
			t.Fatalf("booking cancelled by the venue listed: %+v", bs)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

// TestBookedAtHandOutIndicator: the share of carnets handed out whose
// holder was booked into a workshop at hand-out, a booking cancelled since
// not counted, in the total, by prescriber and by month of the hand-out.
func TestBookedAtHandOutIndicator(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{Carnets: 10, CarnetSize: 2, Allocated: 8, Distributed: 4})
		s, op := env.Store, st.As(f.Operator)
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		w := newSession(t, env, st.VenueCtx(f.Venue), f.Service.ID, st.Start.Add(48*time.Hour), 5)
		var regs []int64
		for i := range 3 {
			b, err := s.BookAtHandOut(presc, passnum.BookingRequest{Carnet: f.Batch.FirstCarnet + int64(i), SessionID: w.ID})
			if err != nil {
				t.Fatal(err)
			}
			regs = append(regs, b.Registration.ID)
		}
		// The venue cancels the third: it no longer counts.
		wantErr(t, s.CancelRegistration(st.VenueCtx(f.Venue), regs[2]), "", "")
		if _, err := s.RefreshIndicators(op, nil); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			dim                  passnum.Dimension
			row                  string // "" the total
			handed, booked, rate int64
			shown                string
		}{
			{passnum.DimPrescriber, "", 4, 2, 5000, "50\u202f%"},
			{passnum.DimPrescriber, fmt.Sprint(f.Prescriber.ID), 4, 2, 5000, "50\u202f%"},
			{passnum.DimMonth, "2027-03", 4, 2, 5000, "50\u202f%"},
			{passnum.DimVenue, "", 4, 2, 5000, "50\u202f%"},
		} {
			rep, err := s.Indicators(op, passnum.ScopeAllPasses, c.dim)
			if err != nil {
				t.Fatal(err)
			}
			v := &rep.Total
			if c.row != "" {
				v = nil
				for i := range rep.Rows {
					if rep.Rows[i].Key == c.row {
						v = &rep.Rows[i].Values
					}
				}
				if v == nil {
					t.Fatalf("%s: no row %s in %+v", c.dim, c.row, rep.Rows)
				}
			}
			rate, ok := v.Value("booked_at_handout_rate")
			if v.HandedOut != c.handed || v.BookedAtHandOut != c.booked || !ok || rate != c.rate || v.Format("booked_at_handout_rate") != c.shown {
				t.Errorf("%s %q: %d of %d, rate %d (%v) %q; want %d of %d, %d %q", c.dim, c.row, v.BookedAtHandOut, v.HandedOut, rate, ok,
					v.Format("booked_at_handout_rate"), c.booked, c.handed, c.rate, c.shown)
			}
		}
		// Along venues the share has no meaning.
		rep, _ := s.Indicators(op, passnum.ScopeAllPasses, passnum.DimVenue)
		if ind, _ := passnum.IndicatorByKey("booked_at_handout_rate"); ind.Applies(passnum.DimVenue) || len(rep.Rows) > 0 && rep.Rows[0].Values.Format("booked_at_handout_rate") != "—" {
			t.Error("the share is given along venues")
		}
	})
}
