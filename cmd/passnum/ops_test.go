package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/passnum/passnum/internal/metrics"
	"github.com/passnum/passnum/internal/sqlstore"
)

// TestServeOps follows the demo's check example, then reads /healthz,
// /readyz and /metrics: counters move, labelled by route pattern.
func TestServeOps(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	s := startServe(t, "--demo", "--db", db, "--log-format", "json")
	out := s.out.String()
	base := baseRE.FindStringSubmatch(out)
	m := checkRE.FindStringSubmatch(out)
	if base == nil || m == nil {
		t.Fatalf("no address or curl example in:\n%s", out)
	}
	if resp, body := get(t, base[1]+"/healthz"); resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, base[1]+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("GET /readyz: %d %q", resp.StatusCode, body)
	}
	check := func(body string) {
		req, _ := http.NewRequest("POST", m[1], strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+m[2])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	check(m[3])
	// A mistyped code: refused as malformed.
	check(regexp.MustCompile(`"codes":\["[^"]*"\]`).ReplaceAllString(m[3], `"codes":["ZZZZ-ZZZZ"]`))
	get(t, base[1]+"/carnet/ABCD-EFGH") // a path that may carry a code

	resp, body := get(t, base[1]+"/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics from loopback: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`http_requests_total{code="200",method="POST",route="POST /api/v1/checks"} 2`,
		`http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`http_request_duration_seconds_count{method="POST",route="POST /api/v1/checks"} 2`,
		`passnum_refusals_total{reason="pass-code-malformed"} 1`,
		`passnum_redemptions_total 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "ABCD-EFGH") || strings.Contains(body, "ZZZZ") {
		t.Errorf("/metrics holds a raw path or code")
	}

	// --log-format json: every access log line is a JSON object, without
	// the codes or tokens the requests carried.
	s.stop()
	logs := s.errOut.String()
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
		n++
	}
	if n == 0 {
		t.Errorf("no JSON log line in:\n%s", logs)
	}
	for _, secret := range []string{m[2], "ZZZZ-ZZZZ", "ABCD-EFGH"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func TestMetricsAccess(t *testing.T) {
	for _, tc := range []struct {
		remote, token, header string
		forwarded             [2]string // a forwarding header and its value
		want                  bool
	}{
		{"127.0.0.1:5000", "", "", [2]string{}, true},
		{"[::1]:5000", "", "", [2]string{}, true},
		{"203.0.113.7:5000", "", "", [2]string{}, false},
		{"203.0.113.7:5000", "s3cret", "Bearer s3cret", [2]string{}, true},
		{"203.0.113.7:5000", "s3cret", "Bearer wrong", [2]string{}, false},
		{"203.0.113.7:5000", "", "Bearer ", [2]string{}, false},
		// Through a proxy on the same host: the caller is elsewhere,
		// whatever the header says.
		{"127.0.0.1:5000", "", "", [2]string{"X-Forwarded-For", "203.0.113.7"}, false},
		{"127.0.0.1:5000", "", "", [2]string{"X-Forwarded-For", "127.0.0.1"}, false},
		{"127.0.0.1:5000", "", "", [2]string{"Forwarded", "for=127.0.0.1"}, false},
		{"127.0.0.1:5000", "", "", [2]string{"X-Real-Ip", "127.0.0.1"}, false},
		{"127.0.0.1:5000", "s3cret", "Bearer s3cret", [2]string{"X-Forwarded-For", "203.0.113.7"}, true},
		// A forged header from afar opens nothing.
		{"203.0.113.7:5000", "", "", [2]string{"X-Forwarded-For", "127.0.0.1"}, false},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.remote
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if tc.forwarded[0] != "" {
			r.Header.Set(tc.forwarded[0], tc.forwarded[1])
		}
		if got := metricsAllowed(r, tc.token); got != tc.want {
			t.Errorf("%s token %q header %q %v: allowed %v, want %v", tc.remote, tc.token, tc.header, tc.forwarded, got, tc.want)
		}
	}
}

// TestReadyzDown answers 503 when the database is gone, while /healthz
// still answers 200.
func TestReadyzDown(t *testing.T) {
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := opsHandler(s, metrics.New(), "", slog.New(slog.NewTextHandler(io.Discard, nil)), http.NotFoundHandler())
	serve := func(path string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code
	}
	if code := serve("/readyz"); code != 200 {
		t.Errorf("/readyz with the database open: %d", code)
	}
	s.Close()
	if code := serve("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed: %d, want 503", code)
	}
	if code := serve("/healthz"); code != 200 {
		t.Errorf("/healthz with the database closed: %d, want 200", code)
	}
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr = "203.0.113.7:5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("/metrics from afar without a token: %d, want 401", w.Code)
	}
}

func TestBackupCommand(t *testing.T) {
	h := newHarness(t)
	h.ok("migrate")
	out := filepath.Join(t.TempDir(), "copie.db")
	if got := h.ok("backup", "--out", out); !strings.Contains(got, "Sauvegarde écrite") {
		t.Errorf("backup: %q", got)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	h.fail(1, []string{"backup", "--out", out}, "existe déjà")
	h.fail(2, []string{"backup"}, "--out")
	// The copy is a database the other commands open.
	h.db = out
	h.ok("check")
	if help := h.ok("backup", "--help"); !strings.Contains(help, "pg_dump --format=custom") {
		t.Errorf("backup --help does not give the PostgreSQL command:\n%s", help)
	}
}
