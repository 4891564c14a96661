package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// Sessions of catalogue services, registrations and attendance. The
// operator reaches every venue's sessions; a venue's members (admins and
// agents) reach their own; anybody, without an account, lists a venue's
// coming sessions without their counts (ListSessions).

// maxSessionPast is how long after a workshop a venue may still declare
// its session, to record who came: a month of paperwork, the period of a
// reimbursement.
const maxSessionPast = 31 * 24 * time.Hour

// maxSessionAhead is how far ahead a session may be planned.
const maxSessionAhead = 2 * 365 * 24 * time.Hour

// maxListedSessions bounds the sessions ListSessions returns at once.
const maxListedSessions = 5000

const sessionColumns = `w.id, w.service_id, w.venue_id, COALESCE(w.place_id, 0), w.starts_at, w.duration_minutes, w.capacity, w.note,
	w.cancelled_at, w.registered,
	(SELECT COUNT(*) FROM workshop_registrations g WHERE g.session_id = w.id AND g.cancelled_at IS NULL AND g.attended = 1),
	s.title, COALESCE(p.name, '')`

// sessionFrom joins what a session shows: its service's title and its
// place's name (venue_places comes with migration 0003).
const sessionFrom = ` FROM workshop_sessions w JOIN catalogue_services s ON s.id = w.service_id
	LEFT JOIN venue_places p ON p.id = w.place_id`

func scanSession(sc scanner) (*passnum.WorkshopSession, error) {
	var w passnum.WorkshopSession
	var starts string
	var cancelled sql.NullString
	if err := sc.Scan(&w.ID, &w.ServiceID, &w.VenueID, &w.PlaceID, &starts, &w.DurationMinutes, &w.Capacity, &w.Note,
		&cancelled, &w.Registered, &w.Attended, &w.ServiceTitle, &w.PlaceName); err != nil {
		return nil, err
	}
	in := instants{table: "workshop_sessions", id: w.ID}
	w.StartsAt, w.CancelledAt = in.at("starts_at", starts), in.optional("cancelled_at", cancelled)
	return &w, in.err
}

