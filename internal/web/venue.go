package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/ratelimit"
)

// cashierData is the venue's redemption screen: the passes presented so
// far with the verdict on each, the services to choose from, and the
// outcome of the last redemption.
type cashierData struct {
	Services []*passnum.CatalogueService
	Items    []passnum.PassCheck
	Usable   int
	Key      string
	// Done is the redemption just made, shown after the redirect that
	// follows it (cashierDone).
	Done *passnum.Redemption
	// Last is the verdict on the pass just added, announced to screen
	// readers.
	Last *passnum.PassCheck
	// Venue is the visitor's venue: one that is not qualified is told
	// before anyone queues.
	Venue *passnum.Organisation
	// Sessions are the day's sessions by service, to tie a redemption
	// to one (workshop.go).
	Sessions []sessionGroup
}

func (s *Server) cashier(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Encaisser des pass", nil)
	d, err := s.cashierData(r, randomToken())
	if err != nil {
		return err
	}
	v.Data = d
	if err := s.cashierDone(r, v, d); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "cashier", v)
}

// doneParam names the redemption a successful redemption redirects to
// (post/redirect/get): reloading that page reads the redemption again,
// it never sends the passes again. replayedParam says that the form had
// been sent before and the answer is that of the first time.
const (
	doneParam     = "encaissement"
	replayedParam = "deja"
)

// doneURL is where a redemption sends the browser afterwards.
func doneURL(red *passnum.Redemption) string {
	u := "/lieu?" + doneParam + "=" + strconv.FormatInt(red.ID, 10)
	if red.Replayed {
		u += "&" + replayedParam + "=1"
	}
	return u
}

// cashierDone puts on the screen the redemption named in the address, if
// it is one of the visitor's venue, still standing and recent: the store
// finds a venue's own redemptions only, so another venue that gets the
// address sees an ordinary counter. The next person is likely at the
// same workshop, so its service and session stay chosen.
func (s *Server) cashierDone(r *http.Request, v *view, d *cashierData) error {
	q := r.URL.Query()
	id, err := strconv.ParseInt(q.Get(doneParam), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	red, err := s.svc.FindRedemption(r.Context(), id)
	switch {
	case passnum.ErrorCode(err) == passnum.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case red.VoidedAt != nil || s.now().Sub(red.CreatedAt) >= passnum.VoidWindow:
		return nil
	}
	red.Replayed = q.Get(replayedParam) == "1"
	d.Done = red
	v.Form.Set("service_id", strconv.FormatInt(red.ServiceID, 10))
	if red.SessionID > 0 {
		v.Form.Set("session_id", strconv.FormatInt(red.SessionID, 10))
	}
	// The title is the first thing a screen reader reads of the new page.
	v.Title = passnum.FrenchCount(int64(len(red.Passes)), "pass encaissé", "pass encaissés") + " — Encaisser des pass"
	return nil
}

func (s *Server) cashierData(r *http.Request, key string) (*cashierData, error) {
	all, err := s.svc.ListCatalogueServices(r.Context(), 0)
	if err != nil {
		return nil, err
	}
	venue, err := s.svc.FindOrganisation(r.Context(), visitorFrom(r).actor().OrgID)
	if err != nil {
		return nil, err
	}
	d := &cashierData{Key: key, Venue: venue}
	for _, svc := range all {
		if svc.Active {
			d.Services = append(d.Services, svc)
		}
	}
	if d.Sessions, err = s.cashierSessions(r, d.Services); err != nil {
		return nil, err
	}
	return d, nil
}

// refuseGuessers answers for a venue that presented too many codes that
// do not exist in a short time.
func (s *Server) refuseGuessers(r *http.Request) error {
	a := visitorFrom(r).actor()
	now := s.now()
	if until, blocked := s.badCodes.BlockedUntil(a.OrgID, now); blocked {
		return passnum.Errorf(passnum.ERATELIMIT, passnum.ReasonTooManyBadCodes,
			"Trop de codes inconnus ou mal saisis ont été présentés par votre structure en peu de temps : les encaissements sont suspendus. Réessayez %s ; si un pass semble authentique, contactez l'opérateur.",
			ratelimit.RetryWhen(until, now))
	}
	return nil
}

func (s *Server) countBadCodes(r *http.Request, checks ...passnum.PassCheck) {
	a := visitorFrom(r).actor()
	if ratelimit.CountBadCodes(s.badCodes, a.OrgID, checks, s.now()) {
		s.log.WarnContext(r.Context(), "bad pass code limit reached", "org", a.OrgID, "actor", a.Label)
	}
}

// cashierPost handles every button of the redemption screen: add the code
// typed or scanned, remove a pass from the list, or redeem the list. The
// list travels in the form itself, so that nothing is kept on the server
// until the mediator confirms.
func (s *Server) cashierPost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	v := s.newView(r, "Encaisser des pass", nil)
	key := f.Get("key")
	if key == "" || len(key) > 100 {
		key = randomToken()
	}
	d, err := s.cashierData(r, key)
	if err != nil {
		return err
	}
	v.Data = d
	serviceID, _ := strconv.ParseInt(f.Get("service_id"), 10, 64)
	sessionID, _ := strconv.ParseInt(f.Get("session_id"), 10, 64)
	if serviceID == 0 && sessionID > 0 {
		// The session chosen says which service was delivered.
		serviceID = d.serviceOf(sessionID)
	}
	if serviceID != 0 {
		v.Form.Set("service_id", strconv.FormatInt(serviceID, 10))
	}
	if sessionID > 0 {
		v.Form.Set("session_id", strconv.FormatInt(sessionID, 10))
	}
	codes := f["codes"]
	if i, err := strconv.Atoi(f.Get("remove")); err == nil && i >= 0 && i < len(codes) {
		codes = append(codes[:i:i], codes[i+1:]...)
	}
	action := f.Get("action")
	added, status := "", http.StatusOK
	if action == "add" || action == "" && f.Get("remove") == "" {
		if added = strings.TrimSpace(f.Get("code")); added != "" {
			codes = append(codes, added)
		} else if action == "add" {
			// Enter in an empty field: said next to the field, and with a
			// status that tells scripts nothing was added.
			v.addError("code", "Le champ du code est vide : scannez un pass ou tapez son code, puis appuyez sur Entrée.")
			status = http.StatusUnprocessableEntity
		}
	}
	if action == "clear" {
		codes = nil
	}
	if len(codes) > passnum.MaxPassesPerRedemption {
		codes = codes[:passnum.MaxPassesPerRedemption]
		v.addError("code", fmt.Sprintf("%d pass au plus par encaissement : encaissez cette liste, puis continuez.", passnum.MaxPassesPerRedemption))
	}
	if err := s.refuseGuessers(r); err != nil {
		v.addError("", passnum.ErrorMessage(err))
		s.keepItems(d, codes)
		return s.render(w, r, http.StatusTooManyRequests, "cashier", v)
	}
	if len(codes) > 0 {
		checks, err := s.svc.Check(r.Context(), passnum.CheckRequest{Codes: codes, ServiceID: serviceID})
		if err != nil {
			if passnum.ErrorCode(err) == passnum.EINTERNAL {
				return err
			}
			// The whole screen is refused (venue not qualified, service
			// withdrawn): say why above the list.
			v.addServiceError(err, map[string]string{"service_id": "service_id"})
			s.keepItems(d, codes)
			return s.render(w, r, errStatus(err), "cashier", v)
		}
		d.Items = checks
		if added != "" {
			last := checks[len(checks)-1]
			d.Last = &last
			s.countBadCodes(r, last)
		}
	}
	for _, c := range d.Items {
		if c.Usable {
			d.Usable++
		}
	}
	if action != "redeem" {
		return s.render(w, r, status, "cashier", v)
	}
	return s.redeem(w, r, v, d, serviceID, sessionID, f["accepted"])
}

