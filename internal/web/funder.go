package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/passnum/passnum"
)

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// funderHome shows a funder its programmes, or a hub those of its
// territory: what the money achieved, what is left, and what expires soon.
func (s *Server) funderHome(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.programmeRows(r)
	if err != nil {
		return err
	}
	title, data := "Mes programmes", map[string]any{"Programmes": rows}
	if a := visitorFrom(r).actor(); a.OrgKind == passnum.KindHub {
		// A hub reads the programmes that concern its territory: none
		// before the operator sets it.
		title, data["Hub"] = "Programmes du territoire", true
		hub, err := s.svc.FindOrganisation(r.Context(), a.OrgID)
		if err != nil {
			return err
		}
		data["NoTerritory"] = len(hub.Territory) == 0
	}
	return s.render(w, r, http.StatusOK, "funder_home", s.newView(r, title, data))
}

func (s *Server) funderProgramme(w http.ResponseWriter, r *http.Request) error {
	return s.funderProgrammePage(w, r, s.newView(r, "Programme", nil), http.StatusOK)
}

func (s *Server) funderProgrammePage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	p, err := s.svc.FindProgramme(r.Context(), id)
	if err != nil {
		return err
	}
	st, err := s.svc.ProgrammeStats(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title, v.Data = p.Name, programmeRow{p, st, newExpiryAlert(p, st, s.now(), "Vous pouvez bloquer la distribution du stock non remis ci-dessous.")}
	return s.render(w, r, status, "funder_programme", v)
}

// funderBlock lets a funder stop (or resume) the distribution of its
// programme's stock: carnets not yet handed out can no longer be.
func (s *Server) funderBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	req := passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: id, Reason: r.PostForm.Get("reason"), Unblock: r.PostForm.Get("unblock") == "1"}
	n, err := s.svc.Block(r.Context(), req)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL || passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return err
		}
		v := s.newView(r, "Programme", nil)
		v.Form = r.PostForm
		v.addServiceError(err, nil)
		return s.funderProgrammePage(w, r, v, errStatus(err))
	}
	return s.redirect(w, r, fmt.Sprintf("/financeur/programmes/%d", id), blockMessage(req, n))
}
