package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestSchedulePeriodOnce: servers racing for the periods of a scheduled
// job each get a period once between them.
func TestSchedulePeriodOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		servers := []*sqlstore.Store{env.Store, st.Reopen(t, env).Store}
		const periods, racers = 10, 4 // racers per server
		var mu sync.Mutex
		got := map[string][]string{}
		var wg sync.WaitGroup
		for i, s := range servers {
			for r := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprintf("server-%d/%d", i, r)
					for p := range periods {
						period := fmt.Sprintf("2027-03-%02d", p+1)
						ok, err := s.ClaimPeriod(context.Background(), "reminders", period, name, 10*time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if ok {
							mu.Lock()
							got[period] = append(got[period], name)
							mu.Unlock()
						}
					}
				}()
			}
		}
		wg.Wait()
		for p := range periods {
			period := fmt.Sprintf("2027-03-%02d", p+1)
			if len(got[period]) != 1 {
				t.Errorf("period %s claimed by %v, want one server", period, got[period])
			}
		}
	})
}

// TestSchedulePeriodLease: a period finished is not run again; a claimer
// that stopped loses its period when its lease runs out, and one that
// failed gives it up at once.
func TestSchedulePeriodLease(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		a, b := env.Store, st.Reopen(t, env).Store
		ctx := context.Background()
		const lease = 10 * time.Minute
		claim := func(s *sqlstore.Store, server, period string) bool {
			t.Helper()
			ok, err := s.ClaimPeriod(ctx, "retention", period, server, lease)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for _, tc := range []struct {
			name     string
			period   string
			steps    func() // what happens to server a's claim
			bGets    bool
			aRenewed bool
		}{
			{"a runs", "2027-03-15", func() {}, false, true},
			{"a finished", "2027-03-16", func() {
				if err := a.EndPeriod(ctx, "retention", "2027-03-16", "a", true); err != nil {
					t.Fatal(err)
				}
				env.Clock.Advance(lease + time.Minute)
			}, false, false},
			{"a stopped, lease over", "2027-03-17", func() { env.Clock.Advance(lease + time.Minute) }, true, false},
			{"a renews its lease", "2027-03-18", func() {
				env.Clock.Advance(lease / 2)
				if ok, err := a.RenewPeriod(ctx, "retention", "2027-03-18", "a", lease); err != nil || !ok {
					t.Fatalf("renew: %v, %v", ok, err)
				}
				env.Clock.Advance(lease/2 + time.Minute)
			}, false, true},
			{"a failed", "2027-03-19", func() {
				if err := a.EndPeriod(ctx, "retention", "2027-03-19", "a", false); err != nil {
					t.Fatal(err)
				}
			}, true, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if !claim(a, "a", tc.period) {
					t.Fatal("the first claim of a period was refused")
				}
				tc.steps()
				if got := claim(b, "b", tc.period); got != tc.bGets {
					t.Errorf("b claims the period: %v, want %v", got, tc.bGets)
				}
				if ok, err := a.RenewPeriod(ctx, "retention", tc.period, "a", lease); err != nil || ok != tc.aRenewed {
					t.Errorf("a renews: %v, %v; want %v", ok, err, tc.aRenewed)
				}
			})
		}
		// Claims of periods long past are forgotten.
		env.Clock.Advance(31 * 24 * time.Hour)
		if n, err := b.PurgePeriods(ctx, env.Clock.Now().Add(-30*24*time.Hour)); err != nil || n != 5 {
			t.Errorf("purged %d claims, %v; want 5", n, err)
		}
	})
}
