package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/passnum/passnum"
)

// Group commit, for SQLite.
//
// SQLite has one writer, and a durable commit (WAL, synchronous=FULL) costs
// an fsync: about a millisecond on the machines we measured, which would cap
// the platform at a few hundred writes per second. So every write
// transaction goes through one committer goroutine: it takes the waiting
// transactions, runs each inside its own SAVEPOINT of one SQLite
// transaction — a failed one rolls back to its savepoint and leaves the
// others untouched — and commits them together with one fsync. Each caller
// is answered only after that commit, so nothing is acknowledged before it
// is durable (invariant 4). The outcome is the same as running the
// transactions one after another, in the order they were queued.
//
// One caller must never break another's transaction. A caller that goes
// away (a client hanging up) before its transaction starts is skipped; once
// started, the transaction runs to its end and its caller still gets the
// outcome. A failure that makes SQLite roll back the whole transaction
// rather than the statement is answered to its own caller only: the others
// run again in a new transaction.

// maxGroup bounds how many transactions share one commit.
const maxGroup = 128

type writeJob struct {
	ctx  context.Context
	fn   func(*tx) error
	done chan error
}

// startCommitter starts the committer goroutine on the writer pool.
func (s *Store) startCommitter() {
	s.jobs = make(chan *writeJob, maxGroup)
	s.committerDone = make(chan struct{})
	go s.commitLoop()
}

// stopCommitter lets queued transactions finish, then stops the committer.
func (s *Store) stopCommitter() {
	if s.jobs == nil {
		return
	}
	close(s.jobs)
	<-s.committerDone
	s.jobs = nil
}

func (s *Store) commitLoop() {
	defer close(s.committerDone)
	group := make([]*writeJob, 0, maxGroup)
	for first := range s.jobs {
		group = append(group[:0], first)
	gather:
		for len(group) < maxGroup {
			select {
			case j, ok := <-s.jobs:
				if !ok {
					break gather
				}
				group = append(group, j)
			default:
				break gather
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup runs a group of write transactions and commits them at once.
// When one transaction's failure ends the shared SQLite transaction, the
// others run again in a new one: each round answers at least one job, so
// this ends.
func (s *Store) commitGroup(group []*writeJob) {
	for len(group) > 0 {
		group = s.commitRound(group)
	}
}

// commitRound runs group in one transaction and answers its jobs, except
// when a job failed in a way that rolled back the whole transaction: that
// job alone is answered, with its own error, and commitRound returns the
// others to run again.
func (s *Store) commitRound(group []*writeJob) (again []*writeJob) {
	results := make([]error, len(group))
	answer := func(commitErr error) {
		for i, j := range group {
			if commitErr != nil && results[i] == nil {
				results[i] = commitErr
			}
			j.done <- results[i]
		}
	}
	ctx := context.Background()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		answer(err)
		return nil
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see the _txlock of the writer's DSN
	if err != nil {
		answer(err)
		return nil
	}
	ran := 0
	for i, j := range group {
		// A caller gone before its transaction starts is skipped: it
		// learns ctx's error and nothing of it is written.
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := s.execPrepared(ctx, sqlTx, "SAVEPOINT job"); err != nil {
			sqlTx.Rollback()
			answer(err)
			return nil
		}
		// Once started, the transaction runs to its end even if its caller
		// goes away (submit still waits for the outcome): a cancelled
		// context would make the SQLite driver interrupt the statement
		// running, and an interrupted write rolls back the whole shared
		// transaction, the other callers' work with it. The context keeps
		// its values (the actor).
		t := &tx{Tx: sqlTx, conn: conn, stmts: s.writeStmts, ctx: context.WithoutCancel(j.ctx), s: s, now: s.now().UTC(), actor: passnum.ActorFromContext(j.ctx)}
		results[i] = runJob(j.fn, t)
		if results[i] != nil {
			if _, err := s.execPrepared(ctx, sqlTx, "ROLLBACK TO job"); err != nil {
				// The savepoint is gone: the job's failure (a full disk,
				// an I/O error) made SQLite roll back the whole
				// transaction. The job gets its own error; the others,
				// whose work went with it, run again in a new one.
				sqlTx.Rollback()
				s.forgetSettings()
				s.log.Debug("group commit: a failed transaction ended its group, the others run again",
					"err", results[i], "rollback", err, "others", len(group)-1)
				j.done <- results[i]
				again = make([]*writeJob, 0, len(group)-1)
				return append(append(again, group[:i]...), group[i+1:]...)
			}
		} else {
			ran++
		}
		if _, err := s.execPrepared(ctx, sqlTx, "RELEASE job"); err != nil {
			sqlTx.Rollback()
			answer(err)
			return nil
		}
	}
	start := time.Now()
	if ran == 0 {
		answer(sqlTx.Rollback())
		return nil
	}
	err = sqlTx.Commit()
	if err != nil {
		s.forgetSettings()
	} else {
		s.checkpoints.committed()
	}
	s.groups.Add(1)
	s.log.Debug("group commit", "transactions", ran, "commit", time.Since(start))
	answer(err)
	return nil
}

// execPrepared runs q, a statement of the committer's own, prepared.
func (s *Store) execPrepared(ctx context.Context, sqlTx *sql.Tx, q string) (sql.Result, error) {
	if st := s.writeStmts.lookup(q); st != nil {
		return sqlTx.StmtContext(ctx, st).ExecContext(ctx)
	}
	return sqlTx.ExecContext(ctx, q)
}

// runJob runs fn, turning a panic into an error so that one bad
// transaction cannot stop the committer and the others waiting on it.
func runJob(fn func(*tx) error, t *tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in write transaction: %v", r)
		}
	}()
	return fn(t)
}

// submit queues fn for the committer and waits for its outcome.
func (s *Store) submit(ctx context.Context, fn func(*tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the answer even if ctx ends: the transaction
	// may already be committed, and the caller must know.
	return <-j.done
}
