package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// When the PostgreSQL primary goes away (stopped, crashed, or replaced by
// its promoted standby), the store neither fails for good nor answers
// with internal errors: a transaction that reached no database, or whose
// connection broke before its commit was sent, recorded nothing and runs
// again on a new connection, which the pool makes from the connection
// URL (with target_session_attrs=read-write, to whichever host accepts
// writes). If no database can be reached within reconnectBudget, the
// operation ends with passnum.DatabaseUnavailable (503). A connection that
// broke while the commit was under way leaves the outcome unknown: that
// transaction is never run again blindly, it ends with
// passnum.OutcomeUnknown (503), and the client's idempotency key makes its
// own retry safe (Redeem answers with what was recorded).

// reconnectBudget bounds how long one operation keeps trying to reach a
// database before it answers 503: long enough to ride over a broken
// connection of the pool, short enough for a person at a counter.
const reconnectBudget = 1500 * time.Millisecond

// lostError marks the error of a transaction that recorded nothing because
// the database could not be reached, or the connection broke or turned out
// to be on a read-only server before the commit was sent: running it again
// on another connection is safe.
type lostError struct{ err error }

func (e *lostError) Error() string { return "database connection lost: " + e.err.Error() }
func (e *lostError) Unwrap() error { return e.err }

// unknownError marks a commit whose connection broke: it may have
// happened. It does not unwrap, so that nothing takes it for a conflict or
// a broken connection to run again (dialect.retryable).
type unknownError struct{ err error }

func (e *unknownError) Error() string {
	return "commit: outcome unknown, the connection broke: " + e.err.Error()
}

// lost marks err, the error of a transaction on conn (nil when none could
// be had) before its commit, as a lostError when it comes from the
// database being out of reach; other errors come back as they are. A
// connection on a read-only server is thrown away. When ctx has ended, the
// failure is ctx's and stays as it is.
func (s *Store) lost(ctx context.Context, conn *sql.Conn, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	if s.dialect.readOnly(err) {
		discard(conn)
		return &lostError{err}
	}
	if s.dialect.unreachable(err) || s.dialect.broken(conn) {
		return &lostError{err}
	}
	return err
}

// commitFailed is the error of a failed commit on conn. A commit whose
// connection broke (the driver's ErrBadConn, or any loss of the database)
// may or may not have happened: it becomes an unknownError, never run
// again.
func (s *Store) commitFailed(ctx context.Context, conn *sql.Conn, err error) error {
	if errors.Is(err, driver.ErrBadConn) || s.lost(ctx, conn, err) != err {
		return &unknownError{err}
	}
	return err
}

// reachable runs a transaction with run, again on a new connection while
// the database cannot be reached and reconnectBudget is not spent. It
// turns what is left of such failures into the errors people get.
func (s *Store) reachable(ctx context.Context, name string, run func() error) error {
	start := time.Now()
	wait := 25 * time.Millisecond
	for {
		err := run()
		var lost *lostError
		var unknown *unknownError
		switch {
		case err == nil:
			s.outage.end(s)
			return nil
		case errors.As(err, &unknown):
			s.outage.begin(s, err)
			s.log.Warn("database connection lost at commit: outcome unknown", "tx", name, "err", err)
			return passnum.OutcomeUnknown()
		case !errors.As(err, &lost):
			return err
		}
		s.outage.begin(s, err)
		wait = min(2*wait, 400*time.Millisecond)
		if time.Since(start)+wait > reconnectBudget {
			s.log.Debug("database unreachable: gave up", "tx", name, "err", err)
			return passnum.DatabaseUnavailable()
		}
		select {
		case <-time.After(wait/2 + time.Duration(mrand.Int64N(int64(wait)))):
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}
}

// outage follows the episodes during which the database cannot be
// reached, so that the log says once when one begins and once when it
// ends, not at every request answered 503.
type outage struct {
	since atomic.Pointer[time.Time]
}

func (o *outage) begin(s *Store, err error) {
	now := time.Now()
	if o.since.CompareAndSwap(nil, &now) {
		s.log.Warn("database unreachable: requests are answered 503 until it is back", "err", err)
	}
}

func (o *outage) end(s *Store) {
	if o.since.Load() == nil {
		return
	}
	if since := o.since.Swap(nil); since != nil {
		s.log.Warn("database reachable again", "after", time.Since(*since).Round(time.Millisecond))
	}
}
