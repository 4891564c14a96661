package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
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