// keepItems lists codes without verdicts, when they could not be checked.
func (s *Server) keepItems(d *cashierData, codes []string) {
	d.Items = make([]passnum.PassCheck, len(codes))
	for i, c := range codes {
		d.Items[i] = passnum.PassCheck{Input: c, Message: "Pas encore vérifié."}
	}
}

// redeem spends the passes the mediator saw accepted on the screen for the
// chosen service; refused ones stay on screen with their reason and are
// not spent. It sends exactly the accepted passes of the page, not those
// of a fresh check: when the same form comes twice (a double click, a
// lost answer sent again), the second one then carries the same passes
// and idempotency key as the first, and gets its answer instead of
// "already used".
func (s *Server) redeem(w http.ResponseWriter, r *http.Request, v *view, d *cashierData, serviceID, sessionID int64, accepted []string) error {
	listed := map[string]bool{}
	for _, c := range d.Items {
		listed[c.Input] = true
	}
	var usable []string
	for _, code := range accepted {
		if listed[code] {
			usable = append(usable, code)
		}
	}
	if len(usable) == 0 {
		v.addError("code", "Aucun pass accepté à encaisser : scannez ou tapez d'abord le code d'un pass, puis appuyez sur Entrée.")
		if serviceID == 0 {
			v.addError("service_id", "Choisissez l'atelier ou le service rendu, puis confirmez.")
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "cashier", v)
	}
	if serviceID == 0 {
		v.addError("service_id", "Choisissez l'atelier ou le service rendu, puis confirmez.")
		return s.render(w, r, http.StatusBadRequest, "cashier", v)
	}
	red, err := s.svc.Redeem(r.Context(), passnum.RedeemRequest{Codes: usable, ServiceID: serviceID, SessionID: max(sessionID, 0), IdempotencyKey: d.Key})
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		var e *passnum.Error
		if asError(err, &e) && len(e.Passes) > 0 {
			// Something changed between the check and the redemption (the
			// pass was used elsewhere meanwhile): show the new verdicts.
			byInput := map[string]passnum.PassCheck{}
			for _, c := range e.Passes {
				byInput[c.Input] = c
			}
			d.Usable = 0
			for i, c := range d.Items {
				if nc, ok := byInput[c.Input]; ok {
					d.Items[i] = nc
				}
				if d.Items[i].Usable {
					d.Usable++
				}
			}
		}
		v.addServiceError(err, map[string]string{"codes": "code", "idempotency_key": "code", "session_id": "session_id"})
		return s.render(w, r, errStatus(err), "cashier", v)
	}
	// Post/redirect/get: a reload of the next page shows the outcome
	// again and never offers to send the passes a second time.
	return s.redirect(w, r, doneURL(red), "")
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	reds, total, err := s.svc.ListRedemptions(r.Context(), passnum.RedemptionFilter{Limit: 200})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "history", s.newView(r, "Historique des encaissements", map[string]any{
		"Redemptions": reds, "Total": total, "Window": passnum.VoidWindow,
	}))
}

