package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/passnum/passnum"
)

// Reads that may lag (serve --db-read).
//
// With a read replica, a PostgreSQL hot standby of the database, the reads
// below run there, through Store.lagging, and no other read does:
//
//   - Indicators, IndicatorScopes, LatestIndicators, OpenData: the
//     dashboards, their CSV, XLSX and territorial PDF, and the open data
//     read a snapshot that RefreshIndicators recomputes every 15 minutes;
//     a replica a few seconds behind shows the same snapshot, or the one
//     before, which the pages date anyway.
//   - SearchDirectory (its snapshot's version and rebuild) and
//     DirectoryEntry: the public directory shows what venues published
//     for the public; a change seen a few seconds later there is seen in
//     time, and nothing is decided from it (booking a seat and redeeming
//     read the primary). The next sessions of a venue's page, with their
//     places left, are read on the primary (ListSessions).
//
// Everything else stays on the primary: what decides (checks and
// redemptions, hand-outs, bookings, settlement, qualification, sign-in,
// sessions and tokens, permissions), every read followed by a write, what
// a person reads right after changing it (statements validated, activity
// reports filed, a programme's figures after a block, a venue's own file),
// the audit trail and the journal of reads of personal data.
//
// A replica that does not answer, or is more than MaxLag behind, is not
// used: those reads go to the primary, which the Freshness they return
// says, and the switch is logged once each way, not per request.

// ReadReplica configures the read replica of a PostgreSQL store.
type ReadReplica struct {
	// URL is the standby's postgres:// URL (the same database and
	// search_path as the primary's).
	URL string
	// MaxLag is how far behind the primary the replica may be before
	// the reads go to the primary; DefaultMaxLag when zero.
	MaxLag time.Duration
	// Retry is how long reads stay on the primary after the replica
	// failed or lagged, before one read tries it again;
	// DefaultReplicaRetry when zero.
	Retry time.Duration
}

// Defaults of ReadReplica.
const (
	DefaultMaxLag       = 5 * time.Minute
	DefaultReplicaRetry = 10 * time.Second
)

// WithReadReplica sends the reads that may lag to a PostgreSQL standby.
// Open refuses it on SQLite.
func WithReadReplica(r ReadReplica) Option {
	return func(s *Store) { s.replicaConfig = &r }
}

// replica is the pool of the standby and what the store knows of it.
type replica struct {
	db     *sql.DB
	maxLag time.Duration
	retry  time.Duration
	log    *slog.Logger

	mu sync.Mutex
	// away says why reads go to the primary ("" while the replica
	// serves them), since when, and until when the replica is not tried.
	away               string
	awaySince, retryAt time.Time
}

// openReplica opens the pool of the standby. It does not connect: a
// standby down when serve starts is a fallback, not a failure.
func (s *Store) openReplica(cfg ReadReplica) error {
	if s.dialect != dialectPostgres || !isPostgresURL(cfg.URL) {
		return passnum.Errorf(passnum.EINVALID, "read-replica-needs-postgres",
			"Une réplique en lecture (--db-read) demande PostgreSQL, pour la base principale comme pour la réplique.")
	}
	db, err := sql.Open("pgx", cfg.URL)
	if err != nil {
		return fmt.Errorf("open read replica: %w", err)
	}
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	r := &replica{db: db, maxLag: cfg.MaxLag, retry: cfg.Retry, log: s.log}
	if r.maxLag <= 0 {
		r.maxLag = DefaultMaxLag
	}
	if r.retry <= 0 {
		r.retry = DefaultReplicaRetry
	}
	s.replica = r
	return nil
}

func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// HasReadReplica tells whether reads that may lag go to a replica.
func (s *Store) HasReadReplica() bool { return s.replica != nil }

// errLagging is the replica being too far behind, or unable to say how far.
type errLagging struct {
	lag   time.Duration
	known bool
}

func (e errLagging) Error() string {
	if !e.known {
		return "read replica: lag unknown (nothing replayed yet, or no WAL receiver)"
	}
	return fmt.Sprintf("read replica: %s behind", e.lag.Round(time.Millisecond))
}

