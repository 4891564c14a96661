// Package metrics counts what an operator watches — requests, latencies,
// redemptions, refusals by reason, background job durations — and serves
// them in the Prometheus text format. Each Metrics has its own registry:
// no global state, so tests and several servers in one process do not mix.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	redemptions prometheus.Counter
	refusals    *prometheus.CounterVec
	jobs        *prometheus.HistogramVec
}

// New returns metrics registered on a private registry, with the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		redemptions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passnum_redemptions_total",
			Help: "Redemptions recorded (idempotent replays excluded).",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passnum_refusals_total",
			Help: "Passes refused by a check or a redemption, by reason slug.",
		}, []string{"reason"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "passnum_job_duration_seconds",
			Help:    "Duration of background jobs (issuance of a batch), by job.",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"job"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.redemptions, m.refusals, m.jobs,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Middleware counts and times requests. The route label is the pattern
// the API or the web recorded in the access log entry (never the raw
// path, which may hold a pass code or a token); "other" when no route
// matched.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, entry := httpx.WithEntry(r.Context())
		rec := &httpx.Recorder{ResponseWriter: w}
		defer func() {
			route := entry.Pattern
			if route == "" {
				route = "other"
			}
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.Status())).Inc()
			m.duration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// WatchStorage shows the state of the database's storage, read from state
// at each scrape: passnum_storage_full is 1 while writes are refused for
// lack of space, passnum_storage_full_refusals_total counts the writes so
// refused since the start.
func (m *Metrics) WatchStorage(state func() (full bool, refused int64)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "passnum_storage_full",
			Help: "1 while the database has no space left and writes are refused (answered 503), else 0.",
		}, func() float64 {
			if full, _ := state(); full {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "passnum_storage_full_refusals_total",
			Help: "Writes refused because the database had no space left.",
		}, func() float64 {
			_, refused := state()
			return float64(refused)
		}))
}

// WatchRetries shows passnum_transaction_retries_total, read from retries
// at each scrape: the write transactions run again after a conflict
// (PostgreSQL's serialization failures) since the start. A load test of
// several servers sums it over them (passnum bench --servers).
func (m *Metrics) WatchRetries(retries func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "passnum_transaction_retries_total",
		Help: "Write transactions run again after a conflict with concurrent ones.",
	}, func() float64 { return float64(retries()) }))
}

// ObserveJob records the duration of a background job.
func (m *Metrics) ObserveJob(job string, d time.Duration) {
	m.jobs.WithLabelValues(job).Observe(d.Seconds())
}

// Service wraps svc so that every check and redemption, from the API and
// from the web pages alike, is counted in this one place.
func (m *Metrics) Service(svc passnum.Service) passnum.Service {
	return &service{Service: svc, m: m}
}

type service struct {
	passnum.Service
	m *Metrics
}

func (s *service) Check(ctx context.Context, r passnum.CheckRequest) ([]passnum.PassCheck, error) {
	checks, err := s.Service.Check(ctx, r)
	s.m.refuse(checks)
	return checks, err
}

func (s *service) Redeem(ctx context.Context, r passnum.RedeemRequest) (*passnum.Redemption, error) {
	red, err := s.Service.Redeem(ctx, r)
	var e *passnum.Error
	switch {
	case err == nil && red != nil && !red.Replayed:
		s.m.redemptions.Inc()
	case errors.As(err, &e) && e.Code == passnum.EREFUSED:
		if refused := countRefused(e.Passes); refused > 0 {
			s.m.refuse(e.Passes)
		} else if e.Reason != "" {
			s.m.refusals.WithLabelValues(e.Reason).Inc()
		}
	}
	return red, err
}

// refuse counts the refused passes of checks by reason.
func (m *Metrics) refuse(checks []passnum.PassCheck) {
	for _, c := range checks {
		if !c.Usable && c.Reason != "" {
			m.refusals.WithLabelValues(c.Reason).Inc()
		}
	}
}

func countRefused(checks []passnum.PassCheck) int {
	n := 0
	for _, c := range checks {
		if !c.Usable && c.Reason != "" {
			n++
		}
	}
	return n
}
