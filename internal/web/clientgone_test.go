package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/storetest"
)

// TestClientGoneIs499: a page whose visitor left before it was read from
// the store is recorded as 499, with no error page and no error line.
func TestClientGoneIs499(t *testing.T) {
	s := newSite(t, storetest.OpenSQLite(t), Options{})
	p := s.as(passnum.KindVenue, passnum.RoleAgent)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the person closed the tab
	req := httptest.NewRequestWithContext(ctx, "GET", "/lieu", nil)
	req.AddCookie(&http.Cookie{Name: "passnum_session", Value: p.secret})
	w := httptest.NewRecorder()
	s.srv.Handler().ServeHTTP(w, req)
	if w.Code != httpx.StatusClientClosed || w.Body.Len() != 0 {
		t.Errorf("page for a visitor gone: %d %.200q, want %d and no body", w.Code, w.Body.String(), httpx.StatusClientClosed)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"status":499`) || strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("log of a visitor gone, want status 499 and no error:\n%s", logs)
	}
}
