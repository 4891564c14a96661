package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

// visitor is who is looking at a page: a person with a session, or
// someone anonymous. Its CSRF token goes in every form it is shown.
type visitor struct {
	Info   *passnum.SessionInfo // nil when anonymous or pending
	secret string               // the session secret, "" when anonymous
	CSRF   string
	// pending is the session of a person who proved their password and
	// not yet their second factor: they act for nobody, and only reach
	// the second-factor step (access step); every other page takes them
	// there, public pages see them as anonymous.
	pending *passnum.SessionInfo
}

func (v *visitor) LoggedIn() bool { return v != nil && v.Info != nil }

func (v *visitor) actor() *passnum.Actor {
	if !v.LoggedIn() {
		return nil
	}
	return v.Info.Actor
}

type visitorKey struct{}

func withVisitor(ctx context.Context, v *visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

func visitorFrom(r *http.Request) *visitor {
	v, _ := r.Context().Value(visitorKey{}).(*visitor)
	if v == nil {
		return &visitor{}
	}
	return v
}

// Cookies. With https, the __Host- prefix makes browsers refuse cookies
// set by a subdomain or over plain http.
func (s *Server) cookieName(name string) string {
	if s.secure {
		return "__Host-passnum_" + name
	}
	return "passnum_" + name
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name:     s.cookieName(name),
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.secure,
		// Lax: the cookie comes along when someone follows a link to
		// passnum (an e-mail, a bookmark), never with a form posted from
		// another site.
		SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	} else if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// randomToken returns 32 random bytes, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken derives the CSRF token of forms from a secret the browser
// holds in an HttpOnly cookie (the session's, or an anonymous one): another
// site can make the browser send the cookie but cannot read it, so it
// cannot compute the token.
func csrfToken(secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("passnum csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// maxFormBytes bounds a form: the largest is a venue's list of 100 passes.
const maxFormBytes = 256 << 10

// serveRoute identifies the visitor, checks what the route requires,
// checks the CSRF token of forms, runs the handler and turns its error
// into a page.
func (s *Server) serveRoute(rt route) http.Handler {
	pattern := strings.TrimSpace(rt.method + " " + rt.path) // "/" alone for unmatched paths
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entry := httpx.EntryFrom(r.Context())
		entry.Pattern = pattern
		v := &visitor{}
		if secret := s.cookie(r, "session"); secret != "" {
			info, err := s.svc.AuthenticateSession(r.Context(), secret)
			switch {
			case err == nil && info.Session.SecondFactorPending:
				v.pending, v.secret, v.CSRF = info, secret, csrfToken(secret)
				entry.Actor = info.Actor.Label + " (second factor pending)"
			case err == nil:
				v.Info, v.secret, v.CSRF = info, secret, csrfToken(secret)
				entry.Actor = info.Actor.Label
				r = r.WithContext(passnum.NewContextWithActor(r.Context(), info.Actor))
			case passnum.ErrorCode(err) == passnum.EUNAUTHORIZED:
				s.setCookie(w, "session", "", -1) // expired: forget it
			default:
				s.fail(w, r, err)
				return
			}
		}
		if v.CSRF == "" {
			anon := s.cookie(r, "csrf")
			if anon == "" && r.Method == http.MethodGet {
				anon = randomToken()
				s.setCookie(w, "csrf", anon, 0)
			}
			if anon != "" {
				v.CSRF = csrfToken(anon)
			}
		}
		r = r.WithContext(withVisitor(r.Context(), v))
		// Pages show personal data and forms carry tokens: no cache may
		// keep them.
		w.Header().Set("Cache-Control", "no-store")

		if rt.access != public && !(rt.access == step && v.pending != nil) {
			if v.pending != nil {
				// Nothing but the second-factor step until it is proved.
				if r.Method == http.MethodGet {
					http.Redirect(w, r, secondFactorPath+"?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.errorPage(w, r, http.StatusUnauthorized, "Second facteur attendu",
					"Votre connexion attend votre second facteur : rien n'a été enregistré. Ouvrez la page « Second facteur », puis recommencez.")
				return
			}
			if !v.LoggedIn() {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/connexion?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.errorPage(w, r, http.StatusUnauthorized, "Session expirée",
					"Reconnectez-vous, puis recommencez : rien n'a été enregistré.")
				return
			}
			if !rt.allows(v.Info.Actor.OrgKind) {
				s.errorPage(w, r, http.StatusForbidden, "Page réservée",
					"Seules d'autres structures que la vôtre ("+v.Info.Actor.OrgKind.Label()+") peuvent l'ouvrir. "+
						"Si vous appartenez à plusieurs structures, changez de structure en haut de la page.")
				return
			}
		}
		if r.Method == http.MethodPost {
			limit, upload := uploadLimits[rt.path]
			if !upload {
				limit = maxFormBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			parse := r.ParseForm
			if upload && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				// A file and the form's fields, the token among them.
				parse = func() error { return r.ParseMultipartForm(limit) }
			}
			if err := parse(); err != nil {
				if tooLarge := (*http.MaxBytesError)(nil); upload && errors.As(err, &tooLarge) {
					s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Fichier trop volumineux",
						"Le fichier envoyé dépasse la taille permise : rien n'a été enregistré. Revenez à la page précédente et choisissez un fichier plus petit (le formulaire indique la taille maximale).")
					return
				}
				s.errorPage(w, r, http.StatusBadRequest, "Formulaire illisible", "Le formulaire envoyé est trop long ou mal formé. Rechargez la page et recommencez.")
				return
			}
			sent := r.PostForm.Get("csrf")
			if sent == "" {
				sent = r.Header.Get("X-CSRF-Token")
			}
			if (v.CSRF == "" || !hmac.Equal([]byte(sent), []byte(v.CSRF))) && !tokenLinks[rt.path] {
				if rt.path == "/deconnexion" && !v.LoggedIn() {
					// The session ended before the click: the person is
					// logged out already, which is what they asked.
					http.Redirect(w, r, "/connexion", http.StatusSeeOther)
					return
				}
				s.errorPage(w, r, http.StatusForbidden, "Formulaire expiré",
					"Par sécurité, il n'a pas été pris en compte : il a été ouvert il y a trop longtemps, ou ne vient pas de passnum. Rechargez la page et recommencez.")
				return
			}
			if err := checkForm(r.PostForm); err != nil {
				s.errorPage(w, r, errStatus(err), errTitle(err), passnum.ErrorMessage(err))
				return
			}
		}
		if err := rt.handle(s, w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// safeNext returns a local path to go to after login, or "".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// Reasons of the errors the pages raise themselves, beside the domain's
// (passnum.Reasons); the API never answers with them.
const (
	reasonCarnetNotDistributed = "carnet-not-distributed"
	reasonNoPayer              = "no-payer"
)

// errStatus is the HTTP status of an error, as in the API.
func errStatus(err error) int {
	return httpx.StatusOf(passnum.ErrorCode(err), passnum.ErrorReason(err))
}

// errTitle is the heading of an error page.
func errTitle(err error) string {
	switch passnum.ErrorCode(err) {
	case passnum.EINVALID:
		return "Saisie à corriger"
	case passnum.EUNAUTHORIZED:
		return "Identification nécessaire"
	case passnum.EFORBIDDEN:
		return "Action non autorisée"
	case passnum.ENOTFOUND:
		return "Introuvable"
	case passnum.ECONFLICT, passnum.EREFUSED:
		return "Action impossible"
	case passnum.ERATELIMIT:
		return "Trop de tentatives"
	case passnum.EUNAVAILABLE:
		return "Service momentanément indisponible"
	}
	return "Erreur interne"
}

// fail shows the error page of err; internal errors are logged, and people
// only read that something went wrong.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.ClientGone(r, err) {
		httpx.ClientClosed(w) // the person left: nobody reads a page
		return
	}
	if passnum.ErrorCode(err) == passnum.EINTERNAL {
		s.log.ErrorContext(r.Context(), "web handler failed", "pattern", httpx.EntryFrom(r.Context()).Pattern, "err", err)
	}
	httpx.SetRetryAfterOf(w, passnum.ErrorReason(err))
	s.errorPage(w, r, errStatus(err), errTitle(err), passnum.ErrorMessage(err))
}
