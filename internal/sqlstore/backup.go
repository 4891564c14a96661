package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// PostgresBackupHelp tells how to back up and restore a PostgreSQL
// database: pg_dump is online and consistent, and passnum has nothing to
// add to it.
const PostgresBackupHelp = `Sur PostgreSQL, sauvegardez avec pg_dump : pg_dump --format=custom --no-owner "$PASSNUM_DB" > passnum.dump ; restaurez avec pg_restore --clean --if-exists --no-owner -d "$PASSNUM_DB" passnum.dump`

// Backup writes a consistent copy of a SQLite database to path while the
// store keeps serving: VACUUM INTO reads one snapshot (WAL lets writers go
// on) and writes a compact file that opens as is. Restoring is copying the
// file back in place of the database, the server stopped. path must not
// exist. On PostgreSQL, Backup refuses and names the pg_dump command.
func (s *Store) Backup(ctx context.Context, path string) error {
	if err := s.dialect.backupRefused(); err != nil {
		return err
	}
	if strings.TrimSpace(path) == "" {
		return passnum.Invalid("out", "Indiquez le fichier de sauvegarde.")
	}
	if _, err := os.Stat(path); err == nil {
		return passnum.Errorf(passnum.ECONFLICT, passnum.ECONFLICT, "Le fichier %s existe déjà : choisissez un autre nom (une sauvegarde n'en écrase jamais une autre).", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if err := s.dialect.backup(ctx, s.db, path); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return nil
}

// readyTimeout bounds the database ping of Ready.
const readyTimeout = 2 * time.Second

// Ready tells whether the store can serve: the database answers within a
// short time, its schema is at the version this binary expects, and it has
// space to write (else an error wrapping ErrStorageFull).
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	want, err := SchemaVersion()
	if err != nil {
		return err
	}
	if v != want {
		return fmt.Errorf("schema at version %d, this binary expects %d", v, want)
	}
	// While writes are refused for lack of space, a probe tells whether
	// space is back: nobody else may be writing now that /readyz has
	// turned the load balancer away.
	if s.probeStorage(ctx) {
		return fmt.Errorf("%w since %s", ErrStorageFull, s.Storage().Since.UTC().Format(time.RFC3339))
	}
	return nil
}

// SchemaVersion is the number of the last embedded migration.
func SchemaVersion() (int, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	last := 0
	for _, name := range names {
		var v int
		if _, err := fmt.Sscanf(strings.TrimPrefix(name, "migrations/"), "%04d_", &v); err != nil {
			return 0, fmt.Errorf("migration %s: bad name", name)
		}
		last = max(last, v)
	}
	return last, nil
}
