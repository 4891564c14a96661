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

	"github.com/passnum/passnum"
)

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		passnum.EINVALID: 400, passnum.EUNAUTHORIZED: 401, passnum.EFORBIDDEN: 403, passnum.ENOTFOUND: 404,
		passnum.ECONFLICT: 409, passnum.EREFUSED: 422, passnum.ERATELIMIT: 429, passnum.EUNAVAILABLE: 503,
		passnum.EINTERNAL: 500, "": 500,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

// TestLogLevels: an access line is an error only for a failure of ours
// that nobody else logged; a client gone (499) and a refusal for lack of
// resources (503, logged once by whoever found it) are not.
func TestLogLevels(t *testing.T) {
	for _, tc := range []struct {
		status int
		level  string
	}{
		{200, "INFO"}, {422, "INFO"}, {StatusClientClosed, "INFO"}, {503, "INFO"}, {500, "ERROR"}, {502, "ERROR"},
	} {
		var buf bytes.Buffer
		h := LogRequests(slog.New(slog.NewTextHandler(&buf, nil)), "req", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			SetRetryAfter(w, tc.status)
			w.WriteHeader(tc.status)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if line := buf.String(); !strings.Contains(line, "level="+tc.level) || !strings.Contains(line, fmt.Sprintf("status=%d", tc.status)) {
			t.Errorf("status %d logged as %q, want level %s", tc.status, line, tc.level)
		}
		if got, want := w.Header().Get("Retry-After"), map[bool]string{true: "120"}[tc.status == 503]; got != want {
			t.Errorf("status %d: Retry-After %q, want %q", tc.status, got, want)
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

func TestNotFound(t *testing.T) {
	missing := passnum.Errorf(passnum.ENOTFOUND, "not-found", "Introuvable : avoir n°7.")
	got := NotFound(missing, "Avoir n°%d introuvable.", 7)
	if passnum.ErrorCode(got) != passnum.ENOTFOUND || passnum.ErrorReason(got) != "not-found" || passnum.ErrorMessage(got) != "Avoir n°7 introuvable." {
		t.Errorf("NotFound(%v) = %v", missing, got)
	}
	// Any other error goes through as it is.
	for _, err := range []error{
		nil,
		passnum.Errorf(passnum.EFORBIDDEN, "forbidden", "Votre rôle ne permet pas cette action."),
		errors.New("disk I/O error"),
	} {
		if got := NotFound(err, "Avoir n°%d introuvable.", 7); got != err {
			t.Errorf("NotFound(%v) = %v", err, got)
		}
	}
}
