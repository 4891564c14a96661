package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// Booking at hand-out (passnum.BookingService): the prescriber that handed
// a carnet out registers its holder in a venue's session. The seat is taken
// as Register takes it, by the conditional UPDATE of the session's counter
// in the same transaction as the registration; the registration records
// the structure that booked and the carnet.

// maxBookableCandidates bounds the sessions read before the programme's
// rules and the distance sort keep MaxBookableSessions: the coming sessions
// of qualified venues with a seat left, soonest first.
const maxBookableCandidates = 2000

// handedCarnet is a carnet the actor handed out, with its holder.
type handedCarnet struct {
	carnet    *carnetRow
	programme *passnum.Programme
	ref       string // the holder's reference
	commune   string // the holder's commune (INSEE), "" if unknown
	holderID  int64
}

// handedCarnet reads a carnet the prescriber handed out. Any other carnet
// (another structure's, not handed out yet, unknown) gets the same answer,
// so that a prescriber learns nothing of others' stock.
func (t *tx) handedCarnet(a *passnum.Actor, number int64) (*handedCarnet, error) {
	c, err := t.carnet(number)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND || err == nil && c.PrescriberID != a.OrgID {
		return nil, &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonCarnetNotInStock, Field: "carnet",
			Message: fmt.Sprintf("Le carnet n°%d n'est pas dans le stock de votre structure. Vérifiez le numéro.", number)}
	} else if err != nil {
		return nil, err
	}
	if c.BeneficiaryID == 0 {
		return nil, &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonCarnetNotInStock, Field: "carnet",
			Message: fmt.Sprintf("Le carnet n°%d n'a pas encore été remis : remettez-le d'abord, puis inscrivez la personne à un atelier.", number)}
	}
	h := &handedCarnet{carnet: c, holderID: c.BeneficiaryID}
	var restricted sql.NullString
	var erased sql.NullString
	if err := t.row(`SELECT ref, commune_insee, restricted_at, erased_at FROM beneficiaries WHERE id = ?`, c.BeneficiaryID).
		Scan(&h.ref, &h.commune, &restricted, &erased); err != nil {
		return nil, err
	}
	if erased.Valid {
		return nil, passnum.Errorf(passnum.EREFUSED, passnum.ReasonBeneficiaryUnknown, "La personne qui a reçu le carnet n°%d a fait effacer ses données : elle ne peut plus être inscrite par ce carnet.", number)
	}
	if restricted.Valid {
		return nil, restrictedError("carnet", h.ref)
	}
	if h.programme, err = t.settings(c.ProgrammeID); err != nil {
		return nil, err
	}
	return h, nil
}

// bookableColumns are a session with what the rules and the receipt need:
// the venue's name, qualification and commune, the service's category and
// state, the address and point of the place (a point of presence's, else
// the venue's).
const bookableColumns = sessionColumns + `, o.name, COALESCE(o.qualification, ''), COALESCE(o.commune_insee, ''), s.category, s.active,
	COALESCE(p.address, v.address, ''), COALESCE(p.postal_code, v.postal_code, ''), COALESCE(p.commune_insee, o.commune_insee, ''),
	COALESCE(p.latitude, v.latitude), COALESCE(p.longitude, v.longitude)`

const bookableFrom = sessionFrom + ` JOIN organisations o ON o.id = w.venue_id LEFT JOIN venues v ON v.org_id = w.venue_id`

// bookable is a scanned candidate.
type bookable struct {
	passnum.BookableSession
	qualified     bool
	venueCommune  string
	category      string
	serviceActive bool
	placeCommune  string
	point         *geo.Point
}

