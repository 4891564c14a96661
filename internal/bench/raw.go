package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// The raw limit.
//
// What would redemptions cost if the store did nothing but the minimum
// that makes one durable? MeasureRaw answers on the same database, in the
// same run, with passes prepared by the same setup: per pass, one row of
// redemptions (the idempotency key's unique index included; its id is what
// the pass points to) and the conditional UPDATE of the pass that the
// store makes, whose row count proves the pass was still distributed.
// Nothing else: no redemption_passes line, no ledger posting, no audit
// line, no rules read, no HTTP. passnum's rate over HTTP as a percentage
// of this one says how much of the database's capacity the rest costs.
//
// Those redemptions bypass the ledger: left in place, they would break the
// invariants checked after the run. So the raw phase counts what it wrote,
// then undoes it in one transaction (the passes distributed again, its
// redemptions deleted), before CheckInvariants runs on passnum's own
// redemptions. Its rows are told apart by their actor, rawActor.

// rawActor marks the redemptions the raw phase writes, to count and undo
// them.
const rawActor = "bench:raw"

// rawMaxConnections caps the PostgreSQL connections of the raw phase at
// the store's own pool (internal/sqlstore/dialect.go): more would not be
// the limit passnum can reach, and 256 would exceed a default
// max_connections.
const rawMaxConnections = ServerPool

// ServerPool is the most connections a store opens to PostgreSQL
// (internal/sqlstore/dialect.go).
const ServerPool = 64

// rawGroup is the most redemptions one SQLite commit holds, as the
// store's committer (internal/sqlstore/groupcommit.go, maxGroup).
const rawGroup = 128

// RawResult is the raw limit measured by MeasureRaw.
type RawResult struct {
	Redemptions int `json:"redemptions"`
	// Feeders are the goroutines submitting redemptions (as many as HTTP
	// clients); Connections the database connections they share: one on
	// SQLite (the single writer), one each on PostgreSQL up to 64.
	Feeders     int `json:"feeders"`
	Connections int `json:"connections"`
	// FreeConnections, on PostgreSQL, is how many more connections the
	// server accepted when the phase began (max_connections less those
	// open, less 5 kept for others): Connections is capped to it, since
	// the store's pool keeps its own open.
	FreeConnections int     `json:"free_connections,omitempty"`
	Seconds         float64 `json:"seconds"`
	PerSecond       float64 `json:"redemptions_per_second"`
	CPU             CPUUse  `json:"cpu"`
	// Commits is the number of commits: on SQLite, the groups.
	Commits int64 `json:"commits"`
	// RedemptionRows and RedeemedPasses are counted in the database after
	// the phase: each must equal Redemptions. Undone counts the passes
	// made distributed again afterwards.
	RedemptionRows int64 `json:"redemption_rows"`
	RedeemedPasses int64 `json:"redeemed_passes"`
	Undone         int64 `json:"undone"`
}

// Err tells whether the raw phase did what it says.
func (r *RawResult) Err() error {
	n := int64(r.Redemptions)
	if r.RedemptionRows != n || r.RedeemedPasses != n || r.Undone != n {
		return fmt.Errorf("raw limit: %d redemptions made, but %d rows of redemptions, %d passes redeemed and %d undone",
			n, r.RedemptionRows, r.RedeemedPasses, r.Undone)
	}
	return nil
}

// rawStatements are the two statements of a raw redemption and those of
// the count and the undoing, in one engine's placeholders.
type rawStatements struct {
	insert, update string
}

