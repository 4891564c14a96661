// Package sqlstore implements passnum.Service on SQLite (embedded, one file,
// WAL) and on PostgreSQL with the same SQL, kept portable (no advisory locks,
// engine-specific SQL only in dialect.go), though only those two engines are
// tested. Writes run in serializable transactions retried on
// serialization failure; nothing relies on advisory locks.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/keyset"
	"github.com/passnum/passnum/internal/passcode"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store implements passnum.Service.
type Store struct {
	dialect dialect
	// db serves reads. On SQLite it is a pool of read-only connections that
	// WAL lets run beside the writer.
	db *sql.DB
	// wdb serves writes. On SQLite it is a single connection: SQLite has one
	// writer at a time, and queueing writers in Go rather than on the file
	// lock avoids busy errors and lock upgrades. On PostgreSQL it is db.
	wdb *sql.DB

	// maxConns bounds the PostgreSQL pool (WithMaxConns); 0 for the
	// default.
	maxConns int

	now  passnum.Clock
	log  *slog.Logger
	keys *passcode.Keyring
	// keySet is the keys given (WithKeys), nil to keep them in the
	// database; inUse is the keys in use, wherever they come from, and
	// sealer seals the TOTP seeds with them (keys.go).
	keySet *keyset.Set
	inUse  *keyset.Set
	sealer *keyset.Sealer

	// jobs feeds the SQLite committer (groupcommit.go); nil on PostgreSQL.
	jobs          chan *writeJob
	committerDone chan struct{}
	groups        atomic.Int64
	// readStmts and writeStmts are the prepared statements of db and wdb
	// (stmtcache.go); nil on PostgreSQL.
	readStmts, writeStmts *stmtCache
	// checkpoints copies the WAL into the database file (checkpoint.go);
	// nil on PostgreSQL.
	checkpoints *checkpointer

	// retries counts transactions retried after a serialization conflict.
	retries atomic.Int64
	// outage follows the episodes of an unreachable database (failover.go).
	outage outage

	// storage follows episodes of a full disk (storage.go).
	storage storage

	// programmes caches programme settings, which never change once a
	// programme exists; the counters are always read from the database.
	programmes sync.Map // int64 → *passnum.Programme

	// directory is the public directory held in memory (directory.go).
	directory directoryCache

	// privacy holds the installation's retention periods and contacts.
	privacy passnum.PrivacySettings
	// secondFactor says whose sign-in waits for a second factor
	// (WithSecondFactor); nobody's by default.
	secondFactor passnum.SecondFactorPolicy
	// retentionBatchSize is how many records a batch of the retention
	// job erases (retention.go); 0 means the default.
	retentionBatchSize int
	// replicaConfig is WithReadReplica's, replica the standby's pool
	// and state once open (replica.go); nil without a replica.
	replicaConfig *ReadReplica
	replica       *replica
	// publicURL is the address people type, on which the links of
	// messages are built (notify.go); nil until it is set.
	publicURL atomic.Pointer[string]
}

// Option configures a Store.
type Option func(*Store)

// WithMaxConns bounds the connections the store opens to PostgreSQL (64
// by default): several servers on one database must together stay below
// its max_connections. SQLite ignores it (one writer, eight readers).
func WithMaxConns(n int) Option { return func(s *Store) { s.maxConns = n } }

// WithClock sets the clock (tests move time forward with it).
func WithClock(c passnum.Clock) Option { return func(s *Store) { s.now = c } }

// WithPrivacy sets the installation's privacy settings (retention
// periods, controller); the defaults otherwise.
func WithPrivacy(p passnum.PrivacySettings) Option { return func(s *Store) { s.privacy = p } }

