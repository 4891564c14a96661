package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// The second factor of sign-in: the step a session opened by a password
// waits at when its person has (or must have) a second factor, the
// enrolment of a TOTP application, the person's own page of factors, and
// the reset by an operator's administrator. The store decides what a
// session may do; these pages say it in French.

// secondFactorPath is the sign-in step every page sends a pending
// session to.
const secondFactorPath = "/connexion/second-facteur"

// Failed second-factor attempts are counted like logins: per account and
// client network (a guesser is stopped there without shutting anybody
// else out), and per account from everywhere. Six digits leave a guesser
// 1 chance in 100 000 per try within a window's 5 tries.
const (
	secondFactorLimit        = 5
	secondFactorAccountLimit = 20
	secondFactorWindow       = 15 * time.Minute
)

// secondFactorLimits are the limits of failed second-factor attempts:
// per account and client network, per account.
type secondFactorLimits struct{ accountNet, account passnum.AttemptLimit }

func defaultSecondFactorLimits() secondFactorLimits {
	return secondFactorLimits{
		accountNet: passnum.AttemptLimit{Name: "second-factor.account-network", Limit: secondFactorLimit, Window: secondFactorWindow},
		account:    passnum.AttemptLimit{Name: "second-factor.account", Limit: secondFactorAccountLimit, Window: secondFactorWindow},
	}
}

func (l secondFactorLimits) attempts(user int64, network string) []passnum.Attempt {
	return []passnum.Attempt{{AttemptLimit: l.accountNet, Key: fmt.Sprintf("%d\x00%s", user, network)}, {AttemptLimit: l.account, Key: fmt.Sprint(user)}}
}

// secondFactorBlocked tells until when the account user may not try from
// r's network. The counters are in the database, shared by the servers.
func (s *Server) secondFactorBlocked(r *http.Request, user int64) (time.Time, bool, error) {
	blocked, err := s.svc.AttemptsBlocked(r.Context(), s.mfaLimits.attempts(user, s.proxies.ClientNetwork(r))...)
	if err != nil {
		return time.Time{}, false, err
	}
	for _, until := range blocked {
		if !until.IsZero() {
			return until, true, nil
		}
	}
	return time.Time{}, false, nil
}

// secondFactorFailed counts a failed attempt and logs when a limit is
// reached.
func (s *Server) secondFactorFailed(r *http.Request, user int64) error {
	client := s.proxies.ClientNetwork(r)
	blocked, err := s.svc.CountFailedAttempt(r.Context(), s.mfaLimits.attempts(user, client)...)
	if err != nil {
		return err
	}
	if byPair, byAccount := !blocked[0].IsZero(), !blocked[1].IsZero(); byPair || byAccount {
		s.log.WarnContext(r.Context(), "second factor limit reached", "user", user, "client", client, "account_network", byPair, "account", byAccount)
	}
	return nil
}

// refuseTooMany renders page with the refusal of a blocked account.
func (s *Server) refuseTooMany(w http.ResponseWriter, r *http.Request, v *view, page string, until time.Time) error {
	now := s.now()
	v.addError("", "Trop de codes erronés. Par sécurité, la vérification est suspendue ; réessayez "+ratelimit.RetryWhen(until, now)+". Si vous avez perdu votre téléphone et vos codes de secours, demandez à un administrateur de réinitialiser votre second facteur.")
	w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
	return s.render(w, r, http.StatusTooManyRequests, page, v)
}

// sessionOf is the session of the visitor, complete or pending.
func (v *visitor) session() *passnum.SessionInfo {
	if v.pending != nil {
		return v.pending
	}
	return v.Info
}

// sessionProven sets the cookie of a session that the second factor
// completed under a new secret. A session opened by a sign-in provider
// keeps its logout hint: the ID token cookie, bound to the old secret, is
// bound to the new one.
func (s *Server) sessionProven(w http.ResponseWriter, r *http.Request, proof *passnum.SecondFactorProof) {
	if proof.Secret == "" {
		return
	}
	s.setCookie(w, "session", proof.Secret, passnum.SessionLifetime)
	if old := s.cookie(r, "session"); old != "" {
		if idToken, ok := idTokenOf(s.cookie(r, "idtoken"), old); ok {
			s.setCookie(w, "idtoken", idTokenCookie(proof.Secret, idToken), passnum.SessionLifetime)
		}
	}
}