// voidable tells whether a redemption can still be voided.
func (s *Server) voidable(red *passnum.Redemption) bool {
	return red.VoidedAt == nil && s.now().Sub(red.CreatedAt) < passnum.VoidWindow
}

// recentRedemption finds one of the venue's redemptions, to void it if it
// is recent enough (voidable).
func (s *Server) recentRedemption(r *http.Request) (*passnum.Redemption, error) {
	id, err := pathID(r, "id", "Encaissement")
	if err != nil {
		return nil, err
	}
	red, err := s.svc.FindRedemption(r.Context(), id) // a venue finds its own only
	return red, httpx.NotFound(err, "Cet encaissement est introuvable parmi les encaissements récents de votre lieu.")
}

func (s *Server) voidForm(w http.ResponseWriter, r *http.Request) error {
	red, err := s.recentRedemption(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "void", s.newView(r, fmt.Sprintf("Annuler l'encaissement n°%d", red.ID), map[string]any{
		"R": red, "Voidable": s.voidable(red),
	}))
}

func (s *Server) void(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Encaissement")
	if err != nil {
		return err
	}
	red, err := s.svc.VoidRedemption(r.Context(), id)
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/lieu/historique", voidedMessage(red.ID, len(red.Serials)))
}

// voidedMessage says which passes a void gave back, one or several.
func voidedMessage(id int64, passes int) string {
	if passes == 1 {
		return fmt.Sprintf("Encaissement n°%d annulé : son pass peut de nouveau être utilisé.", id)
	}
	return fmt.Sprintf("Encaissement n°%d annulé : %s peuvent de nouveau être utilisés.", id, passnum.FrenchTheir(int64(passes), "pass", "pass"))
}

func (s *Server) catalogue(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Catalogue des ateliers", nil)
	v.Form.Set("duration_minutes", "120")
	v.Form.Set("price_passes", "1")
	v.Form.Set("level", passnum.Levels[0])
	v.Form.Set("format", passnum.FormatIndividual)
	return s.cataloguePage(w, r, v, http.StatusOK)
}

func (s *Server) cataloguePage(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	services, err := s.svc.ListCatalogueServices(r.Context(), 0)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Services": services}
	return s.render(w, r, status, "catalogue", v)
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	v := s.newView(r, "Catalogue des ateliers", nil)
	v.Form = f
	c := readServiceForm(v, f) // workshop.go
	c.VenueID = visitorFrom(r).actor().OrgID
	if v.Summary != nil {
		return s.cataloguePage(w, r, v, http.StatusBadRequest)
	}
	svc, err := s.svc.CreateCatalogueService(r.Context(), c)
	if err != nil {
		return sendBack(v, err, serviceFields, func(status int) error { return s.cataloguePage(w, r, v, status) })
	}
	return s.redirect(w, r, "/lieu/catalogue", fmt.Sprintf("« %s » ajouté au catalogue : il peut être choisi dès maintenant à l'encaissement.", svc.Title))
}

func (s *Server) setServiceActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Service")
	if err != nil {
		return err
	}
	active := r.PostForm.Get("active") == "1"
	svc, err := s.svc.SetCatalogueServiceActive(r.Context(), id, active)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("« %s » retiré du catalogue : il ne peut plus être choisi à l'encaissement.", svc.Title)
	if active {
		msg = fmt.Sprintf("« %s » remis au catalogue.", svc.Title)
	}
	return s.redirect(w, r, "/lieu/catalogue", msg)
}

func asError(err error, target **passnum.Error) bool { return errors.As(err, target) }
