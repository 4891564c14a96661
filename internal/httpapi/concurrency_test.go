package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestConcurrentRedemptions: a till that sends the same redemption many
// times at once gets one 201 and replays of it; tills racing for the same
// pass with different keys get one 201 and refusals.
func TestConcurrentRedemptions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		a := newAPI(t, env)
		venue := a.token(f.Venue.ID, passnum.RoleAgent)
		const n = 12
		race := func(codes []string, key func(i int) string) map[int][]string {
			var mu sync.Mutex
			var wg sync.WaitGroup
			got := map[int][]string{} // status → bodies
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := a.send(venue, "POST", "/api/v1/redemptions", map[string]any{"codes": codes, "service_id": f.Service.ID, "idempotency_key": key(i)})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					got[res.status] = append(got[res.status], string(res.body))
					mu.Unlock()
				}()
			}
			wg.Wait()
			return got
		}

		same := race(f.CodesOf(f.Serials(0)[0]), func(int) string { return "till-7-000001" })
		if len(same[http.StatusCreated]) != 1 || len(same[http.StatusOK]) != n-1 {
			t.Fatalf("same key %d times: %v", n, same)
		}
		contested := race(f.CodesOf(f.Serials(1)[0]), func(i int) string { return fmt.Sprint("till-", i) })
		if len(contested[http.StatusCreated]) != 1 || len(contested[http.StatusUnprocessableEntity]) != n-1 {
			t.Fatalf("one pass, %d keys: %v", n, contested)
		}
		storetest.MustCheck(t, env, f.Operator)
	})
}