// afterProof sets the session's new cookie, when the proof completed it,
// and goes on to where the person was going.
func (s *Server) afterProof(w http.ResponseWriter, r *http.Request, proof *passnum.SecondFactorProof, next, message string) error {
	s.sessionProven(w, r, proof)
	if next = safeNext(next); next == "" {
		next = homePath(proof.Info.Actor.OrgKind)
	}
	return s.redirect(w, r, next, message)
}

// secondFactorData is what the step and enrolment pages show.
type secondFactorData struct {
	Status *passnum.SecondFactorStatus
	// Enrolment, on the TOTP page: the seed, its QR code, the seed in
	// groups of four for typing by hand.
	Enrolment *passnum.TOTPEnrolment
	QR        template.HTML
	Grouped   string
	// RecoveryCodes are shown once, after an enrolment created them.
	RecoveryCodes []string
	Next          string
	// Passkeys: the base address allows passkeys (passkey.go).
	Passkeys bool
}

func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	next := safeNext(r.URL.Query().Get("suite"))
	if v.LoggedIn() {
		if next == "" {
			next = homePath(v.Info.Actor.OrgKind)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	status, err := s.svc.SecondFactorStatus(r.Context(), v.secret)
	if err != nil {
		return err
	}
	if len(status.Factors) == 0 {
		// Required and not set yet: enrolment is the way in.
		http.Redirect(w, r, "/compte/second-facteur/application?suite="+urlQuery(next), http.StatusSeeOther)
		return nil
	}
	page := s.newView(r, "Second facteur", &secondFactorData{Status: status, Next: next, Passkeys: s.passkeys != nil})
	page.Form.Set("suite", next)
	return s.render(w, r, http.StatusOK, "second_factor", page)
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	next := safeNext(r.PostForm.Get("suite"))
	if v.LoggedIn() {
		return s.afterProof(w, r, &passnum.SecondFactorProof{Info: v.Info}, next, "")
	}
	status, err := s.svc.SecondFactorStatus(r.Context(), v.secret)
	if err != nil {
		return err
	}
	page := s.newView(r, "Second facteur", &secondFactorData{Status: status, Next: next, Passkeys: s.passkeys != nil})
	page.Form.Set("suite", next)
	user := v.pending.User.ID
	if until, blocked, err := s.secondFactorBlocked(r, user); err != nil {
		return err
	} else if blocked {
		return s.refuseTooMany(w, r, page, "second_factor", until)
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		page.addError("code", "Tapez le code à 6 chiffres de votre application, ou un code de secours.")
		return s.render(w, r, http.StatusBadRequest, "second_factor", page)
	}
	proof, err := s.svc.VerifySecondFactor(r.Context(), v.secret, code)
	if err != nil {
		if passnum.ErrorReason(err) != passnum.ReasonSecondFactorInvalid {
			return err
		}
		if err := s.secondFactorFailed(r, user); err != nil {
			return err
		}
		page.addError("code", passnum.ErrorMessage(err))
		return s.render(w, r, errStatus(err), "second_factor", page)
	}
	return s.afterProof(w, r, proof, next, "")
}

// qrSVG draws payload as an SVG QR code: one path of the dark modules'
// runs, row by row, in a viewBox of modules with the standard's quiet
// zone. The pass's printed codes come from the same library (internal/pdf).
func qrSVG(payload, title string) (template.HTML, error) {
	c, err := qr.Encode(payload, qr.M)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	const quiet = 4
	side := c.Size + 2*quiet
	var d strings.Builder
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			x0 := x
			for x < c.Size && c.Black(x, y) {
				x++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", x0+quiet, y+quiet, x-x0, x-x0)
		}
	}
	return template.HTML(fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="qr-title" shape-rendering="crispEdges"><title id="qr-title">%s</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		side, side, template.HTMLEscapeString(title), side, side, d.String())), nil
}

