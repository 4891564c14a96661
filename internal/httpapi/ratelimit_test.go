package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestBadCodeLimit: an organisation that presented 20 codes that do not
// exist within 10 minutes, through checks or refused redemptions, gets 429
// on both until the window passes; other organisations are not affected.
func TestBadCodeLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		venueAdmin := a.token(f.Venue.ID, passnum.RoleAdmin)
		venue2 := a.token(f.Venue2.ID, passnum.RoleAgent)
		good := f.CodesOf(f.Serials(0)[0])

		// Refusals that are not about the code's existence do not count.
		for i := 0; i < 25; i++ {
			a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": f.CodesOf(f.Serials(7)[0])}).ok(http.StatusOK, nil)
		}
		// 18 guesses at once, 1 malformed, then one more in a refused
		// redemption: 20.
		guesses := make([]string, 18)
		for i := range guesses {
			guesses[i] = unknownCode(t)
		}
		var checked struct{ Passes []passnum.PassCheck }
		a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": guesses}).ok(http.StatusOK, &checked)
		for _, c := range checked.Passes {
			if c.Reason != passnum.ReasonUnknown {
				t.Fatalf("guess %+v", c)
			}
		}
		a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": []string{"ZZZ"}}).ok(http.StatusOK, nil)
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": []string{unknownCode(t)}, "service_id": f.Service.ID, "idempotency_key": "guess"}).
			problem(http.StatusUnprocessableEntity, passnum.ReasonUnknown)

		res := a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": good})
		p := res.problem(http.StatusTooManyRequests, "too-many-bad-codes")
		if wait, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || wait < 590 || wait > 600 {
			t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
		}
		if !strings.Contains(p.Detail, "Réessayez à partir du") {
			t.Fatalf("detail does not say when to retry: %q", p.Detail)
		}
		// Every token of the organisation is stopped, for redemptions too.
		a.do(venueAdmin, "POST", "/api/v1/redemptions", map[string]any{"codes": good, "service_id": f.Service.ID, "idempotency_key": "after"}).
			problem(http.StatusTooManyRequests, "too-many-bad-codes")
		a.do(venue2, "POST", "/api/v1/checks", map[string]any{"codes": good}).ok(http.StatusOK, nil)
		// Other routes still work for the venue.
		a.do(venue, "GET", "/api/v1/redemptions", nil).ok(http.StatusOK, nil)

		a.now.Advance(9 * time.Minute)
		a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": good}).problem(http.StatusTooManyRequests, "too-many-bad-codes")
		a.now.Advance(time.Minute + time.Second)
		a.do(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": good, "service_id": f.Service.ID, "idempotency_key": "after"}).ok(http.StatusCreated, nil)
	})
}

// TestBadCodeLimitConcurrent: the limit holds under concurrent guessing.
func TestBadCodeLimitConcurrent(t *testing.T) {
	env := storetest.OpenSQLite(t)
	f := storetest.NewFixture(t, env, storetest.Options{})
	a := newAPI(t, env)
	venue := a.token(f.Venue.ID, passnum.RoleAgent)
	var wg sync.WaitGroup
	statuses := make(chan int, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.send(venue, "POST", "/api/v1/checks", map[string]any{"codes": []string{"ZZZ"}})
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- res.status
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	// Requests in flight when the limit is reached may still finish, so
	// at least 20 pass, and at most as many as ran concurrently.
	if counts[http.StatusOK] < 20 || counts[http.StatusOK]+counts[http.StatusTooManyRequests] != 40 {
		t.Fatalf("statuses %v", counts)
	}
	a.do(venue, "POST", "/api/v1/checks", map[string]any{"codes": []string{"ZZZ"}}).problem(http.StatusTooManyRequests, "too-many-bad-codes")
}
