package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/oidclogin"
)

// Sign-in with the installation's OpenID Connect provider (ProConnect):
// the button of the login page starts it, the provider sends the browser
// back to the callback, which opens a session through the service like a
// password does. internal/oidclogin runs the protocol; the service finds
// the account.

// providerFormAction is what the Content-Security-Policy's form-action
// adds for the provider: logout, a form, ends with a redirect there.
func (s *Server) providerFormAction() string {
	if s.signIn == nil {
		return ""
	}
	if o := s.signIn.LogoutOrigin(); o != "" {
		return " " + o
	}
	return ""
}

// providerRefusal is what a person reads when sign-in with the provider
// did not happen, by kind of failure.
var providerRefusal = map[oidclogin.FailureKind]struct {
	status         int
	title, message string
}{
	oidclogin.Unavailable: {http.StatusServiceUnavailable, "ProConnect indisponible",
		"ProConnect ne répond pas pour le moment. Utilisez votre mot de passe pour vous connecter, ou réessayez dans quelques minutes."},
	oidclogin.BadState: {http.StatusBadRequest, "Connexion interrompue",
		"Cette connexion avec ProConnect n'a pas été commencée dans ce navigateur, a déjà servi ou a expiré (elle dure 10 minutes). Recommencez depuis la page de connexion."},
	oidclogin.Denied: {http.StatusUnauthorized, "Connexion annulée",
		"ProConnect n'a pas confirmé votre identité : la connexion a été annulée. Recommencez, ou utilisez votre mot de passe."},
	oidclogin.CodeRefused: {http.StatusBadRequest, "Connexion interrompue",
		"ProConnect a refusé de confirmer cette connexion : le lien de retour a déjà servi ou a expiré. Recommencez depuis la page de connexion."},
	oidclogin.Expired: {http.StatusUnauthorized, "Connexion expirée",
		"La preuve d'identité transmise par ProConnect a expiré avant d'arriver. Recommencez depuis la page de connexion ; si cela se reproduit, vérifiez l'heure de votre ordinateur ou prévenez l'administrateur."},
	oidclogin.BadToken: {http.StatusUnauthorized, "Identité refusée",
		"La preuve d'identité reçue de ProConnect n'est pas valable (elle n'est pas destinée à passnum ou sa signature est incorrecte) : par sécurité, personne n'a été connecté. Utilisez votre mot de passe et prévenez l'administrateur de passnum."},
}

// refuseProvider logs a failed sign-in (its kind and detail, never a
// token or a code) and shows the person what to do.
// email, when not "", is the address the provider gave, which the person
// tells their administrator.
func (s *Server) refuseProvider(w http.ResponseWriter, r *http.Request, status int, title, message, email, why string, err error) error {
	s.log.WarnContext(r.Context(), "provider sign-in refused", "why", why, "err", err)
	v := s.newView(r, title, map[string]any{"Message": message, "Email": email})
	return s.render(w, r, status, "proconnect_refused", v)
}

// providerStart sends the browser to the provider, with the attempt in a
// short-lived cookie.
func (s *Server) providerStart(w http.ResponseWriter, r *http.Request) error {
	if s.signIn == nil {
		return s.notFound(w, r)
	}
	authURL, attempt, err := s.signIn.Start(r.Context(), safeNext(r.URL.Query().Get("suite")))
	if err != nil {
		kind := oidclogin.KindOf(err)
		ref, ok := providerRefusal[kind]
		if !ok {
			return err
		}
		return s.refuseProvider(w, r, ref.status, ref.title, ref.message, "", string(kind), err)
	}
	s.setCookie(w, "signin", attempt, oidclogin.AttemptLifetime())
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

// providerCallback finishes a sign-in: the attempt is used once (its
// cookie goes, whatever happens), the provider's answer is verified, and
// the service opens a session for the account it finds, or refuses.
func (s *Server) providerCallback(w http.ResponseWriter, r *http.Request) error {
	if s.signIn == nil {
		return s.notFound(w, r)
	}
	attempt := s.cookie(r, "signin")
	s.setCookie(w, "signin", "", -1)
	res, err := s.signIn.Finish(r.Context(), attempt, r.URL.Query())
	if err != nil {
		kind := oidclogin.KindOf(err)
		ref, ok := providerRefusal[kind]
		if !ok {
			return err
		}
		return s.refuseProvider(w, r, ref.status, ref.title, ref.message, "", string(kind), err)
	}
	secret, info, err := s.svc.SignInWithProvider(r.Context(), res.Identity)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINTERNAL {
			return err
		}
		title, email := "Connexion impossible", ""
		if passnum.ErrorReason(err) == passnum.ReasonProviderAccountUnknown {
			title, email = "Aucun compte pour cette adresse", res.Identity.Email
		}
		return s.refuseProvider(w, r, errStatus(err), title, passnum.ErrorMessage(err), email, passnum.ErrorReason(err), err)
	}
	s.setCookie(w, "csrf", "", -1)
	// The ID token is the hint of logout at the provider: it stays in
	// the person's browser, like the session's secret, and in no log.
	// The second factor, when it completes the session, binds it to the
	// session's new secret (sessionProven).
	s.setCookie(w, "idtoken", idTokenCookie(secret, res.IDToken), passnum.SessionLifetime)
	next := res.Next
	if info.Session.SecondFactorPending {
		// As after a password: the second factor comes next, on a
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

// providerLogoutURL returns where logout continues: the provider's
// logout when the session came from it, "" otherwise. The ID token's
// cookie goes either way.
func (s *Server) providerLogoutURL(w http.ResponseWriter, r *http.Request) string {
	value := s.cookie(r, "idtoken")
	if value == "" {
		return ""
	}
	s.setCookie(w, "idtoken", "", -1)
	idToken, ok := idTokenOf(value, s.cookie(r, "session"))
	if !ok || s.signIn == nil {
		return ""
	}
	return s.signIn.LogoutURL(r.Context(), idToken)
}

// idTokenCookie binds the ID token to the session it opened: a session
// opened later with a password (after this one expired, say) does not
// log out at the provider with a stale token.
func idTokenCookie(session, idToken string) string {
	return sessionTag(session) + "." + idToken
}

// idTokenOf returns the ID token of the cookie when it belongs to session.
func idTokenOf(value, session string) (string, bool) {
	tag, idToken, ok := strings.Cut(value, ".")
	if !ok || session == "" || subtle.ConstantTimeCompare([]byte(tag), []byte(sessionTag(session))) != 1 {
		return "", false
	}
	return idToken, true
}

// sessionTag names a session without revealing its secret.
func sessionTag(session string) string {
	sum := sha256.Sum256([]byte("passnum id token of session\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// providerLinks shows the person's links to the provider, which they may
// remove.
func (s *Server) providerLinks(w http.ResponseWriter, r *http.Request) error {
	links, err := s.svc.ListProviderLinks(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "proconnect_links", s.newView(r, "Connexion avec ProConnect", map[string]any{"Links": links}))
}

// providerUnlink removes one of the person's links.
func (s *Server) providerUnlink(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return s.notFound(w, r)
	}
	if err := s.svc.UnlinkProvider(r.Context(), id); err != nil {
		return err
	}
	return s.redirect(w, r, "/compte/proconnect", "La liaison avec ProConnect est retirée. À votre prochaine connexion avec ProConnect, votre compte sera retrouvé par votre adresse électronique.")
}
