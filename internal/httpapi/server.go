// Package httpapi serves the JSON API of passnum under /api/v1: one route
// per method of passnum.Service (login sessions aside: the web interface
// has them), bearer-token authentication except under /api/v1/public and
// for venue applications, RFC 9457 problem+json errors, rate limits on
// guessed pass codes, tokens and venue applications, and an OpenAPI 3.1
// document at /api/openapi.json.
//
// The API decides nothing about permissions: it authenticates the caller,
// puts the actor in the request context, and the service authorises every
// call itself (passnum.Authorize and object ownership).
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/opendata"
	"github.com/passnum/passnum/internal/ratelimit"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger // nil: slog.Default()
	// Limits are the counters of guessed codes, shared with the web
	// interface; nil: the server keeps its own.
	Limits *ratelimit.Shared
	// TrustedProxies are the reverse proxies whose X-Forwarded-For
	// names the client that limits count; zero: none, the client is the
	// connection's address.
	TrustedProxies ratelimit.TrustedProxies
	// OperatorName signs the documents (statements, charges, credit
	// notes) whoever downloads them; "": a generic label.
	OperatorName string
}

// Server is the API server of a passnum.Service.
type Server struct {
	svc passnum.Service
	log *slog.Logger
	// now is the clock of the rate limiters.
	now     func() time.Time
	mux     *http.ServeMux
	handler http.Handler
	// operator signs the documents (Options.OperatorName).
	operator string
	// proxies tell who the client is (Options.TrustedProxies).
	proxies ratelimit.TrustedProxies

	// badCodes counts pass codes refused as unknown, forged or malformed,
	// per organisation: a venue guessing codes is stopped long before it
	// could find one (60 random bits each).
	badCodes *ratelimit.Window[int64]
	// failedAuth counts rejected tokens per client network; past its
	// bound, only unknown tokens are refused (authenticate).
	failedAuth *ratelimit.Window[string]
	// unknownCarnets counts, per client network, the codes of the public
	// carnet status page that found no carnet.
	unknownCarnets *ratelimit.Window[string]
	// applications and applicationTries count, per client network, the
	// online venue applications accepted and those the service examined;
	// shared with the web form (Options.Limits).
	applications, applicationTries *ratelimit.Window[string]
	// openData keeps the public open data release of the latest snapshot.
	openData opendata.Cache
}

// Limits of failed authentications per client network. Tokens hold 256
// random bits, so this limit is not what keeps them secret, and it never
// refuses a valid token: it tells a client sending unknown tokens in a
// loop to stop (authenticate). The limits of guessed pass codes are in
// package ratelimit, shared with the web interface.
const (
	failedAuthLimit  = 30
	failedAuthWindow = time.Minute
)

// NewServer returns the API server for svc.
func NewServer(svc passnum.Service, opts Options) *Server {
	s := &Server{
		svc:        svc,
		log:        opts.Logger,
		now:        time.Now,
		mux:        http.NewServeMux(),
		failedAuth: ratelimit.New[string](failedAuthLimit, failedAuthWindow, ratelimit.MaxKeys),
	}
	s.operator, s.proxies = opts.OperatorName, opts.TrustedProxies
	if s.operator == "" {
		s.operator = operatorLabel
	}
	limits := opts.Limits
	if limits == nil {
		limits = ratelimit.NewShared()
	}
	s.badCodes, s.unknownCarnets = limits.BadCodes, limits.CarnetCodes
	s.applications, s.applicationTries = limits.Applications, limits.ApplicationTries
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, rt := range routes {
		s.mux.Handle(rt.method+" "+rt.path, s.serveRoute(rt))
	}
	s.mux.HandleFunc(unmatchedPattern, s.unmatched)
	s.handler = httpx.LogRequests(s.log, "http request", httpx.Recover(s.log, s.mux, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errPanic)
	}))
	return s
}

// Handler returns the http.Handler serving /api/v1/..., /api/openapi.json and /api/problems/{type}.
func (s *Server) Handler() http.Handler { return s.handler }

// serveRoute authenticates the caller of a route (unless it is public),
// runs its handler and turns the error it returns into a problem.
func (s *Server) serveRoute(rt route) http.Handler {
	pattern := rt.method + " " + rt.path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entry := httpx.EntryFrom(r.Context())
		entry.Pattern = pattern
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if !rt.public {
			// Answers carry personal data, secrets and pass codes: no
			// cache along the way may keep them.
			w.Header().Set("Cache-Control", "no-store")
			actor, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			entry.Actor = actor.Label
			r = r.WithContext(passnum.NewContextWithActor(r.Context(), actor))
		}
		if err := rt.handle(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// unmatchedPattern catches every /api/ request that no route matches, so
// that even those get a problem+json answer.
const unmatchedPattern = "/api/"

// unmatched answers 405 when the path exists with other methods, 404
// otherwise.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	httpx.EntryFrom(r.Context()).Pattern = unmatchedPattern
	var allowed []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := &http.Request{Method: method, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(probe); pattern != unmatchedPattern && pattern != "" {
			allowed = append(allowed, method)
		}
	}
	if len(allowed) > 0 {
		for _, m := range allowed {
			w.Header().Add("Allow", m)
		}
		s.writeError(w, r, &passnum.Error{Code: passnum.EINVALID, Reason: reasonMethodNotAllowed,
			Message: "Méthode " + r.Method + " non prise en charge à cette adresse."})
		return
	}
	s.writeError(w, r, passnum.Errorf(passnum.ENOTFOUND, passnum.ReasonNotFound, "Aucune ressource de l'API à cette adresse."))
}
