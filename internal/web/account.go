package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/ratelimit"
)

// home sends people with a session to their organisation's page and shows
// the others the two ways in: checking a carnet, logging in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if v := visitorFrom(r); v.LoggedIn() {
		http.Redirect(w, r, homePath(v.Info.Actor.OrgKind), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "home", s.newView(r, "Accueil", nil))
}

// sources credits the open data the service is built on, as their
// licences ask (internal/geo/LICENCE-DATA.md).
func (s *Server) sources(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "sources", s.newView(r, "Sources des données", passnum.StandardVersion))
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Se connecter", nil)
	v.Form.Set("suite", safeNext(r.URL.Query().Get("suite")))
	if visitorFrom(r).LoggedIn() && v.Form.Get("suite") == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", v)
}

// login opens a session. Failed logins are counted three ways, so that
// guessing stays bounded while other people's failures never shut out
// someone who knows their password — except as the last case says:
//
//   - Per account and client network (loginLimit): past it, the account
//     is refused from that network without its password being checked.
//     This is what stops a guesser, and it shuts out nobody else: the
//     same person on another network, and everyone else on this one,
//     still get in.
//   - Per client network, every account together (loginNetLimit): a
//     separate bound against one network trying many accounts. Past it
//     the network is slowed, not refused: its passwords are checked one
//     at a time (loginTurns), so it can neither take every processor to
//     hash passwords nor try thousands of accounts quickly, while a
//     person with the right password still gets in after the attempts
//     queued before theirs.
//   - Per account, every network together (loginAccountLimit, ten times
//     the first): past it, the account is refused from everywhere. It
//     bounds a guesser spread over many networks to that many tries per
//     window. Its price is that such a guesser can shut the account's
//     owner out for as long; letting the right password through instead
//     would make the bound useless, since the guesser would learn the
//     password the moment he tried it. A guesser on one network cannot
//     reach it (he is stopped at loginLimit), so it takes ten networks
//     to lock someone out, which the log shows ("login limit reached").
//
// Accounts are counted by their address as typed, normalised like the
// service does (trimmed, lower case): made-up addresses count under their
// own name, never against a real account.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Se connecter", nil)
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	v.Form.Set("email", email)
	v.Form.Set("suite", safeNext(r.PostForm.Get("suite")))
	if email == "" {
		v.addError("email", "Indiquez votre adresse électronique.")
	}
	if password == "" {
		v.addError("password", "Indiquez votre mot de passe.")
	}
	if v.Summary != nil {
		return s.render(w, r, http.StatusBadRequest, "login", v)
	}
	now, client := s.now(), s.proxies.ClientNetwork(r)
	refuse := func(until time.Time, why string) error {
		v.addError("", why+ratelimit.RetryWhen(until, now)+". Si vous avez oublié votre mot de passe, demandez-en un nouveau.")
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
		return s.render(w, r, http.StatusTooManyRequests, "login", v)
	}
	attempts := s.loginLimits.attempts(email, client)
	blocked, err := s.svc.AttemptsBlocked(r.Context(), attempts...)
	if err != nil {
		return err
	}
	if until := blocked[0]; !until.IsZero() {
		return refuse(until, "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est suspendue ; réessayez ")
	}
	if until := blocked[1]; !until.IsZero() {
		return refuse(until, "Trop de tentatives de connexion à ce compte ont échoué, depuis plusieurs réseaux. Par sécurité, la connexion à ce compte est suspendue ; réessayez ")
	}
	release := func() {}
	if crowded := !blocked[2].IsZero(); crowded {
		var ok bool
		if release, ok = s.loginTurns.Take(r.Context(), client, loginTurnWait); !ok {
			return refuse(now.Add(loginTurnWait), "Trop de tentatives de connexion ont échoué depuis votre réseau : les connexions y sont vérifiées une à une ; réessayez ")
		}
	}
	secret, info, err := s.svc.Login(r.Context(), email, password)
	release()
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		if passnum.ErrorCode(err) == passnum.EUNAUTHORIZED {
			// Only a failure is written: a login that works costs the
			// read above.
			counted, err := s.svc.CountFailedAttempt(r.Context(), attempts...)
			if err != nil {
				return err
			}
			if byPair, byAccount, byNet := !counted[0].IsZero(), !counted[1].IsZero(), !counted[2].IsZero(); byPair || byAccount || byNet {
				s.log.WarnContext(r.Context(), "login limit reached", "client", client,
					"account_network", byPair, "account", byAccount, "network", byNet)
			}
		}
		v.addError("", passnum.ErrorMessage(err))
		// The right password of an account whose address waits: the
		// page offers a new link (account_mail.go).
		v.Data = map[string]any{"Unconfirmed": passnum.ErrorReason(err) == passnum.ReasonAddressUnconfirmed}
		return s.render(w, r, errStatus(err), "login", v)
	}
	s.setCookie(w, "csrf", "", -1)
	next := safeNext(r.PostForm.Get("suite"))
	if info.Session.SecondFactorPending {
		// The password is right; the second factor comes next, on a
		// session that lives minutes and reaches nothing else.
		s.setCookie(w, "session", secret, passnum.SecondFactorStepLifetime)
		http.Redirect(w, r, secondFactorPath+"?suite="+urlQuery(next), http.StatusSeeOther)
		return nil
	}
	s.setCookie(w, "session", secret, passnum.SessionLifetime)
	if next == "" {
		next = homePath(info.Actor.OrgKind)
	}
	return s.redirect(w, r, next, "")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if secret := s.cookie(r, "session"); secret != "" {
		if err := s.svc.Logout(r.Context(), secret); err != nil {
			return err
		}
	}
	s.setCookie(w, "session", "", -1)
	s.setFlash(w, "info", "Vous êtes déconnecté. À bientôt !")
	// A session opened with ProConnect ends there too; the provider
	// sends the person back to the login page.
	to := "/connexion"
	if at := s.providerLogoutURL(w, r); at != "" {
		to = at
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "forgot", s.newView(r, "Mot de passe oublié", map[string]any{"Sent": false}))
}

