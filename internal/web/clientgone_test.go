package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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

// TestCashierDiskFull: with the database's disk full (SQLite's size cap
// standing for it), the counter answers 503 with Retry-After and says in
// French that nothing was cashed; the same form sent again once space is
// back redeems the pass once.
func TestCashierDiskFull(t *testing.T) {
	s := newSite(t, storetest.OpenSQLite(t), Options{})
	p := s.as(passnum.KindVenue, passnum.RoleAgent)
	ctx := context.Background()
	pages, err := s.env.Store.PageCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.env.Store.SetSizeLimit(ctx, pages); err != nil {
		t.Fatal(err)
	}
	// Redeem and void one pass again and again, until the room left in the
	// last pages is gone: every table a redemption writes to is full.
	venue := storetest.VenueCtx(s.f.Venue)
	spare := s.f.Serials(1)[0]
	for i := 0; ; i++ {
		red, err := s.env.Store.Redeem(venue, passnum.RedeemRequest{Codes: s.f.CodesOf(spare), ServiceID: s.f.Service.ID, IdempotencyKey: fmt.Sprint("fill-", i)})
		if err == nil {
			_, err = s.env.Store.VoidRedemption(venue, red.ID)
		}
		if passnum.ErrorCode(err) == passnum.EUNAVAILABLE {
			break
		} else if err != nil || i == 10000 {
			t.Fatalf("filling the database, write %d: %v", i, err)
		}
	}
	code := s.f.Codes[s.f.Serials(0)[0]]
	form := url.Values{"action": {"redeem"}, "codes": {code}, "accepted": {code}, "service_id": {fmt.Sprint(s.f.Service.ID)}, "key": {"k-full"}}
	a := s.post(p, "/lieu/encaisser", form)
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "120" || !strings.Contains(a.text(), "Rien n'a été encaissé") {
		t.Fatalf("redemption with the disk full: %d, Retry-After %q:\n%s", a.status, a.header.Get("Retry-After"), a.text())
	}
	if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
		t.Errorf("an error line for a refusal the store logs once:\n%s", s.logs.String())
	}
	if _, err := s.env.Store.SetSizeLimit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if a := s.follow(p, s.post(p, "/lieu/encaisser", form)); a.status != http.StatusOK || !strings.Contains(a.text(), "1 pass encaissé") {
		t.Fatalf("the same form once space is back: %d\n%s", a.status, a.text())
	}
	reds, _, err := s.env.Store.ListRedemptions(storetest.As(s.f.Operator), passnum.RedemptionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reds {
		if slices.Contains(r.Serials, s.f.Serials(0)[0]) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d redemptions of the pass, want 1", n)
	}
	storetest.MustCheck(t, s.env, s.f.Operator)
}
