package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/metrics"
	"github.com/passnum/passnum/internal/sqlstore"
)

// Environment variables of the operations endpoints and logs.
const (
	envMetricsToken = "PASSNUM_METRICS_TOKEN"
	envLogFormat    = "PASSNUM_LOG_FORMAT"
)

// opsHandler serves /healthz, /readyz and /metrics in front of next
// (the API and the pages), and counts every request in m.
//
//   - /healthz: the process answers (200 "ok"); the database is not asked.
//   - /readyz: the database answers within a short time, its schema is
//     at the version of this binary and it has space to write (200
//     "ready"), else 503: a load balancer stops sending requests that
//     would be refused.
//   - /metrics: Prometheus text format, for callers on the loopback
//     interface or bearing the token (--metrics-token).
func opsHandler(s *sqlstore.Store, m *metrics.Metrics, token string, log *slog.Logger, next http.Handler) http.Handler {
	m.WatchStorage(func() (bool, int64) {
		st := s.Storage()
		return st.Full, st.RefusedTotal
	})
	m.WatchRetries(s.Retries)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		opsPattern(r, "GET /healthz")
		plain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		opsPattern(r, "GET /readyz")
		if err := s.Ready(r.Context()); err != nil {
			// A full disk is logged once by the store, when it starts.
			if !errors.Is(err, sqlstore.ErrStorageFull) {
				log.WarnContext(r.Context(), "not ready", "err", err)
			}
			// The detail is for the operator's log, not for any caller.
			plain(w, http.StatusServiceUnavailable, "pas prêt / not ready")
			return
		}
		plain(w, http.StatusOK, "ready")
	})
	scrape := m.Handler()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		opsPattern(r, "GET /metrics")
		if !metricsAllowed(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			plain(w, http.StatusUnauthorized, "métriques réservées : boucle locale ou jeton (--metrics-token) / metrics: loopback or bearer token only")
			return
		}
		scrape.ServeHTTP(w, r)
	})
	mux.Handle("/", next)
	return m.Middleware(mux)
}

// metricsAllowed lets in loopback callers and, when a token is set,
// callers bearing it.
//
// A request that went through a reverse proxy is never local, even from
// a trusted proxy on the loopback interface (serve --trusted-proxies):
// forwarding headers are only a sign that the request came from afar,
// their values are never read here, so a forged header can refuse /metrics
// to its sender but never open it. A proxy on the same host that forwards
// without such headers still makes every caller look local: set a token
// and keep /metrics off the proxy.
func metricsAllowed(r *http.Request, token string) bool {
	if token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1 {
			return true
		}
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if _, forwarded := r.Header[h]; forwarded {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func opsPattern(r *http.Request, pattern string) {
	entryPattern(r.Context(), pattern)
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, body)
}

// logFormatValue is --log-format: text or json.
type logFormatValue struct{ c *cli }

func (v logFormatValue) String() string {
	if v.c == nil {
		return ""
	}
	return v.c.logFormat
}

func (v logFormatValue) Set(s string) error {
	switch s {
	case "text", "json":
		v.c.logFormat = s
		return nil
	}
	return fmt.Errorf("text ou json attendu")
}

// entryPattern names the route in the access log and the metrics.
func entryPattern(ctx context.Context, pattern string) {
	httpx.EntryFrom(ctx).Pattern = pattern
}
