package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestFailedAttemptsShared: failures counted on one server block the key
// on another, until the oldest of the last limit failures leaves the
// window; other keys and other limits are not blocked; rows whose window
// is over are purged.
func TestFailedAttemptsShared(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		a, b := env.Store, st.Reopen(t, env).Store
		ctx := context.Background()
		account := passnum.Attempt{AttemptLimit: passnum.AttemptLimit{Name: "login.account", Limit: 3, Window: 15 * time.Minute}, Key: "lea@exemple.fr"}
		other := account
		other.Key = "paul@exemple.fr"
		network := passnum.Attempt{AttemptLimit: passnum.AttemptLimit{Name: "login.network", Limit: 100, Window: 15 * time.Minute}, Key: "198.51.100.0/24"}
		start := env.Clock.Now()
		for i, tc := range []struct {
			on      *sqlstore.Store
			advance time.Duration
			blocked bool // account, after this failure
		}{
			{a, 0, false},
			{b, time.Minute, false},
			{a, time.Minute, true}, // the third within the window, on either server
			{b, time.Minute, true}, // blocked failures add nothing
		} {
			env.Clock.Advance(tc.advance)
			until, err := tc.on.CountFailedAttempt(ctx, account, network)
			if err != nil {
				t.Fatal(err)
			}
			if got := !until[0].IsZero(); got != tc.blocked || !until[1].IsZero() {
				t.Errorf("failure %d: blocked until %v, want blocked %v (network not)", i+1, until, tc.blocked)
			}
		}
		// Blocked on both servers until the first failure leaves the
		// window: 15 minutes after it.
		for _, s := range []*sqlstore.Store{a, b} {
			until, err := s.AttemptsBlocked(ctx, account, other, network)
			if err != nil {
				t.Fatal(err)
			}
			if !until[0].Equal(start.Add(15*time.Minute)) || !until[1].IsZero() || !until[2].IsZero() {
				t.Errorf("blocked until %v; want %v for the account only", until, start.Add(15*time.Minute))
			}
		}
		env.Clock.Set(start.Add(15*time.Minute + time.Second))
		if until, _ := b.AttemptsBlocked(ctx, account); !until[0].IsZero() {
			t.Errorf("still blocked after the window: %v", until)
		}
		// Once every window is over, a failure purges its keys' rows,
		// and the purge the others.
		env.Clock.Advance(time.Hour)
		if _, err := b.CountFailedAttempt(ctx, account); err != nil {
			t.Fatal(err)
		}
		rows, err := sqlstore.QueryStrings(a, `SELECT limit_name FROM failed_attempts ORDER BY limit_name`)
		if err != nil || len(rows) != 5 {
			t.Errorf("rows left: %v, %v; want the last failure and the network's 4", rows, err)
		}
		if n, err := a.PurgeFailedAttempts(ctx); err != nil || n != 4 {
			t.Errorf("purged %d, %v; want the network's 4", n, err)
		}
		if rows, err := sqlstore.QueryStrings(a, `SELECT limit_name FROM failed_attempts`); err != nil || len(rows) != 1 {
			t.Errorf("rows left: %v, %v; want the last failure's", rows, err)
		}
	})
}
