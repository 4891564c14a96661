// Package web serves the French web interface of passnum: server-rendered
// pages for every role (operator, funder, hub, prescriber, venue) and for
// people holding a carnet, with templates and assets embedded in the
// binary and no build step. A little plain JavaScript improves the venue's
// scanning screen, the commune search and progress bars; every page works
// without it.
//
// Like the API, the web interface decides nothing about permissions beyond
// which kind of organisation a page is for: it authenticates the session,
// puts the actor in the request context, and the service authorises every
// call itself.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/oidclogin"
	"github.com/passnum/passnum/internal/opendata"
	"github.com/passnum/passnum/internal/ratelimit"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger // nil: slog.Default()
	// BaseURL is the address people use to reach passnum, such as
	// https://pass.example.fr: links in e-mails are built on it (never on
	// the request's Host header, which a client chooses), and cookies are
	// marked Secure when it is https.
	BaseURL string
	// Limits are the counters of guessed codes, shared with the API so
	// that a guesser gains nothing by switching; nil: the server keeps its
	// own.
	Limits *ratelimit.Shared
	// TrustedProxies are the reverse proxies whose X-Forwarded-For
	// names the client that limits count; zero: none, the client is the
	// connection's address.
	TrustedProxies ratelimit.TrustedProxies
	// Now is the clock of rate limits and expiry alerts; nil: time.Now.
	Now func() time.Time
	// OperatorName signs the documents venues and funders download
	// (statements, charges, credit notes); "": a generic label.
	OperatorName string
	// JobDone, when set, is told the duration of each background job
	// (metrics).
	JobDone func(job string, d time.Duration)
	// Jobs runs this server's background jobs (NewJobs, whose Alive the
	// reaper of jobs of silent servers needs); nil: the server makes its
	// own, telling JobDone.
	Jobs *Jobs
	// Privacy are the installation's privacy settings, which the pages
	// of personal data and the receipt's notice tell; nil: the defaults.
	Privacy *passnum.PrivacySettings
	// Legal are the installation's legal notice and accessibility
	// settings (defaults when nil), which the footer, /mentions-legales
	// and /accessibilite tell.
	Legal *passnum.LegalSettings
	// MailSending tells that a sender delivers the outbox (outgoing mail
	// is set up): the outbox page then shows the delivery rather than
	// asking the operator to pass messages on.
	MailSending bool
	// SignIn is the client of the installation's OpenID Connect provider
	// (ProConnect); nil: people sign in with their password only.
	SignIn *oidclogin.Client
}

// Server is the web interface of a passnum.Service.
type Server struct {
	svc passnum.Service
	log *slog.Logger
	// mailSending: Options.MailSending.
	mailSending bool
	base        *url.URL
	secure      bool
	now         func() time.Time
	pages       *pages
	handler     http.Handler
	mux         *http.ServeMux
	jobs        *Jobs
	// operator signs documents (Options.OperatorName).
	operator string
	// network holds the venue imports waiting for confirmation.
	network *networkState
	// proxies tell who the client is (Options.TrustedProxies).
	proxies ratelimit.TrustedProxies

	// limits are the counters shared with the API (Options.Limits);
	// badCodes and publicByNet are two of them.
	limits      *ratelimit.Shared
	badCodes    *ratelimit.Window[int64]
	publicByNet *ratelimit.Window[string]
	// Failed logins (see login): per account and client network, per
	// account, per client network; past the last, a network's logins
	// take turns.
	// They are counted in the database (passnum.AttemptService), so that
	// they hold across every server of an installation; the turns are
	// each server's.
	loginLimits  loginLimits
	loginTurns   *ratelimit.Turns[string]
	resetByEmail *ratelimit.Window[string]
	resetByNet   *ratelimit.Window[string]
	// New invitation and confirmation links (account_mail.go), limited
	// as reset e-mails are.
	linkByEmail *ratelimit.Window[string]
	linkByNet   *ratelimit.Window[string]
	// mfaLimits bound failed second-factor attempts (secondfactor.go),
	// counted in the database like logins.
	mfaLimits secondFactorLimits
	// passkeys is the WebAuthn relying party of the base address (nil:
	// passkeys are off there, passkey.go).
	passkeys *webauthn.WebAuthn
	// openData keeps the public open data release of the latest snapshot.
	openDataCache opendata.Cache
	// privacy are the settings the notices and the register tell
	// (Options.Privacy).
	privacy passnum.PrivacySettings
	// legal are the installation's legal notice settings (Options.Legal).
	legal passnum.LegalSettings
	// signIn is the provider's client (Options.SignIn), nil when off.
	signIn *oidclogin.Client
}