func (t *tx) workshopSession(id int64) (*passnum.WorkshopSession, error) {
	w, err := scanSession(t.row(`SELECT `+sessionColumns+sessionFrom+` WHERE w.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("séance n°", id)
	}
	return w, err
}

// sessionRow reads a session's own row, without counts nor names: what
// registrations and attendance need, and no more rows than that for a
// concurrent write to conflict with on PostgreSQL.
func (t *tx) sessionRow(id int64) (*passnum.WorkshopSession, error) {
	var w passnum.WorkshopSession
	var starts string
	var cancelled sql.NullString
	err := t.row(`SELECT id, service_id, venue_id, COALESCE(place_id, 0), starts_at, duration_minutes, capacity, registered, cancelled_at
		FROM workshop_sessions WHERE id = ?`, id).
		Scan(&w.ID, &w.ServiceID, &w.VenueID, &w.PlaceID, &starts, &w.DurationMinutes, &w.Capacity, &w.Registered, &cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("séance n°", id)
	} else if err != nil {
		return nil, err
	}
	in := instants{table: "workshop_sessions", id: id}
	w.StartsAt, w.CancelledAt = in.at("starts_at", starts), in.optional("cancelled_at", cancelled)
	return &w, in.err
}

// registrationColumns name, for a seat booked at hand-out, the structure
// that booked it (BookingService) and the carnet.
const registrationColumns = `id, session_id, COALESCE(beneficiary_ref, ''), label, created_at, cancelled_at, attended,
	COALESCE((SELECT b.name FROM organisations b WHERE b.id = booked_by_org_id), ''), COALESCE(carnet_number, 0)`

func scanRegistration(sc scanner) (*passnum.Registration, error) {
	var r passnum.Registration
	var created string
	var cancelled sql.NullString
	var attended sql.NullInt64
	if err := sc.Scan(&r.ID, &r.SessionID, &r.BeneficiaryRef, &r.Label, &created, &cancelled, &attended, &r.BookedBy, &r.Carnet); err != nil {
		return nil, err
	}
	in := instants{table: "workshop_registrations", id: r.ID}
	if r.CreatedAt, r.CancelledAt = in.at("created_at", created), in.optional("cancelled_at", cancelled); in.err != nil {
		return nil, in.err
	}
	if attended.Valid {
		came := attended.Int64 == 1
		r.Attended = &came
	}
	return &r, nil
}

func (t *tx) registration(id int64) (*passnum.Registration, error) {
	r, err := scanRegistration(t.row(`SELECT `+registrationColumns+` FROM workshop_registrations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("inscription n°", id)
	}
	return r, err
}

// runsVenue tells whether a acts for venueID's workshops: the operator for
// every venue, a venue's members for their own.
func runsVenue(a *passnum.Actor, venueID int64) bool {
	return a.IsOperator() || a.OrgKind == passnum.KindVenue && a.OrgID == venueID
}

// checkPlace checks that placeID is a point of presence of venueID (and,
// when open is set, that it is still open).
func (t *tx) checkPlace(venueID, placeID int64, open bool) error {
	var owner int64
	var active int
	err := t.row(`SELECT venue_id, active FROM venue_places WHERE id = ?`, placeID).Scan(&owner, &active)
	if errors.Is(err, sql.ErrNoRows) || err == nil && owner != venueID {
		return passnum.Invalid("place_id", "Lieu de permanence n° %d introuvable parmi ceux de votre lieu.", placeID)
	} else if err != nil {
		return err
	}
	if open && active != 1 {
		return passnum.Invalid("place_id", "Ce lieu de permanence est fermé : rouvrez-le ou choisissez-en un autre.")
	}
	return nil
}

// sessionOf returns a session the actor runs, read with load; others'
// sessions are not found, as if they did not exist.
func (t *tx) sessionOf(a *passnum.Actor, id int64, load func(int64) (*passnum.WorkshopSession, error)) (*passnum.WorkshopSession, error) {
	w, err := load(id)
	if err != nil {
		return nil, err
	}
	if !runsVenue(a, w.VenueID) {
		return nil, notFound("séance n°", id)
	}
	return w, nil
}

// sessionEnd is when a session is over.
func sessionEnd(w *passnum.WorkshopSession) time.Time {
	return w.StartsAt.Add(time.Duration(w.DurationMinutes) * time.Minute)
}

// CreateSession plans a session of a service of the caller's venue (the
// operator: of any venue), at the venue or one of its open places.
func (s *Store) CreateSession(ctx context.Context, c passnum.SessionCreate) (*passnum.WorkshopSession, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.WorkshopSession
	err := s.write(ctx, "create session", func(tx *tx) error {
		svc, err := tx.findService(c.ServiceID)
		if err == nil && !runsVenue(a, svc.VenueID) {
			err = notFound("service", c.ServiceID)
		}
		if err != nil {
			return err
		}
		if err := tx.actsBeyondItsFile(svc.VenueID, "programmer des séances"); err != nil {
			return err
		}
		if !svc.Active {
			return passnum.Invalid("service_id", "Le service « %s » est retiré du catalogue : rétablissez-le avant d'en programmer des séances.", svc.Title)
		}
		start := c.StartsAt.UTC()
		if start.Before(tx.now.Add(-maxSessionPast)) {
			return passnum.Invalid("starts_at", "Une séance passée se déclare au plus tard %d jours après : au-delà, faites un compte-rendu d'activité.", int(maxSessionPast.Hours()/24))
		}
		if start.After(tx.now.Add(maxSessionAhead)) {
			return passnum.Invalid("starts_at", "Une séance se programme au plus deux ans à l'avance.")
		}
		duration := c.DurationMinutes
		if duration == 0 {
			duration = svc.DurationMinutes
		}
		if most := svc.PricePasses * passnum.MinutesPerPass; duration > most {
			return passnum.Invalid("duration_minutes", "Le service « %s » coûte %d pass : une séance dure au plus %d minutes (un pass paie au plus 2 heures).",
				svc.Title, svc.PricePasses, most)
		}
		if c.PlaceID != 0 {
			if err := tx.checkPlace(svc.VenueID, c.PlaceID, true); err != nil {
				return err
			}
		}
		id, err := tx.insert(`INSERT INTO workshop_sessions (service_id, venue_id, place_id, starts_at, duration_minutes, capacity, note, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			svc.ID, svc.VenueID, nullID(c.PlaceID), passnum.FormatTime(start), duration, c.Capacity, c.Note, tx.nowText(), tx.actorLabel())
		if err != nil {
			return err
		}
		if err := tx.audit("sessions.create", fmt.Sprintf("session:%d", id),
			fmt.Sprintf("venue:%d service:%d %s %d places", svc.VenueID, svc.ID, passnum.FormatTime(start), c.Capacity)); err != nil {
			return err
		}
		out, err = tx.workshopSession(id)
		return err
	})
	return out, wrapf(err, "session of service %d", c.ServiceID)
}

// actsBeyondItsFile refuses what a venue may do only once qualified
// (passnum.Qualification.ActsBeyondItsFile); what says it in French.
func (t *tx) actsBeyondItsFile(venueID int64, what string) error {
	var q passnum.Qualification
	if err := t.get(&q, `SELECT COALESCE(qualification, '') FROM organisations WHERE id = ? AND kind = 'venue'`, venueID); errors.Is(err, sql.ErrNoRows) {
		return notFound("venue", venueID)
	} else if err != nil {
		return err
	}
	if !q.ActsBeyondItsFile() {
		return q.NotQualified(what)
	}
	return nil
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CancelSession cancels a session; its registrations stay, so that the
// venue knows whom to tell. A session that took place cannot be cancelled:
// once someone is recorded present, or passes were redeemed for it (and
// not voided), the session is part of what the venue is paid for and what
// funders count.
func (s *Store) CancelSession(ctx context.Context, id int64) (*passnum.WorkshopSession, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return nil, err
	}
	var out *passnum.WorkshopSession
	err := s.write(ctx, "cancel session", func(tx *tx) error {
		w, err := tx.sessionOf(a, id, tx.workshopSession)
		if err != nil {
			return err
		}
		if w.CancelledAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionCancelled, "Cette séance a déjà été annulée le %s.", passnum.FrenchDateTime(*w.CancelledAt))
		}
		if w.Attended > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionHeld,
				"Cette séance a eu lieu : %s présente(s) enregistrée(s). Elle ne peut plus être annulée.", passnum.FrenchNumber(int64(w.Attended)))
		}
		var redeemed int
		if err := tx.get(&redeemed, `SELECT COUNT(*) FROM redemptions WHERE session_id = ? AND voided_at IS NULL`, id); err != nil {
			return err
		}
		if redeemed > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionRedeemed,
				"Des pass ont été encaissés pour cette séance : annulez d'abord ces encaissements (dans les 24 heures) ou contactez l'opérateur.")
		}
		if err := tx.exec(`UPDATE workshop_sessions SET cancelled_at = ?, cancelled_by = ? WHERE id = ?`, tx.nowText(), tx.actorLabel(), id); err != nil {
			return err
		}
		if err := tx.audit("sessions.cancel", fmt.Sprintf("session:%d", id), fmt.Sprintf("%d registered", w.Registered)); err != nil {
			return err
		}
		out, err = tx.workshopSession(id)
		return err
	})
	return out, wrapf(err, "cancel session %d", id)
}

// FindSession returns a session with its registrations, cancelled ones
// included (the venue's members, the operator).
func (s *Store) FindSession(ctx context.Context, id int64) (*passnum.WorkshopSession, []*passnum.Registration, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return nil, nil, err
	}
	var w *passnum.WorkshopSession
	var regs []*passnum.Registration
	err := s.read(ctx, func(tx *tx) error {
		var err error
		if w, err = tx.sessionOf(a, id, tx.workshopSession); err != nil {
			return err
		}
		regs, err = selectAll(tx, scanRegistration, `SELECT `+registrationColumns+` FROM workshop_registrations WHERE session_id = ? ORDER BY id`, id)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("session %d: %w", id, err)
	}
	if regs == nil {
		regs = []*passnum.Registration{}
	}
	passnum.RedactFor(a, regs)
	return w, regs, nil
}

// ListSessions lists sessions by start. The operator and a venue's members
// list their sessions (venue 0: the caller's venue; the operator's 0: every
// venue), past or cancelled ones included, with their counts. Anybody
// else, with or without an account, lists one venue's coming sessions that
// are not cancelled, of services still in the catalogue, with the seats
// taken (so that people see what is left) but no attendance: what the
// public directory shows, for a venue it lists (none for an applicant). From is inclusive, To exclusive; the
// limit defaults to 100, up to maxListedSessions.
func (s *Store) ListSessions(ctx context.Context, f passnum.SessionFilter) ([]*passnum.WorkshopSession, error) {
	a := passnum.ActorFromContext(ctx)
	venueID := f.VenueID
	if venueID == 0 && a != nil && !a.IsOperator() {
		venueID = a.OrgID
	}
	member := a.Can(passnum.ActSessionManage) && runsVenue(a, venueID)
	if !member && f.VenueID == 0 {
		return nil, passnum.Invalid("venue_id", "Choisissez le lieu dont vous voulez voir les séances.")
	}
	where, args := []string{"1 = 1"}, []any{}
	if venueID != 0 {
		where, args = append(where, "w.venue_id = ?"), append(args, venueID)
	}
	if f.ServiceID != 0 {
		where, args = append(where, "w.service_id = ?"), append(args, f.ServiceID)
	}
	if !f.To.IsZero() {
		where, args = append(where, "w.starts_at < ?"), append(args, passnum.FormatTime(f.To))
	}
	if !member {
		// The public sees the sessions of the venues in the directory.
		where = append(where, "w.cancelled_at IS NULL", "s.active = 1",
			"w.venue_id IN (SELECT o.id FROM organisations o WHERE "+inDirectorySQL+")")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, maxListedSessions)
	var out []*passnum.WorkshopSession
	err := s.read(ctx, func(tx *tx) error {
		from := f.From
		if !member && from.Before(tx.now) {
			from = tx.now // the public sees sessions not yet started
		}
		where, args := slices.Clone(where), slices.Clone(args)
		if !from.IsZero() {
			where, args = append(where, "w.starts_at >= ?"), append(args, passnum.FormatTime(from))
		}
		var err error
		out, err = selectAll(tx, scanSession, `SELECT `+sessionColumns+sessionFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY w.starts_at, w.id LIMIT ?`,
			append(args, limit)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !member {
		for _, w := range out {
			w.Attended = 0
		}
	}
	if out == nil {
		out = []*passnum.WorkshopSession{}
	}
	return out, nil
}

// Register gives a person a seat in a session. The seat is taken by a
// conditional UPDATE of the session's counter in the same transaction as
// the registration, and a CHECK on the counter backs it: concurrent
// registrations never exceed the capacity, on either engine.
func (s *Store) Register(ctx context.Context, r passnum.RegistrationCreate) (*passnum.Registration, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out *passnum.Registration
	err := s.write(ctx, "register", func(tx *tx) error {
		w, err := tx.sessionOf(a, r.SessionID, tx.sessionRow)
		if err != nil {
			return err
		}
		if w.CancelledAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionCancelled, "Cette séance a été annulée : on ne peut plus s'y inscrire.")
		}
		if err := tx.actsBeyondItsFile(w.VenueID, "inscrire des personnes à ses séances"); err != nil {
			return err
		}
		if end := sessionEnd(w); !tx.now.Before(end) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonSessionOver, "Cette séance s'est terminée le %s : on ne peut plus s'y inscrire.", passnum.FrenchDateTime(end))
		}
		if r.BeneficiaryRef != "" {
			var known, restricted int
			if err := tx.row(`SELECT COUNT(*), COUNT(restricted_at) FROM beneficiaries WHERE ref = ? AND erased_at IS NULL`, r.BeneficiaryRef).Scan(&known, &restricted); err != nil {
				return err
			}
			if known == 0 {
				return passnum.Invalid("beneficiary_ref", "Aucune personne n'a la référence %s : vérifiez-la sur son carnet.", r.BeneficiaryRef)
			}
			if restricted > 0 {
				return restrictedError("beneficiary_ref", r.BeneficiaryRef)
			}
			var already int
			if err := tx.get(&already, `SELECT COUNT(*) FROM workshop_registrations WHERE session_id = ? AND beneficiary_ref = ? AND cancelled_at IS NULL`,
				w.ID, r.BeneficiaryRef); err != nil {
				return err
			}
			if already > 0 {
				return &passnum.Error{Code: passnum.ECONFLICT, Reason: passnum.ReasonAlreadyRegistered, Field: "beneficiary_ref",
					Message: fmt.Sprintf("La personne %s est déjà inscrite à cette séance.", r.BeneficiaryRef)}
			}
		}
		n, err := tx.execN(`UPDATE workshop_sessions SET registered = registered + 1 WHERE id = ? AND registered < capacity`, w.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			if w.Capacity == 1 {
				return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionFull, "Séance complète : sa seule place est prise.")
			}
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionFull, "Séance complète : les %s places sont prises.", passnum.FrenchNumber(int64(w.Capacity)))
		}
		id, err := tx.insert(`INSERT INTO workshop_registrations (session_id, beneficiary_ref, label, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
			w.ID, nullable(r.BeneficiaryRef), r.Label, tx.nowText(), tx.actorLabel())
		if err != nil {
			return err
		}
		// Neither the label nor the reference goes to the audit trail:
		// the registration row holds them, and can be erased.
		if err := tx.audit("sessions.register", fmt.Sprintf("registration:%d", id), fmt.Sprintf("session:%d", w.ID)); err != nil {
			return err
		}
		out, err = tx.registration(id)
		return err
	})
	passnum.RedactFor(a, out)
	return out, wrapf(err, "register in session %d", r.SessionID)
}

// registrationOf returns a registration of a session the actor runs, and
// the session.
func (t *tx) registrationOf(a *passnum.Actor, id int64) (*passnum.Registration, *passnum.WorkshopSession, error) {
	r, err := t.registration(id)
	if err != nil {
		return nil, nil, err
	}
	w, err := t.sessionRow(r.SessionID)
	if err != nil {
		return nil, nil, err
	}
	if !runsVenue(a, w.VenueID) {
		return nil, nil, notFound("inscription n°", id)
	}
	return r, w, nil
}

// CancelRegistration frees a seat. A person recorded present keeps theirs:
// they came.
func (s *Store) CancelRegistration(ctx context.Context, id int64) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return err
	}
	err := s.write(ctx, "cancel registration", func(tx *tx) error {
		r, w, err := tx.registrationOf(a, id)
		if err != nil {
			return err
		}
		return tx.cancelSeat(r, w)
	})
	return wrapf(err, "cancel registration %d", id)
}

// cancelSeat cancels registration r of session w and frees its seat: for
// the venue (CancelRegistration) and for the prescriber that booked it
// (CancelBooking) alike.
func (t *tx) cancelSeat(r *passnum.Registration, w *passnum.WorkshopSession) error {
	if r.CancelledAt != nil {
		return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRegistrationCancelled, "Cette inscription a déjà été annulée le %s.", passnum.FrenchDateTime(*r.CancelledAt))
	}
	if r.Attended != nil && *r.Attended {
		return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonAttendanceRecorded, "Cette personne est enregistrée présente à la séance : son inscription ne peut plus être annulée.")
	}
	if err := t.exec(`UPDATE workshop_registrations SET cancelled_at = ? WHERE id = ?`, t.nowText(), r.ID); err != nil {
		return err
	}
	if err := t.exec(`UPDATE workshop_sessions SET registered = registered - 1 WHERE id = ?`, w.ID); err != nil {
		return err
	}
	return t.audit("sessions.unregister", fmt.Sprintf("registration:%d", r.ID), fmt.Sprintf("session:%d", w.ID))
}

// RecordAttendance records whether a registered person came, once the
// session has started; it may be corrected afterwards.
func (s *Store) RecordAttendance(ctx context.Context, registrationID int64, attended bool) error {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, passnum.ActSessionManage); err != nil {
		return err
	}
	err := s.write(ctx, "attendance", func(tx *tx) error {
		r, w, err := tx.registrationOf(a, registrationID)
		if err != nil {
			return err
		}
		if w.CancelledAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonSessionCancelled, "Cette séance a été annulée : il n'y a pas de présence à noter.")
		}
		if r.CancelledAt != nil {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonRegistrationCancelled, "Cette inscription a été annulée : inscrivez de nouveau la personne si elle est venue.")
		}
		if tx.now.Before(w.StartsAt) {
			return passnum.Errorf(passnum.EREFUSED, passnum.ReasonSessionNotStarted, "La séance commence le %s : la présence se note une fois la séance commencée.",
				passnum.FrenchDateTime(w.StartsAt))
		}
		flag, word := 0, "absent"
		if attended {
			flag, word = 1, "present"
		}
		if err := tx.exec(`UPDATE workshop_registrations SET attended = ?, attendance_at = ?, attendance_by = ? WHERE id = ?`,
			flag, tx.nowText(), tx.actorLabel(), registrationID); err != nil {
			return err
		}
		return tx.audit("sessions.attendance", fmt.Sprintf("registration:%d", registrationID), fmt.Sprintf("session:%d %s", w.ID, word))
	})
	return wrapf(err, "attendance of registration %d", registrationID)
}

// redemptionSession checks the session a redemption says it pays for: a
// session of the caller's venue, of the service delivered, not cancelled.
// It reads the session's row alone: redemptions are the hot path, and on
// PostgreSQL every row read is one a concurrent write may conflict with.
func (t *tx) redemptionSession(venueID, serviceID, sessionID int64) error {
	var venue, service int64
	var cancelled sql.NullString
	err := t.row(`SELECT venue_id, service_id, cancelled_at FROM workshop_sessions WHERE id = ?`, sessionID).Scan(&venue, &service, &cancelled)
	if errors.Is(err, sql.ErrNoRows) || err == nil && venue != venueID {
		return passnum.Invalid("session_id", "Séance n° %d introuvable parmi celles de votre lieu : choisissez une séance de la liste.", sessionID)
	} else if err != nil {
		return err
	}
	if service != serviceID {
		var title string
		if err := t.get(&title, `SELECT title FROM catalogue_services WHERE id = ?`, service); err != nil {
			return err
		}
		return passnum.Invalid("session_id", "Cette séance est une séance de « %s », pas du service choisi : choisissez la séance du service rendu.", title)
	}
	in := instants{table: "workshop_sessions", id: sessionID}
	if when := in.optional("cancelled_at", cancelled); in.err != nil {
		return in.err
	} else if when != nil {
		return passnum.Invalid("session_id", "Cette séance a été annulée le %s : on ne peut pas y encaisser de pass.", passnum.FrenchDateTime(*when))
	}
	return nil
}
