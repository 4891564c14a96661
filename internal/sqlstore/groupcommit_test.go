package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupCommitIsolatesFailures sends many concurrent write transactions
// through the SQLite committer; every other one writes a row and then
// fails. The failed ones must leave nothing behind, the others must all be
// there, and several must have shared a commit.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.jobs == nil {
		t.Fatal("SQLite store without a committer")
	}
	groupsBefore := s.groups.Load()
	const n = 400
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = s.write(context.Background(), "test", func(tx *tx) error {
				if err := tx.exec(`INSERT INTO audit_log (created_at, actor, action, object, detail) VALUES (?, 'test', 'test', ?, '')`, tx.nowText(), fmt.Sprint(i)); err != nil {
					return err
				}
				if i%2 == 1 {
					return errBoom
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	for i, err := range results {
		if (i%2 == 1) != errors.Is(err, errBoom) {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var rows, odd int
	err = s.read(context.Background(), func(tx *tx) error {
		if err := tx.get(&rows, `SELECT COUNT(*) FROM audit_log WHERE action = 'test'`); err != nil {
			return err
		}
		return tx.get(&odd, `SELECT COUNT(*) FROM audit_log WHERE action = 'test' AND CAST(object AS INTEGER) % 2 = 1`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != n/2 || odd != 0 {
		t.Fatalf("%d rows (%d from failed transactions), want %d and 0", rows, odd, n/2)
	}
	if groups := s.groups.Load() - groupsBefore; groups >= n/2 {
		t.Errorf("%d commits for %d transactions: no grouping happened", groups, n/2)
	}
}

// TestGroupCommitSurvivesPanic: a transaction that panics is answered with
// an error and the committer keeps serving the others.
func TestGroupCommitSurvivesPanic(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.write(context.Background(), "panic", func(tx *tx) error { panic("bug") })
	if err == nil {
		t.Fatal("a panicking transaction succeeded")
	}
	if err := s.write(context.Background(), "after", func(tx *tx) error { return tx.audit("test", "x", "") }); err != nil {
		t.Fatalf("committer dead after a panic: %v", err)
	}
}

// TestGroupCommitCancelledJobLeavesOthersAlone: a caller cancels its
// context while its transaction runs in the committer, in the middle of a
// long statement. SQLite would interrupt the statement, which rolls back
// the whole shared transaction: the transactions grouped with it, before
// and after, would fail too ("no such savepoint"). Once started, a job
// runs to completion whatever its caller does; the others commit.
func TestGroupCommitCancelledJobLeavesOthersAlone(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const rows = 50000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	long := func(tx *tx) error {
		// Cancel while the statement runs: it takes millions of steps.
		time.AfterFunc(time.Millisecond, cancel)
		return tx.exec(`INSERT INTO audit_log (created_at, actor, action, object, detail)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT ?, 'test', 'long', CAST(i AS TEXT), '' FROM n`, rows, tx.nowText())
	}
	results := groupOf(t, s, []job{{nil, audit("before")}, {ctx, long}, {nil, audit("after")}})
	if results[0] != nil || results[2] != nil {
		t.Fatalf("transactions grouped with a cancelled one: %v, %v; want both committed", results[0], results[2])
	}
	if results[1] != nil && !errors.Is(results[1], context.Canceled) {
		t.Errorf("cancelled transaction: %v, want nil (it ran) or context.Canceled", results[1])
	}
	if got, want := auditObjects(t, s, "test"), "before after"; got != want {
		t.Errorf("rows of the transactions that waited: %q, want %q", got, want)
	}
	var n int
	if err := s.read(context.Background(), func(tx *tx) error {
		return tx.get(&n, `SELECT COUNT(*) FROM audit_log WHERE action = 'long'`)
	}); err != nil {
		t.Fatal(err)
	}
	if (results[1] == nil && n != rows) || (results[1] != nil && n != 0) {
		t.Errorf("cancelled transaction answered %v, left %d rows of its %d", results[1], n, rows)
	}
}

// TestGroupCommitPoisonedTransaction: some failures make SQLite roll back
// the whole transaction (an I/O error, running out of memory, an
// interrupt), not only the failed statement. The transaction at fault gets
// its error; those grouped with it, before and after, are run again and
// committed.
func TestGroupCommitPoisonedTransaction(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	errPoison := errors.New("the engine rolled back the transaction")
	poisoned := func(tx *tx) error {
		if err := audit("poisoned")(tx); err != nil {
			return err
		}
		// What SQLite does by itself after such a failure.
		if err := tx.exec(`ROLLBACK`); err != nil {
			return err
		}
		return errPoison
	}
	results := groupOf(t, s, []job{{nil, audit("first")}, {nil, poisoned}, {nil, audit("second")}, {nil, audit("third")}})
	for i, err := range results {
		if want := i == 1; errors.Is(err, errPoison) != want || (!want && err != nil) {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if got, want := auditObjects(t, s, "test"), "first second third"; got != want {
		t.Errorf("rows written: %q, want %q", got, want)
	}
}

// job is a write transaction for groupOf; a nil ctx is context.Background().
type job struct {
	ctx context.Context
	fn  func(*tx) error
}

// groupOf runs jobs through the committer as one group, in order, and
// returns their outcomes.
func groupOf(t *testing.T, s *Store, jobs []job) []error {
	t.Helper()
	// Hold the committer while the jobs queue up.
	hold, held := make(chan struct{}), make(chan struct{})
	go s.write(context.Background(), "hold", func(*tx) error { close(held); <-hold; return nil })
	<-held
	results := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		if j.ctx == nil {
			j.ctx = context.Background()
		}
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = s.write(j.ctx, "test", j.fn) }()
		for len(s.jobs) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	close(hold)
	wg.Wait()
	return results
}

// audit is a write transaction that appends one line to the audit log.
func audit(object string) func(*tx) error {
	return func(tx *tx) error {
		return tx.exec(`INSERT INTO audit_log (created_at, actor, action, object, detail) VALUES (?, 'test', ?, ?, '')`, tx.nowText(), "test", object)
	}
}

// auditObjects lists the objects of the audit lines of action, in order.
func auditObjects(t *testing.T, s *Store, action string) string {
	t.Helper()
	var objects string
	err := s.read(context.Background(), func(tx *tx) error {
		return tx.get(&objects, `SELECT COALESCE(GROUP_CONCAT(object, ' '), '') FROM (SELECT object FROM audit_log WHERE action = ? ORDER BY id) AS lines`, action)
	})
	if err != nil {
		t.Fatal(err)
	}
	return objects
}
