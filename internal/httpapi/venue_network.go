package httpapi

import (
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// applyAsVenue records an online application, without a token: 201 with
// the new (pending) venue, or a problem listing every field to correct.
func (s *Server) applyAsVenue(w http.ResponseWriter, r *http.Request) error {
	// The answer concerns one applicant: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	client, now := s.proxies.ClientNetwork(r), s.now()
	for _, lim := range []*ratelimit.Window[string]{s.applications, s.applicationTries} {
		if until, blocked := lim.BlockedUntil(client, now); blocked {
			return &rateLimited{retryAt: until, err: passnum.Errorf(passnum.ERATELIMIT, reasonTooManyApplications,
				"Trop de candidatures ont été envoyées depuis votre connexion. Réessayez %s.", ratelimit.RetryWhen(until, now))}
		}
	}
	var in passnum.VenueApplication
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	org, err := s.svc.ApplyAsVenue(r.Context(), in)
	// Every application the service answered counts, accepted or not:
	// each costs a password hash, and an accepted one a new account.
	if passnum.ErrorCode(err) != passnum.EINTERNAL {
		blocked := s.applicationTries.Add(client, now, 1)
		if err == nil {
			blocked = s.applications.Add(client, now, 1) || blocked
		}
		if blocked {
			s.log.WarnContext(r.Context(), "venue application limit reached", "client", client)
		}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/venues/%d", org.ID))
	return writeJSON(w, http.StatusCreated, org)
}

// knownQualification tells whether q is a status of the qualification
// workflow: the first four, and those the application workflow added.
func knownQualification(q passnum.Qualification) bool {
	return q.Valid() || len(q.NextStatuses()) > 0
}

func (s *Server) listVenues(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.VenueFilter{Query: r.URL.Query().Get("q"), Offset: p.offset, Limit: p.limit}
	if f.Qualification, err = queryQualification(r); err != nil {
		return err
	}
	venues, total, err := s.svc.ListVenues(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, venues, total)
}

// queryQualification reads the optional ?qualification= filter.
func queryQualification(r *http.Request) (passnum.Qualification, error) {
	q := passnum.Qualification(r.URL.Query().Get("qualification"))
	if q != "" && !knownQualification(q) {
		return "", passnum.Invalid("qualification", "Statut de qualification inconnu : %q (listed, pending, changes_requested, refused, qualified, suspended ou withdrawn).", q)
	}
	return q, nil
}

func (s *Server) getVenue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	file, err := s.svc.FindVenueFile(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, file)
}

// updateVenue replaces the public description of the venue of the path.
// The body's org_id, when given, must be the path's.
func (s *Server) updateVenue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.Venue
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.OrgID != 0 && in.OrgID != id {
		return passnum.Invalid("org_id", "Le champ org_id (%d) diffère du lieu de l'adresse (%d) : omettez-le.", in.OrgID, id)
	}
	// The qualification is read-only here, so that a client may send back
	// what it read; POST …/qualification changes it.
	in.OrgID, in.Qualification = id, ""
	v, err := s.svc.UpdateVenue(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) updateBankAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.BankAccount
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.UpdateBankAccount(r.Context(), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// moveQualification applies the operator's decision on a venue: the
// workflow of passnum.Qualification.CanMove, with a reason kept in its
// history.
func (s *Server) moveQualification(w http.ResponseWriter, r *http.Request) error {
	id, in, err := readDecision(w, r)
	if err != nil {
		return err
	}
	file, err := s.svc.MoveQualification(r.Context(), id, in.Status, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, file)
}

// readDecision reads the venue and the body of a qualification decision,
// for both addresses that take one.
func readDecision(w http.ResponseWriter, r *http.Request) (int64, qualificationInput, error) {
	var in qualificationInput
	id, err := pathID(r, "id")
	if err != nil {
		return 0, in, err
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return 0, in, err
	}
	if !knownQualification(in.Status) {
		return 0, in, passnum.Invalid("status", "Statut de qualification inconnu : %q (qualified, changes_requested, refused, suspended ou withdrawn).", in.Status)
	}
	return id, in, nil
}

// resubmitApplication lets a venue's admin correct its application and
// send it back to the operator's queue.
func (s *Server) resubmitApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.VenueApplication
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	file, err := s.svc.ResubmitApplication(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, file)
}

// placeInput is the body of POST /venues/{id}/places and PUT
// /venues/{id}/places/{place_id}: the venue and the place come from the
// path. Active is a pointer so that a new place is active unless told
// otherwise.
type placeInput struct {
	Name         string   `json:"name"`
	Address      string   `json:"address"`
	PostalCode   string   `json:"postal_code"`
	INSEE        string   `json:"commune_insee"`
	Lat          *float64 `json:"latitude,omitempty"`
	Lon          *float64 `json:"longitude,omitempty"`
	OpeningHours string   `json:"opening_hours,omitempty"`
	Active       *bool    `json:"active,omitempty"`
}

// place builds the place the service saves.
func (in placeInput) place(venueID, placeID int64) passnum.Place {
	p := passnum.Place{ID: placeID, VenueID: venueID, Name: in.Name, Address: in.Address, PostalCode: in.PostalCode,
		INSEE: in.INSEE, Lat: in.Lat, Lon: in.Lon, OpeningHours: in.OpeningHours, Active: true}
	if in.Active != nil {
		p.Active = *in.Active
	}
	return p
}

func (s *Server) createPlace(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in placeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.SavePlace(r.Context(), in.place(id, 0))
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/venues/%d/places/%d", id, p.ID))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) updatePlace(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	placeID, err := pathID(r, "place_id")
	if err != nil {
		return err
	}
	var in placeInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.SavePlace(r.Context(), in.place(id, placeID))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}
