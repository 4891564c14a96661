package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/passnum/passnum"
)

// TestWrapfKeepsWhatCallersLookFor: an error that wrapf says where it
// came from is still, for the store, a conflict to retry, a full disk, an
// overloaded server, a unique violation or a cancelled request; and a
// passnum.Error keeps its code, reason and message. nil stays nil.
func TestWrapfKeepsWhatCallersLookFor(t *testing.T) {
	if err := wrapf(nil, "statement %d", 1); err != nil {
		t.Fatalf("wrapf(nil) = %v", err)
	}
	wrap := func(err error) error { return wrapf(wrapf(err, "step"), "statement %d", 12) }
	d := dialectPostgres
	if err := wrap(&pgconn.PgError{Code: "40001"}); !d.retryable(err) {
		t.Errorf("%v: not retryable", err)
	}
	if err := wrap(&pgconn.PgError{Code: "53100"}); !d.storageFull(err) {
		t.Errorf("%v: not a full disk", err)
	}
	if err := wrap(&pgconn.PgError{Code: "53300"}); !d.overloaded(err) {
		t.Errorf("%v: not overloaded", err)
	}
	if ok, constraint := uniqueViolation(wrap(&pgconn.PgError{Code: "23505", ConstraintName: "redemptions_idempotency_key"})); !ok || constraint != "redemptions_idempotency_key" {
		t.Errorf("unique violation lost: %v %q", ok, constraint)
	}
	if err := wrap(context.Canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("%v: not context.Canceled", err)
	}
	s := &Store{dialect: dialectPostgres, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if got := s.classify("test", wrap(&pgconn.PgError{Code: "53100"})); passnum.ErrorReason(got) != passnum.ReasonStorageFull {
		t.Errorf("classify: %v, want %s", got, passnum.ReasonStorageFull)
	}
	refusal := passnum.Errorf(passnum.ECONFLICT, passnum.ReasonStatementState, "Le relevé n°12 est payé.")
	err := wrap(refusal)
	if passnum.ErrorCode(err) != passnum.ECONFLICT || passnum.ErrorReason(err) != passnum.ReasonStatementState || passnum.ErrorMessage(err) != refusal.Message {
		t.Errorf("%v: code, reason or message lost", err)
	}
	if want := "statement 12: step: " + refusal.Error(); err.Error() != want {
		t.Errorf("text %q, want %q", err, want)
	}
}

// TestWriteGivesUpBusy: a write that meets a conflict at every attempt
// ends as EUNAVAILABLE server-busy (a 503 the client may send again), not
// as an internal error, after maxAttempts tries, with nothing recorded.
func TestWriteGivesUpBusy(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tries := 0
	err = s.write(ctx, "always in conflict", func(tx *tx) error {
		tries++
		if err := tx.exec(`INSERT INTO mail_reminders (kind, about, due_on, created_at) VALUES ('test', ?, '2026-12-07', ?)`, fmt.Sprintf("busy-%d", tries), tx.nowText()); err != nil {
			return err
		}
		return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	})
	if passnum.ErrorCode(err) != passnum.EUNAVAILABLE || passnum.ErrorReason(err) != passnum.ReasonServerBusy {
		t.Fatalf("err = %v, want EUNAVAILABLE %s", err, passnum.ReasonServerBusy)
	}
	if tries != maxAttempts {
		t.Errorf("%d attempts, want %d", tries, maxAttempts)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_reminders`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows recorded (%v), want none", n, err)
	}
}