// groupByFour writes a seed in groups of four characters, to type by
// hand.
func groupByFour(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// totpPage renders the enrolment page of the waiting seed.
func (s *Server) totpPage(w http.ResponseWriter, r *http.Request, page *view, status int) error {
	v := visitorFrom(r)
	enr, err := s.svc.BeginTOTP(r.Context(), v.secret)
	if passnum.ErrorReason(err) == passnum.ReasonSecondFactorPending {
		// A pending session whose person has a factor proves it first.
		http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	st, err := s.svc.SecondFactorStatus(r.Context(), v.secret)
	if err != nil {
		return err
	}
	d := page.Data.(*secondFactorData)
	d.Status, d.Enrolment, d.Grouped = st, enr, groupByFour(enr.Secret)
	if d.QR, err = qrSVG(enr.URL, "QR code à scanner avec votre application d'authentification"); err != nil {
		return err
	}
	return s.render(w, r, status, "totp", page)
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("suite"))
	page := s.newView(r, "Ajouter une application d'authentification", &secondFactorData{Next: next})
	page.Form.Set("suite", next)
	return s.totpPage(w, r, page, http.StatusOK)
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	next := safeNext(r.PostForm.Get("suite"))
	page := s.newView(r, "Ajouter une application d'authentification", &secondFactorData{Next: next})
	page.Form.Set("suite", next)
	user := v.session().User.ID
	if until, blocked, err := s.secondFactorBlocked(r, user); err != nil {
		return err
	} else if blocked {
		now := s.now()
		page.addError("", "Trop de codes erronés : réessayez "+ratelimit.RetryWhen(until, now)+".")
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
		return s.totpPage(w, r, page, http.StatusTooManyRequests)
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		page.addError("code", "Tapez le code à 6 chiffres que votre application affiche maintenant.")
		return s.totpPage(w, r, page, http.StatusBadRequest)
	}
	proof, err := s.svc.ConfirmTOTP(r.Context(), v.secret, code)
	if err != nil {
		switch passnum.ErrorCode(err) {
		case passnum.EINTERNAL:
			return err
		case passnum.EINVALID:
			if err := s.secondFactorFailed(r, user); err != nil {
				return err
			}
			page.addServiceError(err, nil)
			return s.totpPage(w, r, page, errStatus(err))
		}
		return err
	}
	s.sessionProven(w, r, proof)
	if next == "" {
		next = homePath(proof.Info.Actor.OrgKind)
	}
	if len(proof.RecoveryCodes) == 0 {
		return s.redirect(w, r, "/compte/second-facteur", "Votre application d'authentification est ajoutée.")
	}
	codes := make([]string, len(proof.RecoveryCodes))
	for i, c := range proof.RecoveryCodes {
		codes[i] = passnum.FormatRecoveryCode(c)
	}
	// The page is rendered as the complete session it now is.
	done := s.newView(r, "Vos codes de secours", &secondFactorData{RecoveryCodes: codes, Next: next})
	done.Flash = &flash{Kind: "success", Message: "Votre application d'authentification est ajoutée."}
	return s.render(w, r, http.StatusOK, "recovery_codes", done)
}

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	st, err := s.svc.SecondFactorStatus(r.Context(), v.secret)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "security", s.newView(r, "Second facteur", &secondFactorData{Status: st, Passkeys: s.passkeys != nil}))
}

func (s *Server) removeSecondFactor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Second facteur")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveSecondFactor(r.Context(), visitorFrom(r).secret, id); err != nil {
		if passnum.ErrorCode(err) == passnum.EREFUSED {
			s.setFlash(w, "error", passnum.ErrorMessage(err))
			http.Redirect(w, r, "/compte/second-facteur", http.StatusSeeOther)
			return nil
		}
		return err
	}
	return s.redirect(w, r, "/compte/second-facteur", "Le second facteur est retiré. Un message vous le confirme.")
}

// resetSecondFactor is an operator admin's reset of a member's second
// factor, from the organisation's page, with the reason the store keeps.
func (s *Server) resetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	org, err := pathID(r, "id", "Organisation")
	if err != nil {
		return err
	}
	user, err := pathID(r, "user", "Personne")
	if err != nil {
		return err
	}
	field := fmt.Sprintf("reason-%d", user)
	if err := s.svc.ResetSecondFactor(r.Context(), user, r.PostForm.Get(field)); err != nil {
		if passnum.ErrorCode(err) != passnum.EINVALID && passnum.ErrorCode(err) != passnum.ECONFLICT {
			return err
		}
		v := s.newView(r, "Organisation", nil)
		v.addError(field, passnum.ErrorMessage(err))
		v.Form.Set(field, r.PostForm.Get(field))
		return s.organisationPage(w, r, v, errStatus(err))
	}
	return s.redirect(w, r, fmt.Sprintf("/operateur/organisations/%d#membres", org),
		"Le second facteur est réinitialisé : la personne en est avertie par e-mail et ses sessions sont fermées. Elle en ajoutera un nouveau à sa prochaine connexion.")
}

// urlQuery escapes a value for a query string.
func urlQuery(s string) string { return template.URLQueryEscaper(s) }