func scanBookable(sc scanner) (*bookable, error) {
	var b bookable
	var starts string
	var cancelled sql.NullString
	var qualification string
	var active int
	var lat, lon sql.NullFloat64
	w := &b.WorkshopSession
	if err := sc.Scan(&w.ID, &w.ServiceID, &w.VenueID, &w.PlaceID, &starts, &w.DurationMinutes, &w.Capacity, &w.Note,
		&cancelled, &w.Registered, &w.Attended, &w.ServiceTitle, &w.PlaceName,
		&b.VenueName, &qualification, &b.venueCommune, &b.category, &active,
		&b.Address, &b.PostalCode, &b.placeCommune, &lat, &lon); err != nil {
		return nil, err
	}
	in := instants{table: "workshop_sessions", id: w.ID}
	w.StartsAt, w.CancelledAt = in.at("starts_at", starts), in.optional("cancelled_at", cancelled)
	b.qualified = passnum.Qualification(qualification) == passnum.QualificationQualified
	b.serviceActive = active == 1
	if lat.Valid && lon.Valid {
		b.point = &geo.Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	if c, ok := geo.LookupCommune(b.placeCommune); ok {
		b.Commune = c.Name
	}
	return &b, in.err
}

func (b *bookable) facts(p *passnum.Programme) passnum.BookingFacts {
	return passnum.BookingFacts{Programme: p, Session: &b.WorkshopSession, VenueQualified: b.qualified,
		VenueCommune: b.venueCommune, ServiceCategory: b.category, ServiceActive: b.serviceActive}
}

// distanceFrom sets the distance from the person's commune: the place's
// own point, else its commune's.
func (b *bookable) distanceFrom(centre geo.Point) {
	p := b.point
	if p == nil {
		if cp, ok := communePoint(b.placeCommune); ok {
			p = &cp
		}
	}
	if p != nil {
		km := math.Round(geo.DistanceKm(centre, *p)*10) / 10
		b.DistanceKm = &km
	}
}

// nearness groups distances so that a session soon at a venue a little
// farther comes before one in three months next door: same commune, within
// 10 km, within 25 km, farther, unknown.
func nearness(distance *float64) int {
	if distance == nil {
		return 4
	}
	switch km := *distance; {
	case km < 2:
		return 0
	case km < 10:
		return 1
	case km < 25:
		return 2
	}
	return 3
}

// BookableSessions lists the next sessions the holder of a carnet the
// prescriber handed out may be booked into.
func (s *Store) BookableSessions(ctx context.Context, number int64) ([]*passnum.BookableSession, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionBook); err != nil {
		return nil, err
	}
	var out []*passnum.BookableSession
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		h, err := tx.handedCarnet(a, number)
		if err != nil {
			return err
		}
		// What SQL can say cheaply; the programme's territory and services
		// are passnum.CheckBookable's, as for the booking itself.
		list, err := selectAll(tx, scanBookable, `SELECT `+bookableColumns+bookableFrom+`
			WHERE w.cancelled_at IS NULL AND w.starts_at > ? AND w.starts_at < ? AND w.registered < w.capacity
			AND s.active = 1 AND o.qualification = ?
			AND w.id NOT IN (SELECT session_id FROM workshop_registrations WHERE beneficiary_ref = ? AND cancelled_at IS NULL)
			ORDER BY w.starts_at, w.id LIMIT ?`,
			tx.nowText(), passnum.FormatTime(h.programme.ExpiresAfter()), string(passnum.QualificationQualified), h.ref, maxBookableCandidates)
		if err != nil {
			return err
		}
		list = slices.DeleteFunc(list, func(b *bookable) bool { return passnum.CheckBookable(b.facts(h.programme), tx.now) != nil })
		if centre, ok := communePoint(h.commune); ok {
			for _, b := range list {
				b.distanceFrom(centre)
			}
			slices.SortStableFunc(list, func(x, y *bookable) int { return nearness(x.DistanceKm) - nearness(y.DistanceKm) })
		}
		for _, b := range list[:min(len(list), passnum.MaxBookableSessions)] {
			out = append(out, &b.BookableSession)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bookable sessions for carnet %d: %w", number, err)
	}
	return out, nil
}