// Limits of logins and reset e-mails: far above what honest people do, far
// below what guessing needs (login says how the three limits of logins
// work together). Those of pass codes are in package ratelimit, shared
// with the API.
const (
	loginLimit        = 10  // failed logins per account from one client network
	loginAccountLimit = 100 // failed logins per account, every network together
	loginNetLimit     = 100 // failed logins per client network, every account together: past it, its logins take turns
	loginWindow       = 15 * time.Minute
	// loginTurnWait is how long a login waits for its network's turn.
	loginTurnWait = 10 * time.Second
	resetLimit    = 3 // reset e-mails per address
	// resetNetLimit is a high, separate bound per client network (a
	// France Services desk helps many people reset their password).
	resetNetLimit = 100
	resetWindow   = time.Hour
)

// loginLimits are the three limits of failed logins (login).
type loginLimits struct{ accountNet, account, net passnum.AttemptLimit }

func defaultLoginLimits() loginLimits {
	return loginLimits{
		accountNet: passnum.AttemptLimit{Name: "login.account-network", Limit: loginLimit, Window: loginWindow},
		account:    passnum.AttemptLimit{Name: "login.account", Limit: loginAccountLimit, Window: loginWindow},
		net:        passnum.AttemptLimit{Name: "login.network", Limit: loginNetLimit, Window: loginWindow},
	}
}

// attempts are the keys a login of email from network counts under:
// the account (its address, normalised) from the network, the account,
// the network.
func (l loginLimits) attempts(email, network string) []passnum.Attempt {
	return []passnum.Attempt{{AttemptLimit: l.accountNet, Key: email + "\x00" + network}, {AttemptLimit: l.account, Key: email}, {AttemptLimit: l.net, Key: network}}
}

// NewServer returns the web interface of svc.
func NewServer(svc passnum.Service, opts Options) (*Server, error) {
	s := &Server{
		svc:          svc,
		log:          opts.Logger,
		now:          opts.Now,
		loginLimits:  defaultLoginLimits(),
		loginTurns:   ratelimit.NewTurns[string](),
		resetByEmail: ratelimit.New[string](resetLimit, resetWindow, ratelimit.MaxKeys),
		resetByNet:   ratelimit.New[string](resetNetLimit, resetWindow, ratelimit.MaxKeys),
		linkByEmail:  ratelimit.New[string](resetLimit, resetWindow, ratelimit.MaxKeys),
		linkByNet:    ratelimit.New[string](resetNetLimit, resetWindow, ratelimit.MaxKeys),
		mfaLimits:    defaultSecondFactorLimits(),
		jobs:         opts.Jobs,
		network:      newNetworkState(),
		operator:     opts.OperatorName,
		proxies:      opts.TrustedProxies,
		signIn:       opts.SignIn,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.jobs == nil {
		s.jobs = NewJobs("", opts.JobDone)
	}
	s.jobs.log = s.log
	s.privacy = passnum.DefaultPrivacySettings()
	if opts.Privacy != nil {
		s.privacy = *opts.Privacy
	}
	s.legal = passnum.DefaultLegalSettings()
	if opts.Legal != nil {
		s.legal = *opts.Legal
	}
	if s.now == nil {
		s.now = time.Now
	}
	limits := opts.Limits
	if limits == nil {
		limits = ratelimit.NewShared()
	}
	s.badCodes, s.publicByNet, s.limits = limits.BadCodes, limits.CarnetCodes, limits
	base := opts.BaseURL
	if base == "" {
		base = "http://localhost:8080"
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, passnum.Errorf(passnum.EINVALID, "base-url", "Adresse publique invalide : %q (par exemple https://pass.example.fr).", base)
	}
	s.base, s.secure = u, u.Scheme == "https"
	s.passkeys = newRelyingParty(u)
	s.mailSending = opts.MailSending
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	for _, rt := range routes {
		s.mux.Handle(rt.method+" "+rt.path, s.serveRoute(rt))
	}
	static := staticHandler()
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.EntryFrom(r.Context()).Pattern = "GET /static/"
		static.ServeHTTP(w, r)
	}))
	// Unmatched paths go through serveRoute too, so that the visitor is
	// known and the page shows their menu.
	s.mux.Handle("/", s.serveRoute(route{path: "/", access: public, handle: (*Server).notFound}))
	protect := http.NewCrossOriginProtection()
	protect.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "Requête refusée",
			"Ce formulaire a été envoyé depuis un autre site : par sécurité, il n'a pas été pris en compte. Revenez sur passnum et recommencez.")
	}))
	// Whatever went wrong is logged by httpx.Recover; people read that
	// it did, in French.
	s.handler = httpx.LogRequests(s.log, "web request", httpx.Recover(s.log, s.securityHeaders(protect.Handler(s.mux)), func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusInternalServerError, "Erreur interne", passnum.ErrorMessage(errPanic))
	}))
	return s, nil
}

// errPanic stands for a panic on the error page: people read the generic
// message of internal errors.
var errPanic = errors.New("panic in a web handler")

// Handler returns the http.Handler of every page.
func (s *Server) Handler() http.Handler { return s.handler }

// securityHeaders sets the headers every page carries: no script or style
// from elsewhere, no framing, no referrer (reset links carry tokens).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'"+s.providerFormAction()+"; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		// The venue's scanning screen may use the camera; nothing else may.
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
