package httpapi

import (
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
)

// Calls for projects and their applications (passnum.CallService).

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) error {
	var in passnum.CallCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateCall(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/calls/%d", c.ID))
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	funder, err := queryID(r, "funder_id")
	if err != nil {
		return err
	}
	calls, total, err := s.svc.ListCalls(r.Context(), passnum.CallFilter{FunderID: funder, Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, calls, total)
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.FindCall(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// listOpenCalls answers the calls open today, without a token.
func (s *Server) listOpenCalls(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	calls, err := s.svc.OpenCalls(r.Context())
	if err != nil {
		return err
	}
	return writeSlice(w, p, calls)
}

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	var in passnum.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ID != 0 {
		return passnum.Invalid("id", "Une nouvelle candidature n'a pas encore d'identifiant : modifiez un brouillon par PUT /api/v1/applications/{id}.")
	}
	p, err := s.svc.SaveApplication(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/applications/%d", p.ID))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.ID = id
	p, err := s.svc.SaveApplication(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	call, err := queryID(r, "call_id")
	if err != nil {
		return err
	}
	apps, total, err := s.svc.ListApplications(r.Context(), passnum.ApplicationFilter{CallID: call, Offset: p.offset, Limit: p.limit})
	if err != nil {
		return err
	}
	return writeList(w, p, apps, total)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.FindApplication(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) submitApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.SubmitApplication(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// messageInput is the body of POST /applications/{id}/messages.
type messageInput struct {
	Body string `json:"body"`
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in messageInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(r.Context(), id, in.Body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	return writeSliceOf(w, r, s.svc.ListMessages)
}
