package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestDialectOf(t *testing.T) {
	tests := []struct {
		dsn  string
		want dialect
	}{
		{"postgres://u@host/db", dialectPostgres},
		{"postgresql://u@host/db?sslmode=disable", dialectPostgres},
		{"passnum.db", dialectSQLite},
		{"sqlite:/var/lib/passnum/passnum.db", dialectSQLite},
		{"/tmp/postgres://odd.db", dialectSQLite},
	}
	for _, tc := range tests {
		if got := dialectOf(tc.dsn); got != tc.want {
			t.Errorf("dialectOf(%q) = %s, want %s", tc.dsn, got, tc.want)
		}
	}
}

func TestDialectTxOptions(t *testing.T) {
	tests := []struct {
		d        dialect
		readOnly bool
		want     sql.IsolationLevel
	}{
		{dialectPostgres, false, sql.LevelSerializable},
		{dialectPostgres, true, sql.LevelRepeatableRead},
		{dialectSQLite, false, sql.LevelDefault},
		{dialectSQLite, true, sql.LevelDefault},
	}
	for _, tc := range tests {
		got := tc.d.txOptions(tc.readOnly)
		if got.Isolation != tc.want || got.ReadOnly != tc.readOnly {
			t.Errorf("%s, read-only %v: %+v, want isolation %v", tc.d, tc.readOnly, got, tc.want)
		}
	}
}

func TestDialectSQLiteOnly(t *testing.T) {
	if _, err := dialectPostgres.maxPageCount(10); err == nil {
		t.Error("PostgreSQL has a page cap")
	}
	if q, err := dialectSQLite.maxPageCount(0); err != nil || q != "PRAGMA max_page_count = 4294967294" {
		t.Errorf("lifting the cap: %q, %v", q, err)
	}
	if err := dialectPostgres.backupRefused(); err == nil {
		t.Error("Backup copies a PostgreSQL database")
	}
	if err := dialectSQLite.backupRefused(); err != nil {
		t.Errorf("Backup refuses SQLite: %v", err)
	}
}

// TestDialectRetryable: conflicts and a connection found broken before
// anything was sent are run again; a commit whose connection broke is
// not (it may have happened), nor is any other failure.
func TestDialectRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"serialization failure", &pgconn.PgError{Code: "40001"}, true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, true},
		{"broken connection before the first statement", fmt.Errorf("token: %w", driver.ErrBadConn), true},
		{"broken connection at commit", (&Store{dialect: dialectPostgres}).commitFailed(context.Background(), nil, driver.ErrBadConn), false},
		{"server gone at commit", (&Store{dialect: dialectPostgres}).commitFailed(context.Background(), nil, io.ErrUnexpectedEOF), false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"no rows", sql.ErrNoRows, false},
	}
	for _, tc := range tests {
		if got := dialectPostgres.retryable(tc.err); got != tc.want {
			t.Errorf("%s (%v): retryable %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestDialectUnreachable: what says that PostgreSQL is out of reach (a
// failed connection, a server shutting down or in recovery, a broken
// socket) and what does not (a conflict, a refusal, a bad statement); a
// read-only server is told apart, since its connection must be dropped.
// SQLite, a file, is never out of reach this way.
func TestDialectUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name                  string
		err                   error
		unreachable, readOnly bool
	}{
		{"connection refused", fmt.Errorf("connect: %w", refused), true, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true, false},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true, false},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, true, false},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true, false},
		{"socket closed under a statement", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, false},
		{"connection reset", fmt.Errorf("write: %w", syscall.ECONNRESET), true, false},
		{"driver's closed connection", fmt.Errorf("exec: %w", pgconn.ErrConnClosed), true, false},
		{"read-only transaction", &pgconn.PgError{Code: "25006"}, false, true},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false, false},
		{"no rows", sql.ErrNoRows, false, false},
		{"other", errors.New("boom"), false, false},
	}
	for _, tc := range tests {
		if got := dialectPostgres.unreachable(tc.err); got != tc.unreachable {
			t.Errorf("%s (%v): unreachable %v, want %v", tc.name, tc.err, got, tc.unreachable)
		}
		if got := dialectPostgres.readOnly(tc.err); got != tc.readOnly {
			t.Errorf("%s (%v): read-only %v, want %v", tc.name, tc.err, got, tc.readOnly)
		}
		if dialectSQLite.unreachable(tc.err) || dialectSQLite.readOnly(tc.err) {
			t.Errorf("%s: out of reach on SQLite", tc.name)
		}
	}
}
