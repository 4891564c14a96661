package httpapi_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/storetest"
)

// TestClientGoneIs499: a till that hung up before its redemption reached
// the store is recorded as 499 (client closed request), logged as an
// ordinary request, and nothing is redeemed; not a 500 with an error line.
func TestClientGoneIs499(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		token := a.token(f.Venue.ID, passnum.RoleAgent)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the connection closed
		body := `{"codes":["` + f.Codes[f.Serials(0)[0]] + `"],"service_id":` + strconv.FormatInt(f.Service.ID, 10) + `,"idempotency_key":"k1"}`
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/redemptions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		a.server.Handler().ServeHTTP(w, req)
		if w.Code != httpx.StatusClientClosed || w.Body.Len() != 0 {
			t.Errorf("redemption of a client gone: %d %q, want %d and no body", w.Code, w.Body.String(), httpx.StatusClientClosed)
		}
		logs := a.logs.String()
		if !strings.Contains(logs, `"status":499`) || strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("log of a client gone, want one line with status 499 and no error:\n%s", logs)
		}
		if _, n, err := env.Store.ListRedemptions(storetest.As(f.Operator), passnum.RedemptionFilter{}); err != nil || n != 0 {
			t.Errorf("%d redemptions (%v) after a client gone before the store", n, err)
		}
	})
}