func rawSQL(postgres bool) rawStatements {
	st := rawStatements{
		insert: `INSERT INTO redemptions (venue_id, service_id, actor, idempotency_key, request_hash, passes, amount_cents, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		update: `UPDATE passes SET state = 'redeemed', redemption_id = ?, venue_id = ?, redeemed_at = ?
			WHERE state = 'distributed' AND serial = ?`,
	}
	if postgres {
		st.insert, st.update = numbered(st.insert), numbered(st.update)
	}
	return st
}

// numbered turns ? placeholders into PostgreSQL's $1, $2…
func numbered(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rawJob is one raw redemption: the pass and the key, drawn before the
// clock starts as the HTTP clients' bodies are.
type rawJob struct {
	serial    int64
	key, hash string
}

// rawRedemption is what the statements need beside the job.
type rawRedemption struct {
	st      rawStatements
	venueID int64
	service int64
	amount  int64
}

// MeasureRaw runs the raw limit on the passes of fx.Raw, from feeders
// goroutines, on the database of env; then counts and undoes what it
// wrote. See the comment at the top of this file.
func MeasureRaw(ctx context.Context, env *Env, fx *Fixture, feeders int, log *slog.Logger) (*RawResult, error) {
	log = orDiscard(log)
	n := len(fx.Raw)
	if n == 0 {
		return nil, errors.New("raw limit: no passes set aside")
	}
	feeders = max(1, min(feeders, n))
	postgres := env.Store.Dialect() == "postgres"
	db, conns, err := openRaw(env.dsn, postgres, feeders)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	free := 0
	if postgres {
		if free, err = freeConnections(ctx, db); err != nil {
			return nil, fmt.Errorf("raw limit: %w", err)
		}
		conns = max(1, min(conns, free))
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
	}
	jobs := make([]rawJob, n)
	for i, serial := range fx.Raw {
		key := rand.Text()
		sum := sha256.Sum256([]byte(key))
		jobs[i] = rawJob{serial: serial, key: key, hash: hex.EncodeToString(sum[:])}
	}
	rr := rawRedemption{st: rawSQL(postgres), venueID: fx.VenueID, service: fx.ServiceID, amount: fx.FaceValueCents}
	log.Info("bench: raw limit", "redemptions", n, "feeders", feeders, "connections", conns)
	res := &RawResult{Redemptions: n, Feeders: feeders, Connections: conns, FreeConnections: free}
	cpu := sampleCPU()
	start := time.Now()
	if postgres {
		res.Commits, err = rawPostgres(ctx, db, rr, jobs, feeders)
	} else {
		res.Commits, err = rawSQLite(ctx, db, rr, jobs, feeders)
	}
	elapsed := time.Since(start)
	res.CPU = cpu.since(runtime.NumCPU())
	if err != nil {
		// What was written must not stay: it would break the invariants.
		if uerr := countAndUndo(context.WithoutCancel(ctx), db, postgres, res); uerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", uerr))
		}
		return nil, fmt.Errorf("raw limit: %w", err)
	}
	res.Seconds, res.PerSecond = elapsed.Seconds(), float64(n)/elapsed.Seconds()
	if err := countAndUndo(ctx, db, postgres, res); err != nil {
		return nil, fmt.Errorf("raw limit: %w", err)
	}
	return res, nil
}

// openRaw opens a connection pool of its own on the bench's database: for
// SQLite, the DSN of the store's writer (internal/sqlstore/dialect.go:
// WAL, synchronous=FULL, BEGIN IMMEDIATE) and one connection, the single
// writer; for PostgreSQL, one connection per feeder up to
// rawMaxConnections.
func openRaw(dsn string, postgres bool, feeders int) (*sql.DB, int, error) {
	if postgres {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, 0, err
		}
		conns := min(feeders, rawMaxConnections)
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		return db, conns, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"+
		"&_txlock=immediate&_pragma=temp_store(MEMORY)&_pragma=cache_size(-131072)")
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	return db, 1, nil
}

// freeConnections returns how many more connections PostgreSQL accepts,
// less 5 for the others: the superuser's reserve (3 by default) and
// whoever else uses the server.
func freeConnections(ctx context.Context, db *sql.DB) (int, error) {
	var free int
	err := db.QueryRowContext(ctx, `SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity) - 5`).Scan(&free)
	if err != nil {
		return 0, fmt.Errorf("count free connections: %w", err)
	}
	return free, nil
}

// exec runs one raw redemption in tx with the prepared statements.
func (rr rawRedemption) exec(ctx context.Context, tx *sql.Tx, insert, update *sql.Stmt, j rawJob, now string) error {
	var id int64
	if err := tx.StmtContext(ctx, insert).QueryRowContext(ctx, rr.venueID, rr.service, rawActor, j.key, j.hash, rr.amount, now).Scan(&id); err != nil {
		return fmt.Errorf("insert redemption: %w", err)
	}
	r, err := tx.StmtContext(ctx, update).ExecContext(ctx, id, rr.venueID, now, j.serial)
	if err != nil {
		return fmt.Errorf("update pass %d: %w", j.serial, err)
	}
	if n, err := r.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("update pass %d: %d rows (%v), want 1", j.serial, n, err)
	}
	return nil
}

// prepare prepares the two statements of a raw redemption on db.
func (rr rawRedemption) prepare(ctx context.Context, db *sql.DB) (insert, update *sql.Stmt, err error) {
	if insert, err = db.PrepareContext(ctx, rr.st.insert); err != nil {
		return nil, nil, err
	}
	if update, err = db.PrepareContext(ctx, rr.st.update); err != nil {
		insert.Close()
		return nil, nil, err
	}
	return insert, update, nil
}

// rawPostgres runs each redemption in a transaction of its own, READ
// COMMITTED, from feeders goroutines sharing the pool.
func rawPostgres(ctx context.Context, db *sql.DB, rr rawRedemption, jobs []rawJob, feeders int) (int64, error) {
	insert, update, err := rr.prepare(ctx, db)
	if err != nil {
		return 0, err
	}
	defer insert.Close()
	defer update.Close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, commits atomic.Int64
	var wg sync.WaitGroup
	for range feeders {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				if err := rawOne(ctx, db, rr, insert, update, jobs[i]); err != nil {
					cancel(err)
					return
				}
				commits.Add(1)
			}
		})
	}
	wg.Wait()
	return commits.Load(), context.Cause(ctx)
}

func rawOne(ctx context.Context, db *sql.DB, rr rawRedemption, insert, update *sql.Stmt, j rawJob) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	if err := rr.exec(ctx, tx, insert, update, j, passnum.FormatTime(time.Now())); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// rawSubmit is a raw redemption handed to the SQLite committer, and where
// its outcome goes.
type rawSubmit struct {
	job  rawJob
	done chan error
}

// rawSQLite runs the redemptions as the store's committer runs
// transactions: feeders goroutines queue them; one goroutine takes what is
// queued, up to rawGroup, runs each in a SAVEPOINT of one transaction and
// commits the group; each feeder waits for its commit before the next.
func rawSQLite(ctx context.Context, db *sql.DB, rr rawRedemption, jobs []rawJob, feeders int) (int64, error) {
	insert, update, err := rr.prepare(ctx, db)
	if err != nil {
		return 0, err
	}
	defer insert.Close()
	defer update.Close()
	var frame [3]*sql.Stmt // SAVEPOINT, ROLLBACK TO, RELEASE
	for i, q := range []string{"SAVEPOINT job", "ROLLBACK TO job", "RELEASE job"} {
		if frame[i], err = db.PrepareContext(ctx, q); err != nil {
			return 0, err
		}
		defer frame[i].Close()
	}
	queue := make(chan rawSubmit, rawGroup)
	var commits int64
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		group := make([]rawSubmit, 0, rawGroup)
		for first := range queue {
			group = append(group[:0], first)
		gather:
			for len(group) < rawGroup {
				select {
				case j := <-queue:
					group = append(group, j)
				default:
					break gather
				}
			}
			errs := make([]error, len(group))
			commitErr := func() error {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				now := passnum.FormatTime(time.Now())
				for i, j := range group {
					if _, err := tx.StmtContext(ctx, frame[0]).ExecContext(ctx); err != nil {
						tx.Rollback()
						return err
					}
					if errs[i] = rr.exec(ctx, tx, insert, update, j.job, now); errs[i] != nil {
						if _, err := tx.StmtContext(ctx, frame[1]).ExecContext(ctx); err != nil {
							tx.Rollback()
							return err
						}
					}
					if _, err := tx.StmtContext(ctx, frame[2]).ExecContext(ctx); err != nil {
						tx.Rollback()
						return err
					}
				}
				return tx.Commit()
			}()
			if commitErr == nil {
				commits++
			}
			for i, j := range group {
				j.done <- cmpErr(errs[i], commitErr)
			}
		}
	}()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range feeders {
		wg.Go(func() {
			done := make(chan error, 1)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				queue <- rawSubmit{job: jobs[i], done: done}
				if err := <-done; err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(queue)
	<-committed
	return commits, context.Cause(ctx)
}

// cmpErr returns the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// countAndUndo counts the rows the raw phase wrote, then makes its passes
// distributed again and deletes its redemptions, in one transaction.
func countAndUndo(ctx context.Context, db *sql.DB, postgres bool, res *RawResult) error {
	q := func(s string) string {
		if postgres {
			return numbered(s)
		}
		return s
	}
	mine := `(SELECT id FROM redemptions WHERE actor = ?)`
	if err := db.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM redemptions WHERE actor = ?`), rawActor).Scan(&res.RedemptionRows); err != nil {
		return fmt.Errorf("count redemptions: %w", err)
	}
	if err := db.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM passes WHERE state = 'redeemed' AND redemption_id IN `+mine), rawActor).Scan(&res.RedeemedPasses); err != nil {
		return fmt.Errorf("count passes: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, q(`UPDATE passes SET state = 'distributed', redemption_id = NULL, venue_id = NULL, redeemed_at = NULL
		WHERE state = 'redeemed' AND redemption_id IN `+mine), rawActor)
	if err != nil {
		return fmt.Errorf("undo passes: %w", err)
	}
	if res.Undone, err = r.RowsAffected(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q(`DELETE FROM redemptions WHERE actor = ?`), rawActor); err != nil {
		return fmt.Errorf("undo redemptions: %w", err)
	}
	return tx.Commit()
}