// lagging runs fn, a read that may lag (the list above), on the replica
// when there is one that answers and is at most MaxLag behind, else on
// the primary. The Freshness says where and how recent; nil without a
// replica.
func (s *Store) lagging(ctx context.Context, fn func(*tx) error) (*passnum.Freshness, error) {
	r := s.replica
	if r == nil {
		return nil, s.read(ctx, fn)
	}
	if r.worthTrying(time.Now()) {
		var fr *passnum.Freshness
		err := s.run(ctx, r.db, s.dialect.txOptions(true), func(t *tx) error {
			st, err := t.standbyStatus()
			if err != nil {
				return fmt.Errorf("read replica status: %w", err)
			}
			lag, known := st.lag()
			if !known || lag > r.maxLag {
				return errLagging{lag: lag, known: known}
			}
			fr = &passnum.Freshness{Source: passnum.SourceReplica, AsOf: t.now.Add(-lag), LagSeconds: lag.Seconds()}
			return fn(t)
		})
		switch {
		case err == nil:
			r.serving(time.Now())
			return fr, nil
		case ctx.Err() != nil:
			return nil, err
		case passnum.ErrorCode(err) != passnum.EINTERNAL:
			// An answer (not found, forbidden…), not a failure of the
			// replica: the primary would say the same.
			r.serving(time.Now())
			return fr, err
		}
		var late errLagging
		reason := passnum.FallbackUnreachable
		if errors.As(err, &late) {
			reason = passnum.FallbackLagging
		}
		r.fallBack(time.Now(), reason, err)
	}
	fr := &passnum.Freshness{Source: passnum.SourcePrimary, Fallback: r.reason()}
	err := s.read(ctx, func(t *tx) error {
		fr.AsOf = t.now
		return fn(t)
	})
	return fr, err
}

// worthTrying tells whether a read should try the replica: it serves, or
// its time to be tried again has come.
func (r *replica) worthTrying(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.away == "" || !now.Before(r.retryAt)
}

// reason is why reads go to the primary now.
func (r *replica) reason() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.away == "" {
		return passnum.FallbackUnreachable
	}
	return r.away
}

// fallBack records that the replica failed or lagged: reads go to the
// primary until the retry. A change of state is logged, a repetition not.
func (r *replica) fallBack(now time.Time, reason string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retryAt = now.Add(r.retry)
	if r.away == reason {
		return
	}
	if r.away == "" {
		r.awaySince = now
	}
	r.away = reason
	r.log.Warn("read replica not used: reads that may lag go to the primary", "reason", reason, "retry_every", r.retry, "err", err)
}

// serving records that the replica answered.
func (r *replica) serving(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.away == "" {
		return
	}
	r.log.Warn("read replica serves again", "after", now.Sub(r.awaySince).Round(time.Second), "was", r.away)
	r.away = ""
}

// standbyStatus is what a standby says of its replay.
type standbyStatus struct {
	inRecovery bool // false: the server is a primary (say, promoted)
	caughtUp   bool // every WAL record received is replayed
	streaming  bool // the WAL receiver streams from the primary
	// sinceReplay is how long ago the last transaction replayed was
	// committed on the primary (NULL before the first).
	sinceReplay sql.NullFloat64
}

// lag is how far behind the primary the standby is, known false when it
// cannot tell. pg_last_xact_replay_timestamp alone would make a standby
// of a primary that has been idle for an hour look an hour behind: a
// standby that replayed all it received and streams is up to date.
// Otherwise the time since the last replayed commit bounds the lag from
// above (the next transaction to replay committed after it).
func (st standbyStatus) lag() (time.Duration, bool) {
	switch {
	case !st.inRecovery:
		return 0, true
	case st.caughtUp && st.streaming:
		return 0, true
	case !st.sinceReplay.Valid:
		return 0, false
	}
	return time.Duration(max(0, st.sinceReplay.Float64) * float64(time.Second)), true
}

// standbyStatus reads the standby's replay. Without the role
// pg_read_all_stats the WAL receiver's status is hidden: a running
// receiver then counts as streaming.
func (t *tx) standbyStatus() (standbyStatus, error) {
	var st standbyStatus
	err := t.row(`SELECT pg_is_in_recovery(),
		COALESCE(pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn(), false),
		COALESCE((SELECT COALESCE(status = 'streaming', pid IS NOT NULL) FROM pg_stat_wal_receiver), false),
		EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8`).
		Scan(&st.inRecovery, &st.caughtUp, &st.streaming, &st.sinceReplay)
	return st, err
}
