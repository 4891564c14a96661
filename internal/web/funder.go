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

// funderBlock blocks or unblocks the distribution of a funder's
// programme stock (carnets not yet handed out), in two steps: the form
// leads to a page that says how many passes will change, and only its
// confirmation changes them. A funder acting on 1 700 passes sees the
// count before, not after.
func (s *Server) funderBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Programme")
	if err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	if action != "block" && action != "unblock" {
		v := s.newView(r, "Programme", nil)
		v.addError("", "Choisissez de bloquer ou de débloquer le stock.")
		return s.funderProgrammePage(w, r, v, http.StatusBadRequest)
	}
	// Each form names its motive field after its action, so that both
	// can be on the page with their own label.
	field := action + "_reason"
	req := passnum.BlockRequest{Scope: passnum.BlockStock, ProgrammeID: id, Reason: r.PostForm.Get(field), Unblock: action == "unblock"}
	back := func(err error) error {
		if passnum.ErrorCode(err) == passnum.EINTERNAL || passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return err
		}
		v := s.newView(r, "Programme", nil)
		v.Form = r.PostForm
		v.addServiceError(err, map[string]string{"reason": field})
		return s.funderProgrammePage(w, r, v, errStatus(err))
	}
	if r.PostForm.Get("confirm") != "1" {
		if err := req.Validate(); err != nil {
			return back(err)
		}
		p, err := s.svc.FindProgramme(r.Context(), id)
		if err != nil {
			return err
		}
		st, err := s.svc.ProgrammeStats(r.Context(), id)
		if err != nil {
			return err
		}
		count, title := st.StockBlockable, "Confirmer le blocage"
		if req.Unblock {
			count, title = st.StockBlocked, "Confirmer le déblocage"
		}
		data := map[string]any{"P": p, "Action": action, "Field": field, "Reason": req.Reason, "Count": count, "Unblock": req.Unblock}
		return s.render(w, r, http.StatusOK, "funder_block_confirm", s.newView(r, title, data))
	}
	n, err := s.svc.Block(r.Context(), req)
	if err != nil {
		return back(err)
	}
	return s.redirect(w, r, fmt.Sprintf("/financeur/programmes/%d", id), blockMessage(req, n))
}
