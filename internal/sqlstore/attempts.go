package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/passnum/passnum"
)

// Failed sign-in attempts (passnum.AttemptService), counted in
// failed_attempts so that every server of an installation sees the
// failures of the others. The counting is the sliding window of
// internal/ratelimit: a key is blocked while it has had limit failures
// within the window, until the oldest of its last limit failures leaves
// the window; a key keeps at most limit rows, so a guesser who goes on
// while blocked adds nothing. Success writes nothing: a sign-in that
// works costs one read. A key is stored as its SHA-256: the table holds
// no address nor network, only counts that expire.

// attemptKey is what failed_attempts keeps of a key.
func attemptKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// blockedUntil reads until when a is blocked at the transaction's time.
func (t *tx) blockedUntil(a passnum.Attempt) (until time.Time, recent int, err error) {
	if a.Limit < 1 || a.Window <= 0 {
		return time.Time{}, 0, fmt.Errorf("attempt limit %q: limit %d, window %s", a.Name, a.Limit, a.Window)
	}
	times, err := selectAll(t, func(sc scanner) (string, error) {
		var s string
		return s, sc.Scan(&s)
	}, `SELECT failed_at FROM failed_attempts WHERE limit_name = ? AND attempt_key = ? AND failed_at > ? ORDER BY failed_at DESC LIMIT ?`,
		a.Name, attemptKey(a.Key), passnum.FormatTime(t.now.Add(-a.Window)), a.Limit)
	if err != nil || len(times) < a.Limit {
		return time.Time{}, len(times), err
	}
	oldest, err := passnum.ParseTime(times[len(times)-1])
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("failed attempt %s: %w", a.Name, err)
	}
	if until := oldest.Add(a.Window); t.now.Before(until) {
		return until, len(times), nil
	}
	return time.Time{}, len(times), nil
}

// AttemptsBlocked tells until when each attempt's key is blocked.
func (s *Store) AttemptsBlocked(ctx context.Context, attempts ...passnum.Attempt) ([]time.Time, error) {
	out := make([]time.Time, len(attempts))
	err := s.read(ctx, func(tx *tx) error {
		for i, a := range attempts {
			var err error
			if out[i], _, err = tx.blockedUntil(a); err != nil {
				return err
			}
		}
		return nil
	})
	return out, wrapf(err, "failed attempts")
}

// CountFailedAttempt records a failure under each attempt, and purges the
// failures of its keys whose window is over. It touches the rows of its
// own keys only, so that failures of other keys, counted at the same time
// on other servers, never conflict with it; PurgeFailedAttempts removes
// the rest.
func (s *Store) CountFailedAttempt(ctx context.Context, attempts ...passnum.Attempt) ([]time.Time, error) {
	out := make([]time.Time, len(attempts))
	err := s.write(ctx, "failed attempt", func(tx *tx) error {
		for i, a := range attempts {
			if err := tx.exec(`DELETE FROM failed_attempts WHERE limit_name = ? AND attempt_key = ? AND expires_at <= ?`,
				a.Name, attemptKey(a.Key), tx.nowText()); err != nil {
				return err
			}
			_, recent, err := tx.blockedUntil(a)
			if err != nil {
				return err
			}
			if recent < a.Limit {
				if err := tx.exec(`INSERT INTO failed_attempts (limit_name, attempt_key, failed_at, expires_at) VALUES (?, ?, ?, ?)`,
					a.Name, attemptKey(a.Key), tx.nowText(), passnum.FormatTime(tx.now.Add(a.Window))); err != nil {
					return err
				}
			}
			if out[i], _, err = tx.blockedUntil(a); err != nil {
				return err
			}
		}
		return nil
	})
	return out, wrapf(err, "count a failed attempt")
}

// PurgeFailedAttempts removes every failure whose window is over (serve
// runs it every hour), and returns how many.
func (s *Store) PurgeFailedAttempts(ctx context.Context) (int64, error) {
	var n int64
	err := s.write(ctx, "purge failed attempts", func(tx *tx) error {
		var err error
		n, err = tx.execN(`DELETE FROM failed_attempts WHERE expires_at <= ?`, tx.nowText())
		return err
	})
	return n, wrapf(err, "purge failed attempts")
}
