package httpapi

import (
	"net/http"

	"github.com/passnum/passnum"
)

// invitationInput is the body of POST /users/{id}/invitation: the
// organisation whose invitation to send again.
type invitationInput struct {
	OrgID int64 `json:"org_id"`
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in invitationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.ResendInvitation(r.Context(), in.OrgID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mailPreferencesInput is the body of PUT /users/{id}/mail-preferences:
// the kinds to turn off; every other kind is turned on.
type mailPreferencesInput struct {
	Off []passnum.MailKind `json:"off"`
}

func (s *Server) getMailPreferences(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	prefs, err := s.svc.MailPreferences(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, prefs)
}

func (s *Server) putMailPreferences(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in mailPreferencesInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	prefs, err := s.svc.SetMailPreferences(r.Context(), id, in.Off)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, prefs)
}
