package sqlstore_test

import (
	"sync"
	"testing"

	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestWithMaxConns: a PostgreSQL store opens no more connections than it
// is allowed, however many requests come at once, and they all get their
// answer (they wait for a connection); SQLite keeps its own pools.
func TestWithMaxConns(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		other := st.Reopen(t, env, sqlstore.WithMaxConns(3))
		f := st.NewFixture(t, other, st.Options{})
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := other.Store.FindProgramme(st.As(f.Operator), f.Programme.ID); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("read under a pool of 3: %v", err)
		}
		max, open := sqlstore.OpenConns(other.Store)
		want := 3
		if env.Name == "sqlite" {
			want = 8 // the readers' pool: WithMaxConns is PostgreSQL's
		}
		if max != want || open > want {
			t.Errorf("%s: pool bounded to %d, %d open; want %d", env.Name, max, open, want)
		}
	})
}

// TestCloseTwice: closing a store again, as a test's cleanup may after
// the test closed it, does nothing.
func TestCloseTwice(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		other := st.Reopen(t, env)
		if err := other.Store.Close(); err != nil {
			t.Fatal(err)
		}
		other.Store.Close() // the cleanup of Reopen closes it a third time
	})
}
