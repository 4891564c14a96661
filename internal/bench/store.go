package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/passnum/passnum/internal/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the schema
)

// Env is a fresh store opened for one bench run, and how to throw it away.
type Env struct {
	Store *sqlstore.Store
	// Where describes the database for people: a file path, or a
	// PostgreSQL schema.
	Where string
	// dsn opens the same database (and schema) again, for the raw limit
	// and the servers of --servers.
	dsn     string
	cleanup func() error
}

// Close closes the store and removes what OpenFresh created: the temporary
// directory of a SQLite file, or the PostgreSQL schema. A SQLite file the
// caller named is kept.
func (e *Env) Close() error {
	err := e.Store.Close()
	if e.cleanup != nil {
		if cerr := e.cleanup(); err == nil {
			err = cerr
		}
	}
	return err
}

// OpenFresh opens a store on an empty database, so that figures never
// depend on what an earlier run left behind:
//
//   - "" opens a new SQLite file in a temporary directory, removed by Close;
//   - a postgres:// or postgresql:// URL creates a schema of its own in
//     that database (bench_ and 12 random hex digits), dropped by Close;
//   - anything else is a SQLite file path that must not exist yet; it is
//     created and kept.
//
// The store keeps its defaults: durable commits (SQLite WAL with
// synchronous=FULL, PostgreSQL's fsync).
func OpenFresh(ctx context.Context, dsn string, log *slog.Logger) (*Env, error) {
	log = orDiscard(log)
	if isPostgres(dsn) {
		return openPostgres(ctx, dsn, log)
	}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "passnum-bench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bench.db")
		s, err := sqlstore.Open(ctx, path, sqlstore.WithLogger(log))
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		return &Env{Store: s, Where: path, dsn: path, cleanup: func() error { return os.RemoveAll(dir) }}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bench needs a fresh database: %s already exists (or cannot be checked: %v)", path, err)
	}
	s, err := sqlstore.Open(ctx, path, sqlstore.WithLogger(log))
	if err != nil {
		return nil, err
	}
	return &Env{Store: s, Where: path, dsn: path}, nil
}

// openPostgres creates a schema of its own in the database of base and
// opens the store in it, with search_path.
func openPostgres(ctx context.Context, base string, log *slog.Logger) (*Env, error) {
	raw := make([]byte, 6)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	schema := "bench_" + hex.EncodeToString(raw)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	drop := func() error {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return nil, fmt.Errorf("parse %s: %w", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := sqlstore.Open(ctx, u.String(), sqlstore.WithLogger(log))
	if err != nil {
		drop()
		return nil, err
	}
	dsn := u.String()
	u.User, u.RawQuery = nil, "" // no password in reports
	return &Env{Store: s, Where: "schema " + schema + " of " + u.String(), dsn: dsn, cleanup: drop}, nil
}
