package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLogLevels: an access line is an error only for a failure of ours;
// a client gone (499) is not.
func TestLogLevels(t *testing.T) {
	for _, tc := range []struct {
		status int
		level  string
	}{
		{200, "INFO"}, {422, "INFO"}, {StatusClientClosed, "INFO"}, {500, "ERROR"}, {502, "ERROR"},
	} {
		var buf bytes.Buffer
		h := LogRequests(slog.New(slog.NewTextHandler(&buf, nil)), "req", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if line := buf.String(); !strings.Contains(line, "level="+tc.level) || !strings.Contains(line, fmt.Sprintf("status=%d", tc.status)) {
			t.Errorf("status %d logged as %q, want level %s", tc.status, line, tc.level)
		}
	}
}

func TestClientGone(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), 0)
	defer cancel2()
	wrapped := fmt.Errorf("redeem: %w", context.Canceled)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"client gone, cancellation", cancelled, context.Canceled, true},
		{"client gone, wrapped by the store", cancelled, wrapped, true},
		{"client gone, other failure", cancelled, errors.New("disk on fire"), false},
		{"client there, cancellation of something else", context.Background(), context.Canceled, false},
		{"deadline of ours", expired, context.DeadlineExceeded, false},
	} {
		r := httptest.NewRequestWithContext(tc.ctx, "GET", "/", nil)
		if got := ClientGone(r, tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
