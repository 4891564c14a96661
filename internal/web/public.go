package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/passcode"
	"github.com/passnum/passnum/internal/ratelimit"
)

// carnetResult is what the public carnet page shows.
type carnetResult struct {
	Status   *passnum.CarnetStatus
	Venues   *venueGuide
	Communes []communeOption
}

func (s *Server) carnetCheckForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "carnet", s.newView(r, "Vérifier mon carnet", &carnetResult{}))
}

// carnetCheck tells the person holding a carnet how many passes are left,
// until when, and where to use them. Codes that match no pass are counted
// per client network: past the limit, the page stops answering for a
// while, so that nobody can find carnets by trying codes.
func (s *Server) carnetCheck(w http.ResponseWriter, r *http.Request) error {
	res := &carnetResult{}
	v := s.newView(r, "Vérifier mon carnet", res)
	code := strings.TrimSpace(r.PostForm.Get("code"))
	v.Form.Set("code", code)
	v.Form.Set("commune", r.PostForm.Get("commune"))
	v.Form.Set("commune_choice", r.PostForm.Get("commune_choice"))
	if code == "" {
		v.addError("code", "Tapez le code d'un des pass de votre carnet : il est imprimé sous le QR code, par exemple "+passcode.Example.String()+".")
		return s.render(w, r, http.StatusBadRequest, "carnet", v)
	}
	now, client := s.now(), s.proxies.ClientNetwork(r)
	if until, blocked := s.publicByNet.BlockedUntil(client, now); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
		v.addError("", "Trop de codes inconnus ont été essayés depuis votre connexion. Par sécurité, la vérification est suspendue ; réessayez "+
			ratelimit.RetryWhen(until, now)+".")
		return s.render(w, r, http.StatusTooManyRequests, "carnet", v)
	}
	status, err := s.svc.CarnetStatusByCode(r.Context(), code)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			s.publicByNet.Add(client, now, 1)
		}
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.addError("code", passnum.ErrorMessage(err))
		return s.render(w, r, errStatus(err), "carnet", v)
	}
	res.Status = status
	commune, options := communeField(v, false)
	res.Communes = options
	if len(options) > 0 {
		// An ambiguous commune only changes the order of the venues:
		// show the carnet anyway, and the choice.
		v.Summary, v.Errors = nil, map[string]string{"commune": v.Errors["commune"]}
	}
	res.Venues, err = s.venueGuide(r.Context(), &status.Programme, commune, guideOptions{Venues: 6, Sessions: 3, MapID: "carte-lieux", OpenNow: true})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "carnet", v)
}
