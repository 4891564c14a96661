package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Checkpoints, for SQLite.
//
// In WAL mode, the pages written by commits pile up in the WAL until a
// checkpoint copies them back into the database file. By default the
// connection whose commit takes the WAL past a thousand pages does it,
// inside that commit: so one commit in a few paid for copying and syncing
// the others' pages, and every transaction queued behind the single
// committer waited with it (the long tail of the commit times measured in
// docs/PERFORMANCE.md). Here the writer never checkpoints
// (wal_autocheckpoint(0), dialect.go); a goroutine of its own, on a
// connection of its own, runs passive checkpoints beside it, which never
// block the writer nor the readers. The committer wakes it after each
// commit; it runs at most every checkpointEvery.
//
// Durability does not depend on checkpoints: a commit is durable once its
// WAL frames are synced, and SQLite replays the WAL after a crash.

// checkpointEvery spaces checkpoints. Between two of them the WAL holds
// what the committer wrote meanwhile: at 10 000 redemptions a second and
// about ten pages each, some 40 MB.
const checkpointEvery = 100 * time.Millisecond

type checkpointer struct {
	db   *sql.DB
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
}

// startCheckpointer opens the checkpointer's connection and starts it.
func (s *Store) startCheckpointer(dsn string) error {
	base, err := sqliteDSN(dsn)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", base)
	if err != nil {
		return fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	s.checkpoints = &checkpointer{db: db, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.checkpoints.loop(s)
	return nil
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default: // already woken
	}
}

func (c *checkpointer) loop(s *Store) {
	defer close(c.done)
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		}
		var busy, frames, copied int
		err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
		if err != nil {
			// A full disk, say: the next commit wakes it again, and the
			// WAL keeps every commit meanwhile.
			s.log.Debug("checkpoint failed", "err", err)
		}
		pause := time.NewTimer(checkpointEvery)
		select {
		case <-pause.C:
		case <-c.quit:
			pause.Stop()
			return
		}
	}
}

// stop waits for a running checkpoint, then closes the connection. The
// last connection to close checkpoints the whole WAL.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	<-c.done
	return c.db.Close()
}
