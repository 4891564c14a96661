package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/storetest"
)

// TestScheduledOnceAcrossServers: two servers on one database, each with
// several loops trying the same period of a scheduled job at once, run it
// once; a run that failed leaves the period to the next try.
func TestScheduledOnceAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		servers := []*scheduler{
			{claims: env.Store, server: "a", log: log},
			{claims: storetest.Reopen(t, env).Store, server: "b", log: log},
		}
		for _, tc := range []struct {
			name     string
			period   string
			failures int // runs that fail before one succeeds
			want     int32
		}{
			{"one run", "2027-03-15", 0, 1},
			{"a failed run is tried again", "2027-03-16", 1, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var runs atomic.Int32
				work := func(context.Context) ([]any, error) {
					if n := runs.Add(1); n <= int32(tc.failures) {
						return nil, errors.New("panne")
					}
					return nil, nil
				}
				// Tries until the period is finished: a failed run gives the
				// period up, and a later try (of any server) runs it again.
				for round := 0; round <= tc.failures; round++ {
					var wg sync.WaitGroup
					for _, sc := range servers {
						for range 4 {
							wg.Add(1)
							go func() {
								defer wg.Done()
								if _, _, err := sc.once(context.Background(), "reminders", tc.period, work); err != nil && err.Error() != "panne" {
									t.Error(err)
								}
							}()
						}
					}
					wg.Wait()
				}
				if n := runs.Load(); n != tc.want {
					t.Errorf("%d runs, want %d", n, tc.want)
				}
			})
		}
	})
}

// TestReapJobsInBackground: serve's check fails the jobs whose server fell
// silent, but not those this server runs.
func TestReapJobsInBackground(t *testing.T) {
	storetest.Each(t, func(t *testing.T, env *storetest.Env) {
		f := storetest.NewFixture(t, env, storetest.Options{})
		op := storetest.As(f.Operator)
		start := func(server string) int64 {
			j, err := env.Store.StartJob(op, passnum.JobStart{Kind: passnum.JobIndicators, Label: "Calcul des indicateurs", BackTo: "/operateur/indicateurs", Server: server})
			if err != nil {
				t.Fatal(err)
			}
			return j.ID
		}
		dead, mine := start("arrêté"), start("ce serveur")
		env.Clock.Advance(passnum.JobLease + time.Second)
		stop := reapJobsInBackground(context.Background(), f.Operator, env.Store, alive{mine}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		deadline := time.Now().Add(30 * time.Second)
		for {
			j, err := env.Store.FindJob(op, dead)
			if err != nil {
				t.Fatal(err)
			}
			if j.State == passnum.JobFailed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the silent server's job is still %s", j.State)
			}
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		if j, err := env.Store.FindJob(op, mine); err != nil || j.State != passnum.JobRunning {
			t.Errorf("this server's own job: %+v, %v", j, err)
		}
	})
}

// alive stands for the jobs a server runs.
type alive []int64

func (a alive) Alive() []int64 { return a }
