package sqlstore

import (
	"context"
	"time"

	"github.com/passnum/passnum"
)

// Scheduled jobs run once per period across all servers. Every server of
// an installation runs the same loops (cmd/passnum: the retention and the
// reminders each day, the indicators every --indicators-every); before a
// run, a server claims the job's period — a row of schedule_claims keyed
// by the job's name and the period — in a short serializable transaction.
// The key lets one server have it: two servers inserting it at once meet
// on the key, and the one that loses (a serialization failure on
// PostgreSQL, retried as every write is) finds it taken. The claim carries
// a lease that the claimer renews while the job runs (RenewPeriod): a
// claimer that stops before it finished its period lets its lease run
// out, and the next server to try takes the period back. No advisory lock:
// plain rows and portable SQL, on SQLite as on PostgreSQL.

// ClaimPeriod claims job's period for server for lease, and tells whether
// server got it: nobody had it, or its claimer's lease ran out before it
// finished. A period finished, or claimed by a claimer whose lease runs,
// is not given.
func (s *Store) ClaimPeriod(ctx context.Context, job, period, server string, lease time.Duration) (bool, error) {
	claimed := false
	err := s.write(ctx, "claim period", func(tx *tx) error {
		until := passnum.FormatTime(tx.now.Add(lease))
		n, err := tx.execN(`INSERT INTO schedule_claims (job, period, server, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (job, period) DO NOTHING`, job, period, server, tx.nowText(), until)
		if err != nil {
			return err
		}
		if n == 0 {
			// Taken: taken back only from a claimer that stopped.
			n, err = tx.execN(`UPDATE schedule_claims SET server = ?, claimed_at = ?, expires_at = ?
				WHERE job = ? AND period = ? AND finished_at IS NULL AND expires_at <= ?`, server, tx.nowText(), until, job, period, tx.nowText())
			if err != nil {
				return err
			}
		}
		claimed = n == 1
		return nil
	})
	return claimed, wrapf(err, "claim %s of %s", period, job)
}

// RenewPeriod extends server's claim of job's period by lease, and tells
// whether server still has it (it lost it if its lease ran out and another
// server took the period back).
func (s *Store) RenewPeriod(ctx context.Context, job, period, server string, lease time.Duration) (bool, error) {
	var n int64
	err := s.write(ctx, "renew period", func(tx *tx) error {
		var err error
		n, err = tx.execN(`UPDATE schedule_claims SET expires_at = ? WHERE job = ? AND period = ? AND server = ? AND finished_at IS NULL`,
			passnum.FormatTime(tx.now.Add(lease)), job, period, server)
		return err
	})
	return n == 1, wrapf(err, "renew %s of %s", period, job)
}

// EndPeriod ends server's claim of job's period: finished, no other server
// runs the period again; not finished (the run failed), its lease ends now
// and the next server to try runs it again.
func (s *Store) EndPeriod(ctx context.Context, job, period, server string, finished bool) error {
	err := s.write(ctx, "end period", func(tx *tx) error {
		if finished {
			return tx.exec(`UPDATE schedule_claims SET finished_at = ? WHERE job = ? AND period = ? AND server = ?`, tx.nowText(), job, period, server)
		}
		return tx.exec(`UPDATE schedule_claims SET expires_at = ? WHERE job = ? AND period = ? AND server = ? AND finished_at IS NULL`,
			tx.nowText(), job, period, server)
	})
	return wrapf(err, "end %s of %s", period, job)
}

// PurgePeriods forgets the claims made before before: they serve no more
// once their period is over.
func (s *Store) PurgePeriods(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "purge periods", func(tx *tx) error {
		var err error
		n, err = tx.execN(`DELETE FROM schedule_claims WHERE claimed_at < ?`, passnum.FormatTime(before))
		return err
	})
	return n, wrapf(err, "purge claimed periods")
}