// forgot puts a reset link in the outbox. The page says the same whether
// or not the address has an account.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	return s.sendLink(w, r, "forgot", "Mot de passe oublié", s.resetByEmail, s.resetByNet, func(email string) error {
		return s.svc.RequestPasswordReset(r.Context(), email, s.base.String()+"/mot-de-passe/nouveau?jeton=")
	})
}

// sendLink is a form that sends a link to the address typed (send),
// rendered with template name and title: the page says the same whether or
// not the address has an account, and requests are limited per address
// (byEmail: past it, the same page, nothing sent) and per client network
// (byNet: past it, 429 with Retry-After).
func (s *Server) sendLink(w http.ResponseWriter, r *http.Request, name, title string, byEmail, byNet *ratelimit.Window[string], send func(email string) error) error {
	v := s.newView(r, title, map[string]any{"Sent": false})
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	v.Form.Set("email", email)
	if email == "" || !strings.Contains(email, "@") {
		v.addError("email", "Indiquez l'adresse électronique de votre compte, par exemple prenom.nom@mairie.fr.")
		return s.render(w, r, http.StatusBadRequest, name, v)
	}
	now, client := s.now(), s.proxies.ClientNetwork(r)
	_, emailBlocked := byEmail.BlockedUntil(email, now)
	until, netBlocked := byNet.BlockedUntil(client, now)
	switch {
	case netBlocked:
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(until.Sub(now))))
		v.addError("", "Trop de demandes depuis votre réseau : réessayez "+ratelimit.RetryWhen(until, now)+".")
		return s.render(w, r, http.StatusTooManyRequests, name, v)
	case emailBlocked:
		// Enough links are on their way to this address: the same page
		// as usual, which tells nothing about the address.
	default:
		byEmail.Add(email, now, 1)
		byNet.Add(client, now, 1)
		if err := send(email); err != nil {
			return err
		}
	}
	v.Data = map[string]any{"Sent": true}
	return s.render(w, r, http.StatusOK, name, v)
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Nouveau mot de passe", nil)
	token := r.URL.Query().Get("jeton")
	if token == "" {
		return passnum.Errorf(passnum.EINVALID, passnum.ReasonResetTokenInvalid, "Ce lien est incomplet : copiez l'adresse entière reçue par courriel, ou demandez un nouveau lien.")
	}
	v.Form.Set("token", token)
	return s.render(w, r, http.StatusOK, "reset", v)
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "Nouveau mot de passe", nil)
	token, password := r.PostForm.Get("token"), r.PostForm.Get("password")
	v.Form.Set("token", token)
	if password != r.PostForm.Get("confirm") {
		v.addError("confirm", "Les deux mots de passe ne sont pas identiques : tapez-les de nouveau.")
		return s.render(w, r, http.StatusBadRequest, "reset", v)
	}
	if err := s.svc.ResetPassword(r.Context(), token, password); err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		v.addServiceError(err, map[string]string{"token": ""})
		return s.render(w, r, errStatus(err), "reset", v)
	}
	s.setFlash(w, "success", "Votre mot de passe est enregistré. Connectez-vous avec ce nouveau mot de passe.")
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
	return nil
}

func (s *Server) switchForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "switch", s.newView(r, "Changer de structure", nil))
}

func (s *Server) switchOrg(w http.ResponseWriter, r *http.Request) error {
	v := visitorFrom(r)
	org, err := strconv.ParseInt(r.PostForm.Get("org"), 10, 64)
	if err != nil {
		return passnum.Invalid("org", "Choisissez une structure dans la liste.")
	}
	info, err := s.svc.SwitchOrganisation(r.Context(), v.secret, org)
	if err != nil {
		return err
	}
	name := ""
	for _, m := range info.User.Memberships {
		if m.OrgID == org {
			name = m.OrgName
		}
	}
	return s.redirect(w, r, homePath(info.Actor.OrgKind), "Vous travaillez maintenant pour "+name+".")
}
