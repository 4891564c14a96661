package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// logBuffer collects a store's log lines from concurrent goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// count counts the lines holding s.
func (l *logBuffer) count(s string) int { return strings.Count(l.String(), s) }

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStorageFull fills a SQLite database up to the size SQLite allows it
// (max_page_count, the test's stand-in for a full disk): see
// fullDiskScenario. A few pages of room are left, so that some
// redemptions go through before the others are refused.
func TestStorageFull(t *testing.T) {
	logs := &logBuffer{}
	env := st.OpenSQLite(t, sqlstore.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	s := env.Store
	ctx := context.Background()
	before, _ := fullDiskScenario(t, env, logs, func(t *testing.T) {
		pages, err := s.PageCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if limit, err := s.SetSizeLimit(ctx, pages+4); err != nil || limit != pages+4 {
			t.Fatalf("size limit %d: %d, %v", pages+4, limit, err)
		}
	}, func(t *testing.T) {
		if _, err := s.SetSizeLimit(ctx, 0); err != nil {
			t.Fatal(err)
		}
	})
	if before == 0 {
		t.Error("no redemption went through before the database was full: the test wants some room first")
	}
}

// Environment of TestStorageFullOnSmallFileSystem.
const (
	// smallFSEnv names a directory on a small file system (a few MB)
	// that the test may fill, e.g. a tmpfs mounted with -o size=8m.
	smallFSEnv = "PASSNUM_TEST_SMALL_FS"
	// smallTablespaceEnv names a PostgreSQL tablespace located on that
	// same file system.
	smallTablespaceEnv = "PASSNUM_TEST_POSTGRES_SMALL_TABLESPACE"
)

// TestStorageFullOnSmallFileSystem runs fullDiskScenario on a real full
// disk: SQLite's file, or PostgreSQL's tables (a tablespace), on a small
// file system that the test fills with a file of its own, then empties.
// It runs only where such a file system is set up (DEVELOPERS.md).
func TestStorageFullOnSmallFileSystem(t *testing.T) {
	dir := os.Getenv(smallFSEnv)
	if dir == "" {
		t.Skip(smallFSEnv + " not set")
	}
	fill := func(t *testing.T) {
		ballast, err := os.Create(filepath.Join(dir, "ballast"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(ballast.Name()) })
		defer ballast.Close()
		chunk := make([]byte, 4096)
		for {
			if _, err := ballast.Write(chunk); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	free := func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "ballast")); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		db, err := os.MkdirTemp(dir, "passnum-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(db) })
		logs := &logBuffer{}
		env := st.OpenSQLiteAt(t, filepath.Join(db, "passnum.db"), sqlstore.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
		fullDiskScenario(t, env, logs, fill, free)
	})
	t.Run("postgres", func(t *testing.T) {
		tablespace := os.Getenv(smallTablespaceEnv)
		if tablespace == "" {
			t.Skip(smallTablespaceEnv + " not set")
		}
		logs := &logBuffer{}
		env := st.OpenPostgresInTablespace(t, tablespace, sqlstore.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
		fullDiskScenario(t, env, logs, fill, free)
	})
}

// fullDiskScenario redeems pass after pass after fill took the space
// away: redemptions are refused with a 503-class error telling the venue
// that nothing was cashed, the episode is logged once however many writes
// it refuses, Ready fails, nothing acknowledged is lost. After free gives
// space back, Ready finds it by itself, the end is logged once, and the
// refused passes redeem. It returns how many redemptions went through
// before the first refusal, and how many were refused.
func fullDiskScenario(t *testing.T, env *st.Env, logs *logBuffer, fill, free func(t *testing.T)) (before, refusals int) {
	t.Helper()
	s, ctx := env.Store, context.Background()
	const carnets = 20
	f := st.NewFixture(t, env, st.Options{Carnets: carnets, Allocated: carnets, Distributed: carnets, CarnetSize: 5})
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("ready before anything was refused: %v", err)
	}
	fill(t)
	var all []int64
	for i := range carnets {
		all = append(all, f.Serials(i)...)
	}
	acknowledged := map[int64]bool{}
	var refused []int64
	for _, serial := range all {
		_, err := s.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", serial)})
		switch {
		case err == nil:
			acknowledged[serial] = true
			if len(refused) == 0 {
				before++
			}
		case passnum.ErrorCode(err) == passnum.EUNAVAILABLE && passnum.ErrorReason(err) == passnum.ReasonStorageFull:
			refused = append(refused, serial)
			if msg := passnum.ErrorMessage(err); !strings.Contains(msg, "Rien n'a été encaissé") {
				t.Errorf("refusal for a full disk says %q: the venue must read that nothing was cashed", msg)
			}
		default:
			t.Fatalf("pass %d: %v, want success or storage full", serial, err)
		}
	}
	if len(refused) < len(all)/2 {
		t.Fatalf("%d of %d redemptions refused: the database was not full", len(refused), len(all))
	}
	status := s.Storage()
	if !status.Full || status.Since.IsZero() || status.Refused != int64(len(refused)) || status.RefusedTotal != int64(len(refused)) {
		t.Errorf("storage status %+v after %d refused writes", status, len(refused))
	}
	if err := s.Ready(ctx); !errors.Is(err, sqlstore.ErrStorageFull) {
		t.Errorf("ready while full: %v, want ErrStorageFull", err)
	}
	if n := logs.count("level=ERROR"); n != 1 {
		t.Errorf("%d error lines for one episode of %d refused writes, want 1:\n%s", n, len(refused), logs.String())
	}
	checkStored(t, env, f, acknowledged)

	// Space comes back: Ready notices it without any other write.
	free(t)
	deadline := time.Now().Add(10 * time.Second)
	for s.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("still not ready 10 s after space came back: %v", s.Ready(ctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status := s.Storage(); status.Full || status.RefusedTotal != int64(len(refused)) {
		t.Errorf("storage status %+v once space is back", status)
	}
	if n := logs.count("database storage available again"); n != 1 {
		t.Errorf("%d lines for the end of the episode, want 1", n)
	}
	for _, serial := range refused {
		if _, err := s.Redeem(st.VenueCtx(f.Venue), passnum.RedeemRequest{Codes: f.CodesOf(serial), ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprint("k", serial)}); err != nil {
			t.Fatalf("pass %d refused for a full disk, then: %v", serial, err)
		}
		acknowledged[serial] = true
	}
	checkStored(t, env, f, acknowledged)
	if n := logs.count("level=ERROR"); n != 1 {
		t.Errorf("%d error lines in all, want 1", n)
	}
	t.Logf("%s: %d redemptions went through, then %d were refused for lack of space and went through once it was back; log:\n%s",
		env.Name, before, len(refused), logs.String())
	return before, len(refused)
}

// checkStored checks that the passes of every acknowledged redemption,
// and no other, are redeemed, and that the invariants hold.
func checkStored(t *testing.T, env *st.Env, f *st.Fixture, acknowledged map[int64]bool) {
	t.Helper()
	reds, _, err := env.Store.ListRedemptions(st.As(f.Operator), passnum.RedemptionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	for _, r := range reds {
		for _, s := range r.Serials {
			stored[s] = true
		}
	}
	for s := range acknowledged {
		if !stored[s] {
			t.Errorf("pass %d: redemption acknowledged, not stored", s)
		}
	}
	for s := range stored {
		if !acknowledged[s] {
			t.Errorf("pass %d: redeemed, never acknowledged", s)
		}
	}
	st.MustCheck(t, env, f.Operator)
}

// TestStorageFullClassification: the engines' words for a full disk and
// for a lack of other resources become EUNAVAILABLE errors; the rest stays
// internal. PostgreSQL's full disk cannot be provoked here without a
// tablespace on a small file system, so its SQLSTATE is checked as the
// driver reports it.
func TestStorageFullClassification(t *testing.T) {
	for _, tc := range []struct {
		err    error
		reason string
	}{
		{&pgconn.PgError{Code: "53100", Message: `could not extend file "base/16384/16385": No space left on device`}, passnum.ReasonStorageFull},
		{fmt.Errorf("redeem: %w", &pgconn.PgError{Code: "53100"}), passnum.ReasonStorageFull},
		{&pgconn.PgError{Code: "53300", Message: "sorry, too many clients already"}, passnum.ReasonServerOverloaded},
		{&pgconn.PgError{Code: "53200", Message: "out of memory"}, passnum.ReasonServerOverloaded},
		{&pgconn.PgError{Code: "53400", Message: "temporary file size exceeds temp_file_limit"}, "internal"},
		{&pgconn.PgError{Code: "23502"}, "internal"},
		{errors.New("boom"), "internal"},
	} {
		got := sqlstore.Classify(tc.err)
		if passnum.ErrorReason(got) != tc.reason {
			t.Errorf("%v: reason %q, want %q", tc.err, passnum.ErrorReason(got), tc.reason)
		}
		if tc.reason != "internal" && passnum.ErrorCode(got) != passnum.EUNAVAILABLE {
			t.Errorf("%v: code %q, want %q", tc.err, passnum.ErrorCode(got), passnum.EUNAVAILABLE)
		}
	}
}