// Privacy returns the privacy settings the store follows.
func (s *Store) Privacy() passnum.PrivacySettings { return s.privacy }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// Open opens (and migrates) the store at dsn: a postgres:// or
// postgresql:// URL for PostgreSQL, anything else is a SQLite file path
// (optionally prefixed with "sqlite:").
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, log: slog.Default(), privacy: passnum.DefaultPrivacySettings()}
	for _, o := range opts {
		o(s)
	}
	s.dialect = dialectOf(dsn)
	var err error
	if s.db, s.wdb, err = s.dialect.open(dsn); err != nil {
		return nil, err
	}
	if s.maxConns > 0 && s.dialect == dialectPostgres {
		s.db.SetMaxOpenConns(s.maxConns)
		s.db.SetMaxIdleConns(s.maxConns)
	}
	if s.replicaConfig != nil {
		if err := s.openReplica(*s.replicaConfig); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.dialect.groupCommit() {
		s.startCommitter()
		s.readStmts, s.writeStmts = newStmtCache(s.db), newStmtCache(s.wdb)
		if err := s.startCheckpointer(dsn); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.wdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadKeys(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.resealSeeds(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	// Close may be called again (a test's cleanup after the test closed
	// the store): what it stops is stopped once.
	s.stopCommitter()
	s.readStmts.close()
	s.writeStmts.close()
	err := s.checkpoints.stop()
	s.readStmts, s.writeStmts, s.checkpoints = nil, nil, nil
	if s.db != nil {
		if e := s.db.Close(); err == nil {
			err = e
		}
	}
	if s.wdb != nil && s.wdb != s.db {
		if e := s.wdb.Close(); err == nil {
			err = e
		}
	}
	if s.replica != nil {
		if e := s.replica.db.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Dialect names the engine: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }

// Retries returns how many transactions were retried after a conflict
// since the store was opened.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Keyring returns the keys that sign and verify pass QR payloads.
func (s *Store) Keyring() *passcode.Keyring { return s.keys }

// migrate applies the embedded numbered migrations that are not yet applied.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	versions := map[int][]string{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		var v int
		if _, err := fmt.Sscanf(base, "%04d_", &v); err != nil {
			return fmt.Errorf("migration %s: bad name", name)
		}
		parts := strings.Split(strings.TrimSuffix(base, ".sql"), ".")
		if len(parts) == 2 && parts[1] != s.dialect.String() {
			continue // another dialect's companion file
		}
		versions[v] = append(versions[v], name)
	}
	order := make([]int, 0, len(versions))
	for v := range versions {
		order = append(order, v)
	}
	sort.Ints(order)
	for _, v := range order {
		files := versions[v]
		// The common file first, then the dialect's companion.
		sort.Slice(files, func(i, j int) bool { return strings.Count(files[i], ".") < strings.Count(files[j], ".") })
		err := s.write(ctx, "migrate", func(tx *tx) error {
			var n int
			if err := tx.get(&n, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v); err != nil || n > 0 {
				return err
			}
			for _, f := range files {
				body, err := migrationFiles.ReadFile(f)
				if err != nil {
					return err
				}
				if _, err := tx.Tx.ExecContext(tx.ctx, s.dialect.ddl(string(body))); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
			return tx.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, passnum.FormatTime(s.now()))
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
	}
	return nil
}

// tx is a transaction with the helpers the store uses everywhere.
type tx struct {
	*sql.Tx
	// conn is the connection the transaction runs on, for PostgreSQL's
	// COPY protocol.
	conn *sql.Conn
	// stmts holds the prepared statements of the pool the transaction
	// runs on (stmtcache.go); nil where the driver caches them itself.
	stmts *stmtCache
	ctx   context.Context
	s     *Store
	now   time.Time
	actor *passnum.Actor
	// directoryBumped is set once the transaction has raised
	// directory_version (directoryChanged).
	directoryBumped bool
}

// directoryChanged raises directory_version, once per transaction, so that
// every store instance rebuilds its directory snapshot (directory.go).
// Every write to what the public directory shows calls it: venues, their
// places, a venue organisation's name or status, catalogue services. It is
// code rather than a trigger because a row-level trigger on PostgreSQL
// made an import of 20 000 venues five times slower (one new version of
// the counter row per row).
func (t *tx) directoryChanged() error {
	if t.directoryBumped {
		return nil
	}
	t.directoryBumped = true
	return t.exec(`UPDATE directory_version SET version = version + 1 WHERE id = 1`)
}

func (t *tx) exec(q string, args ...any) error {
	_, err := t.execResult(q, args...)
	return err
}

func (t *tx) execN(q string, args ...any) (int64, error) {
	res, err := t.execResult(q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) execResult(q string, args ...any) (sql.Result, error) {
	q = t.s.dialect.rebind(q)
	if st := t.stmts.lookup(q); st != nil {
		return t.Tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	}
	return t.Tx.ExecContext(t.ctx, q, args...)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	q = t.s.dialect.rebind(q)
	if st := t.stmts.lookup(q); st != nil {
		return t.Tx.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	}
	return t.Tx.QueryContext(t.ctx, q, args...)
}

func (t *tx) row(q string, args ...any) *sql.Row {
	q = t.s.dialect.rebind(q)
	if st := t.stmts.lookup(q); st != nil {
		return t.Tx.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.Tx.QueryRowContext(t.ctx, q, args...)
}

// get scans a one-row query into dest.
func (t *tx) get(dest any, q string, args ...any) error {
	return t.row(q, args...).Scan(dest)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (t *tx) insert(q string, args ...any) (int64, error) {
	var id int64
	err := t.row(q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// bulkInsert writes n rows without one statement per row, the fastest way
// the engine has (dialect.go). fill sets the values of row i.
func (t *tx) bulkInsert(table string, columns []string, n int, fill func(i int, row []any), progress func(done, total int)) error {
	return t.s.dialect.bulkInsert(t, table, columns, n, fill, progress)
}

func (t *tx) nowText() string { return passnum.FormatTime(t.now) }

func (t *tx) actorLabel() string {
	if t.actor == nil {
		return "system"
	}
	return t.actor.Label
}

// audit appends to the audit trail, in the same transaction as the change.
func (t *tx) audit(action, object, detail string) error {
	return t.exec(`INSERT INTO audit_log (created_at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)`,
		t.nowText(), t.actorLabel(), action, object, detail)
}

// post records a balanced posting. An unbalanced one is a bug: it is refused
// before it reaches the books.
func (t *tx) post(kind, ref string, entries []passnum.Entry) error {
	p := passnum.Posting{Kind: kind, Ref: ref, Entries: entries}
	if !p.Balanced() {
		return fmt.Errorf("posting %s %s is not balanced: %+v", kind, ref, entries)
	}
	id, err := t.insert(`INSERT INTO postings (kind, ref, actor, created_at) VALUES (?, ?, ?, ?)`, kind, ref, t.actorLabel(), t.nowText())
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO entries (posting_id, account, programme_id, party_id, amount_cents) VALUES `)
	args := make([]any, 0, 5*len(entries))
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, id, e.Account, e.ProgrammeID, e.PartyID, e.AmountCents)
	}
	return t.exec(b.String(), args...)
}

// maxAttempts bounds the retries of a transaction that keeps conflicting.
const maxAttempts = 12

// write runs fn in a serializable read-write transaction, retrying it when
// it conflicts with a concurrent one. fn must have no effect outside the
// transaction, since it may run several times. A write refused because the
// database lacks space or another resource is answered with a
// passnum.EUNAVAILABLE error (storage.go).
func (s *Store) write(ctx context.Context, name string, fn func(*tx) error) error {
	return s.writeWith(ctx, name, s.dialect.txOptions(false), fn)
}

// writeReadCommitted is write at PostgreSQL's READ COMMITTED isolation,
// for a transaction whose every guard is a constraint or a conditional
// write the database checks on the latest committed rows, never a read
// whose answer must still hold at commit: then serializable adds
// conflicts and retries, and nothing it would prevent can happen. On
// SQLite every write is serializable anyway (one writer).
func (s *Store) writeReadCommitted(ctx context.Context, name string, fn func(*tx) error) error {
	opts := s.dialect.txOptions(false)
	if s.dialect == dialectPostgres {
		opts.Isolation = sql.LevelReadCommitted
	}
	return s.writeWith(ctx, name, opts, fn)
}

func (s *Store) writeWith(ctx context.Context, name string, opts *sql.TxOptions, fn func(*tx) error) error {
	err := s.attempt(ctx, name, opts, fn)
	if err == nil {
		if s.storage.full.Load() {
			// This write fitted; a probe tells whether space is back.
			s.probeStorage(context.WithoutCancel(ctx))
		}
		return nil
	}
	return s.classify(name, err)
}

// classify turns the error of a failed write into the one people get:
// the database lacking space or another resource is no bug of ours, and
// the same request will succeed later.
func (s *Store) classify(name string, err error) error {
	switch {
	case s.dialect.storageFull(err):
		return s.refuseFull(name, err)
	case s.dialect.overloaded(err):
		s.log.Warn("database overloaded: write refused", "tx", name, "err", err)
		return passnum.ServerOverloaded()
	}
	return err
}

// attempt is write without the handling of a full disk: it runs fn,
// retrying it on conflicts.
func (s *Store) attempt(ctx context.Context, name string, opts *sql.TxOptions, fn func(*tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if s.jobs != nil {
			err = s.submit(ctx, fn)
		} else {
			err = s.reachable(ctx, name, func() error { return s.run(ctx, s.wdb, opts, fn) })
		}
		if err == nil || !s.dialect.retryable(err) && !errors.Is(err, errPassesChanged) {
			return err
		}
		s.retries.Add(1)
		s.log.Debug("transaction conflict, retrying", "tx", name, "attempt", attempt)
		// Jittered exponential backoff so that conflicting transactions
		// do not meet again at once.
		backoff := time.Duration(1<<min(attempt, 8)) * time.Millisecond
		select {
		case <-time.After(backoff/2 + time.Duration(mrand.Int64N(int64(backoff)))):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Giving up is the load's doing, not a fault: the client is told that
	// nothing was recorded and to try again (503), not that we failed.
	s.log.Warn("transaction conflicts: gave up", "tx", name, "attempts", maxAttempts, "err", err)
	return passnum.ServerBusy()
}

// readRow runs one read statement outside any transaction and scans its
// row into dest. One statement sees one consistent state by itself; a read
// transaction around it would add BEGIN and COMMIT: two more round trips
// to PostgreSQL, two more statements for SQLite. It is for what every API
// request reads first (its token); sql.ErrNoRows says there is no row.
func (s *Store) readRow(ctx context.Context, q string, args []any, dest ...any) error {
	q = s.dialect.rebind(q)
	return s.retryRead(ctx, func() error {
		var row *sql.Row
		if st := s.readStmts.lookup(q); st != nil {
			row = st.QueryRowContext(ctx, args...)
		} else {
			row = s.db.QueryRowContext(ctx, q, args...)
		}
		err := row.Scan(dest...)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.lost(ctx, nil, err)
		}
		return err
	})
}

// read runs fn in a read-only transaction that sees one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(*tx) error) error {
	opts := s.dialect.txOptions(true)
	return s.retryRead(ctx, func() error { return s.run(ctx, s.db, opts, fn) })
}

// retryRead runs a read, again while the database is away (reachable) and
// again on another connection when it failed in a way worth a new try: a
// conflict, or a connection the driver found broken (a client that hung up
// mid-query broke it for the next).
func (s *Store) retryRead(ctx context.Context, run func() error) error {
	for attempt := 1; ; attempt++ {
		err := s.reachable(ctx, "read", run)
		if err == nil || !s.dialect.retryable(err) || attempt == maxAttempts {
			return err
		}
	}
}

func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(*tx) error) (err error) {
	defer func() {
		// Once ctx ends, database/sql rolls the transaction back and the
		// next statement fails with "transaction has already been
		// committed or rolled back", or the driver with words of its own:
		// whatever it says, such a failure is ctx's, and says so.
		if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) && passnum.ErrorCode(err) == passnum.EINTERNAL {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}()
	conn, err := db.Conn(ctx)
	if err != nil {
		return s.lost(ctx, nil, err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return s.lost(ctx, conn, err)
	}
	t := &tx{Tx: sqlTx, conn: conn, stmts: s.stmtsOf(db), ctx: ctx, s: s, now: s.now().UTC(), actor: passnum.ActorFromContext(ctx)}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return s.lost(ctx, conn, err)
	}
	if err := sqlTx.Commit(); err != nil {
		s.forgetSettings()
		return s.commitFailed(ctx, conn, err)
	}
	return nil
}

// page normalises pagination.
func page(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	return offset, limit
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner = interface{ Scan(...any) error }

// selectAll runs a query and scans every row with scan.
func selectAll[T any](t *tx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// loadAll runs a query that returns ids, then loads each object with load.
func loadAll[T any](t *tx, load func(int64) (T, error), q string, args ...any) ([]T, error) {
	ids, err := selectAll(t, scanInt64, q, args...)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, err := load(id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func scanInt64(sc scanner) (int64, error) {
	var v int64
	err := sc.Scan(&v)
	return v, err
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
