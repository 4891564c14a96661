package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// TestBackupWhileWritingRestores takes a backup while redemptions go on,
// restores it by copying the file in place of a database, and checks that
// the copy opens, passes every invariant and holds what was written before
// the backup began.
func TestBackupWhileWritingRestores(t *testing.T) {
	env := st.OpenSQLite(t)
	f := st.NewFixture(t, env, st.Options{Carnets: 40, Allocated: 40, Distributed: 40, CarnetSize: 10})
	venue := st.VenueCtx(f.Venue)
	var codes []string
	for i := 0; i < 40; i++ {
		codes = append(codes, f.CodesOf(f.Serials(i)...)...)
	}
	redeem := func(i int) error {
		_, err := env.Store.Redeem(venue, passnum.RedeemRequest{Codes: []string{codes[i]}, ServiceID: f.Service.ID, IdempotencyKey: fmt.Sprintf("k-%d", i)})
		return err
	}
	const before = 50
	for i := 0; i < before; i++ {
		if err := redeem(i); err != nil {
			t.Fatal(err)
		}
	}

	// Writers keep going during the backup.
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := before; i < len(codes); i++ {
			if err := redeem(i); err != nil {
				select {
				case errs <- err:
				default:
				}
				return
			}
		}
	}()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := env.Store.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if err := env.Store.Backup(context.Background(), backup); passnum.ErrorCode(err) != passnum.ECONFLICT {
		t.Errorf("a second backup to the same file: got %v, want ECONFLICT", err)
	}

	// Restore: copy the file where a database is expected, then open it.
	restored := filepath.Join(t.TempDir(), "passnum.db")
	copyFile(t, backup, restored)
	s, err := sqlstore.Open(context.Background(), restored, sqlstore.WithClock(env.Clock.Now))
	if err != nil {
		t.Fatalf("open the restored copy: %v", err)
	}
	defer s.Close()
	if err := s.Ready(context.Background()); err != nil {
		t.Errorf("restored copy not ready: %v", err)
	}
	st.MustCheck(t, &st.Env{Store: s}, f.Operator)
	list, _, err := s.ListRedemptions(venue, passnum.RedemptionFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, r := range list {
		stored[r.IdempotencyKey] = true
	}
	for i := 0; i < before; i++ {
		if !stored[fmt.Sprintf("k-%d", i)] {
			t.Errorf("redemption k-%d, written before the backup, is missing from it", i)
		}
	}
	if len(stored) < before || len(stored) > len(codes) {
		t.Errorf("backup holds %d redemptions, want between %d and %d", len(stored), before, len(codes))
	}
}

func TestReadyAndSchemaVersion(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		if err := env.Store.Ready(context.Background()); err != nil {
			t.Fatalf("Ready on a fresh store: %v", err)
		}
		if v, err := sqlstore.SchemaVersion(); err != nil || v < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v, err)
		}
		if env.Name == "postgres" {
			if err := env.Store.Backup(context.Background(), filepath.Join(t.TempDir(), "x")); passnum.ErrorCode(err) != passnum.EINVALID {
				t.Errorf("Backup on PostgreSQL: got %v, want EINVALID with the pg_dump command", err)
			}
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
