package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
)

// fake answers Redeem with the next of its answers.
type fake struct {
	passnum.Service
	answers []func() (*passnum.Redemption, error)
}

func (f *fake) Redeem(context.Context, passnum.RedeemRequest) (*passnum.Redemption, error) {
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a()
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	return string(body)
}

func TestServiceCountsRedemptionsAndRefusals(t *testing.T) {
	m := New()
	svc := m.Service(&fake{answers: []func() (*passnum.Redemption, error){
		func() (*passnum.Redemption, error) { return &passnum.Redemption{ID: 1}, nil },
		func() (*passnum.Redemption, error) { return &passnum.Redemption{ID: 1, Replayed: true}, nil },
		func() (*passnum.Redemption, error) {
			return nil, &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonPassesRefused, Passes: []passnum.PassCheck{
				{Usable: true}, {Reason: passnum.ReasonExpired}, {Reason: passnum.ReasonBlocked}}}
		},
		func() (*passnum.Redemption, error) {
			return nil, &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonServiceUnknown}
		},
		func() (*passnum.Redemption, error) { return nil, &passnum.Error{Code: passnum.EINVALID, Reason: "x"} },
	}})
	for range 5 {
		svc.Redeem(context.Background(), passnum.RedeemRequest{})
	}
	m.ObserveJob("issue", 3*time.Second)
	body := scrape(t, m)
	for _, want := range []string{
		"passnum_redemptions_total 1\n",
		`passnum_refusals_total{reason="pass-expired"} 1`,
		`passnum_refusals_total{reason="pass-blocked"} 1`,
		`passnum_refusals_total{reason="` + passnum.ReasonServiceUnknown + `"} 1`,
		`passnum_job_duration_seconds_count{job="issue"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `reason="x"`) || strings.Contains(body, `reason="`+passnum.ReasonPassesRefused+`"`) {
		t.Errorf("counted a non-refusal or the summary reason:\n%s", body)
	}
}

func TestMiddlewareLabelsByPattern(t *testing.T) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /carnet/{code}", func(w http.ResponseWriter, r *http.Request) {
		httpx.EntryFrom(r.Context()).Pattern = r.Pattern
		w.WriteHeader(http.StatusTeapot)
	})
	h := m.Middleware(httpx.LogRequests(slogDiscard(), "req", mux))
	for _, p := range []string{"/carnet/AAAA", "/carnet/BBBB", "/ailleurs"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	body := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="418",method="GET",route="GET /carnet/{code}"} 2`,
		`http_requests_total{code="404",method="GET",route="other"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "AAAA") {
		t.Error("a raw path reached the metrics")
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestStorageAndClientGone: the storage state shows at each scrape, and a
// client gone is counted under 499, not 500.
func TestStorageAndClientGone(t *testing.T) {
	m := New()
	full, refused := false, int64(0)
	m.WatchStorage(func() (bool, int64) { return full, refused })
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.EntryFrom(r.Context()).Pattern = "POST /api/v1/redemptions"
		httpx.ClientClosed(w)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/v1/redemptions", nil))
	body := scrape(t, m)
	for _, want := range []string{"passnum_storage_full 0\n", "passnum_storage_full_refusals_total 0\n",
		`http_requests_total{code="499",method="POST",route="POST /api/v1/redemptions"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", strings.TrimSpace(want))
		}
	}
	full, refused = true, 7
	body = scrape(t, m)
	for _, want := range []string{"passnum_storage_full 1\n", "passnum_storage_full_refusals_total 7\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", strings.TrimSpace(want))
		}
	}
}

// TestRetries: the counter shows what the store counted, at each scrape.
func TestRetries(t *testing.T) {
	m := New()
	retries := int64(0)
	m.WatchRetries(func() int64 { return retries })
	for _, n := range []int64{0, 9190} {
		retries = n
		if want := fmt.Sprintf("passnum_transaction_retries_total %d\n", n); !strings.Contains(scrape(t, m), want) {
			t.Errorf("metrics lack %q", strings.TrimSpace(want))
		}
	}
}