// BookAtHandOut registers the holder of a carnet the prescriber handed out
// in a session, after the same rules as BookableSessions.
func (s *Store) BookAtHandOut(ctx context.Context, r passnum.BookingRequest) (*passnum.Booking, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionBook); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Booking
	err := s.write(ctx, "book at hand-out", func(tx *tx) error {
		h, err := tx.handedCarnet(a, r.Carnet)
		if err != nil {
			return err
		}
		b, err := scanBookable(tx.row(`SELECT `+bookableColumns+bookableFrom+` WHERE w.id = ?`, r.SessionID))
		if errors.Is(err, sql.ErrNoRows) {
			return passnum.Invalid("session_id", "Séance n° %d introuvable : choisissez une séance de la liste.", r.SessionID)
		} else if err != nil {
			return err
		}
		if err := passnum.CheckBookable(b.facts(h.programme), tx.now); err != nil {
			return err
		}
		var already int
		if err := tx.get(&already, `SELECT COUNT(*) FROM workshop_registrations WHERE session_id = ? AND beneficiary_ref = ? AND cancelled_at IS NULL`,
			b.ID, h.ref); err != nil {
			return err
		}
		if already > 0 {
			return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonAlreadyRegistered, Field: "session_id",
				Message: "La personne est déjà inscrite à cette séance."}
		}
		// The seat: the counter moves only if a place is left, whatever
		// another prescriber or the venue did since the read above.
		n, err := tx.execN(`UPDATE workshop_sessions SET registered = registered + 1 WHERE id = ? AND registered < capacity AND cancelled_at IS NULL`, b.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionFull, "Séance complète : la dernière place vient d'être prise. Choisissez une autre séance.")
		}
		id, err := tx.insert(`INSERT INTO workshop_registrations (session_id, beneficiary_ref, label, created_at, created_by, booked_by_org_id, carnet_number)
			VALUES (?, ?, '', ?, ?, ?, ?)`, b.ID, h.ref, tx.nowText(), tx.actorLabel(), a.OrgID, h.carnet.Number)
		if err != nil {
			return err
		}
		// As Register: the person's reference stays out of the audit trail.
		if err := tx.audit("sessions.book", fmt.Sprintf("registration:%d", id), fmt.Sprintf("session:%d carnet:%d", b.ID, h.carnet.Number)); err != nil {
			return err
		}
		reg, err := tx.registration(id)
		if err != nil {
			return err
		}
		b.Registered++
		if err := tx.tellBooking(a.UserID, h.carnet.Number, &b.BookableSession); err != nil {
			return err
		}
		out = &passnum.Booking{Carnet: h.carnet.Number, Registration: reg, Session: &b.BookableSession, BookedBy: reg.BookedBy}
		return nil
	})
	return out, wrapf(err, "book carnet %d in session %d", r.Carnet, r.SessionID)
}

// CarnetBookings lists the bookings of a carnet the prescriber handed out
// that are still standing (a cancelled session's too: the receipt says it
// was cancelled).
func (s *Store) CarnetBookings(ctx context.Context, number int64) ([]*passnum.Booking, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionBook); err != nil {
		return nil, err
	}
	out := []*passnum.Booking{}
	err := s.read(ctx, func(tx *tx) error {
		out = out[:0]
		if _, err := tx.handedCarnet(a, number); err != nil {
			return err
		}
		regs, err := selectAll(tx, scanRegistration, `SELECT `+registrationColumns+` FROM workshop_registrations
			WHERE carnet_number = ? AND cancelled_at IS NULL ORDER BY id`, number)
		if err != nil {
			return err
		}
		for _, reg := range regs {
			b, err := scanBookable(tx.row(`SELECT `+bookableColumns+bookableFrom+` WHERE w.id = ?`, reg.SessionID))
			if err != nil {
				return err
			}
			out = append(out, &passnum.Booking{Carnet: number, Registration: reg, Session: &b.BookableSession, BookedBy: reg.BookedBy})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bookings of carnet %d: %w", number, err)
	}
	slices.SortStableFunc(out, func(x, y *passnum.Booking) int { return x.Session.StartsAt.Compare(y.Session.StartsAt) })
	return out, nil
}

// CancelBooking frees a seat booked for a carnet the prescriber handed out.
func (s *Store) CancelBooking(ctx context.Context, number, registrationID int64) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionBook); err != nil {
		return err
	}
	err := s.write(ctx, "cancel booking", func(tx *tx) error {
		if _, err := tx.handedCarnet(a, number); err != nil {
			return err
		}
		r, err := tx.registration(registrationID)
		if err == nil && r.Carnet != number {
			err = notFound("inscription n°", registrationID)
		}
		if err != nil {
			return err
		}
		w, err := tx.sessionRow(r.SessionID)
		if err != nil {
			return err
		}
		return tx.cancelSeat(r, w)
	})
	return wrapf(err, "cancel booking %d of carnet %d", registrationID, number)
}
