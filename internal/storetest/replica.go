package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/passnum/passnum/internal/sqlstore"
)

// ReplicaEnv names the variable holding the URL of a hot standby of the
// cluster of PASSNUM_TEST_POSTGRES, streaming from it (.ci/postgres-replicas
// starts one on 127.0.0.1:5433).
const ReplicaEnv = "PASSNUM_TEST_POSTGRES_READ"

// Replication is a schema of the test cluster, written on the primary and
// read on its standby.
type Replication struct {
	// PrimaryURL and StandbyURL reach the schema (its search_path).
	PrimaryURL, StandbyURL string
	Primary, Standby       *sql.DB
}

// NewReplication creates a schema on the primary, dropped after the test,
// and connects to it on both servers. It skips the test without
// PASSNUM_TEST_POSTGRES, and without PASSNUM_TEST_POSTGRES_READ unless CI
// is set: CI starts the standby, so there its absence is a failure.
func NewReplication(t testing.TB) *Replication {
	t.Helper()
	standby := os.Getenv(ReplicaEnv)
	if os.Getenv(PostgresEnv) == "" || standby == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s or %s is not: .ci/postgres-replicas starts the standby", PostgresEnv, ReplicaEnv)
		}
		t.Skip(ReplicaEnv + " not set")
	}
	r := &Replication{PrimaryURL: PostgresSchema(t, "")}
	p, err := url.Parse(r.PrimaryURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(standby)
	if err != nil {
		t.Fatalf("parse %s: %v", ReplicaEnv, err)
	}
	q := u.Query()
	q.Set("search_path", p.Query().Get("search_path"))
	u.RawQuery = q.Encode()
	r.StandbyURL = u.String()
	for _, c := range []struct {
		db  **sql.DB
		dsn string
	}{{&r.Primary, r.PrimaryURL}, {&r.Standby, r.StandbyURL}} {
		db, err := sql.Open("pgx", c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		*c.db = db
	}
	var inRecovery bool
	if err := r.Standby.QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil {
		t.Fatalf("%s: %v", ReplicaEnv, err)
	}
	if !inRecovery {
		t.Fatalf("%s is not a standby (pg_is_in_recovery() is false)", ReplicaEnv)
	}
	return r
}

// Open opens a store on the primary whose reads that may lag go to the
// standby, with maxLag (0: the default); opts come after the test clock,
// a quiet logger and the replica, and may replace them.
func (r *Replication) Open(t testing.TB, maxLag time.Duration, opts ...sqlstore.Option) *Env {
	t.Helper()
	clock := NewClock(Start)
	all := append([]sqlstore.Option{sqlstore.WithClock(clock.Now), sqlstore.WithLogger(quietLogger),
		sqlstore.WithReadReplica(sqlstore.ReadReplica{URL: r.StandbyURL, MaxLag: maxLag})}, opts...)
	s, err := sqlstore.Open(context.Background(), r.PrimaryURL, all...)
	if err != nil {
		t.Fatalf("open postgres store with a replica: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &Env{Name: "postgres", Store: s, Clock: clock}
}

// replayWait bounds how long the standby may take to receive or replay
// what the primary wrote: a failure past it, never a sleep that passes.
// Replay takes milliseconds on a quiet cluster, but the shared test
// cluster under every package's tests at once was seen a minute behind.
const replayWait = 5 * time.Minute

// WaitReceived waits until the standby has received all the WAL the
// primary has written so far.
func (r *Replication) WaitReceived(t testing.TB) {
	t.Helper()
	r.wait(t, `pg_last_wal_receive_lsn()`)
}

// WaitReplayed waits until the standby has replayed all the WAL the
// primary has written so far: what was committed is then visible there.
func (r *Replication) WaitReplayed(t testing.TB) {
	t.Helper()
	r.wait(t, `pg_last_wal_replay_lsn()`)
}

func (r *Replication) wait(t testing.TB, position string) {
	t.Helper()
	var target string
	if err := r.Primary.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		t.Fatalf("primary's WAL position: %v", err)
	}
	deadline := time.Now().Add(replayWait)
	for {
		var done bool
		if err := r.Standby.QueryRow(`SELECT COALESCE(`+position+` >= $1::pg_lsn, false)`, target).Scan(&done); err != nil {
			t.Fatalf("standby's WAL position: %v", err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby's %s did not reach %s within %s", position, target, replayWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// PauseReplay stops the standby from applying WAL (it keeps receiving
// it) and returns what resumes it, which t.Cleanup calls too: a standby
// left paused would hold every other test's reads in the past.
// Only one package's tests may pause it (cmd/passnum's): two packages
// run at once, and one's resume would end the other's pause.
func (r *Replication) PauseReplay(t testing.TB) (resume func()) {
	t.Helper()
	resume = func() {
		if _, err := r.Standby.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
			t.Errorf("resume the standby's replay: %v", err)
		}
	}
	t.Cleanup(resume)
	if _, err := r.Standby.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatalf("pause the standby's replay: %v", err)
	}
	return resume
}
