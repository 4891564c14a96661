package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/passnum/passnum"
)

// The register of rights requests (passnum.RightsRequestService): the
// operator's staff record, extend and answer the requests people make
// over their data; a prescriber records those made in front of it.

func (s *Server) recordRightsRequest(w http.ResponseWriter, r *http.Request) error {
	var in passnum.RightsRequestCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req, err := s.svc.RecordRightsRequest(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/rights-requests/%d", req.ID))
	return writeJSON(w, http.StatusCreated, req)
}

// listRightsRequests answers GET /rights-requests: open requests first,
// soonest due first; open=true keeps only those, due_by those due by a
// day, ref those of one person.
func (s *Server) listRightsRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPage(r)
	if err != nil {
		return err
	}
	f := passnum.RightsRequestFilter{Offset: p.offset, Limit: p.limit, DueBy: r.URL.Query().Get("due_by"), Ref: r.URL.Query().Get("ref")}
	if raw := r.URL.Query().Get("open"); raw != "" {
		if f.Open, err = strconv.ParseBool(raw); err != nil {
			return passnum.Invalid("open", "Paramètre open invalide : %q (true ou false).", raw)
		}
	}
	list, total, err := s.svc.ListRightsRequests(r.Context(), f)
	if err != nil {
		return err
	}
	return writeList(w, p, list, total)
}

func (s *Server) getRightsRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := s.svc.FindRightsRequest(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) answerRightsRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.RightsRequestAnswer
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.ID = id
	req, err := s.svc.AnswerRightsRequest(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) extendRightsRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in passnum.RightsRequestExtension
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.ID = id
	req, err := s.svc.ExtendRightsRequest(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}
