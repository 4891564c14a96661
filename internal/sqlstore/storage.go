package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passnum/passnum"
)

// A full disk.
//
// When the database has no space left, every write that needs some fails:
// SQLite's "database or disk is full", PostgreSQL's SQLSTATE 53100. Nothing
// half-written stays (the transaction is rolled back) and the same request
// succeeds once space is freed, so such a write is answered
// passnum.StorageFull (503 with Retry-After), not as an internal error.
// The store remembers the episode — since when, how many writes it refused
// — and logs it twice: when it starts and when it ends. While it lasts,
// Ready fails, so that a load balancer stops sending requests.
//
// An episode ends when a probe succeeds: a write that needs fresh space
// (probeBytes), which an ordinary write may not (an update rewrites pages
// that exist), so that writes that happen to fit do not end and restart
// the episode in turn. Nobody may be writing once the load balancer has
// turned away, so Ready probes too; each probes at most every probeEvery.

// probeBytes is the fresh space a probe needs: a few hundred redemptions'
// worth of rows.
const probeBytes = 64 << 10

// probeEvery spaces out the probes of an episode.
const probeEvery = time.Second

// ErrStorageFull is the error of Ready while writes are refused for lack
// of space.
var ErrStorageFull = errors.New("database storage full: writes refused")

// StorageStatus is the state of the database's storage as writes found it.
type StorageStatus struct {
	// Full is true from a write refused for lack of space until a probe
	// finds space again.
	Full bool
	// Since is when the episode began, when Full.
	Since time.Time
	// Refused counts the writes refused in the episode, when Full.
	Refused int64
	// RefusedTotal counts the writes refused for lack of space since the
	// store was opened.
	RefusedTotal int64
}

// storage follows episodes of a full disk.
type storage struct {
	full         atomic.Bool // mirrors since != zero, read without the lock
	refusedTotal atomic.Int64
	// probing is held by the one probe running.
	probing sync.Mutex

	mu        sync.Mutex
	since     time.Time
	refused   int64
	lastProbe time.Time
}

// Storage returns the state of the database's storage.
func (s *Store) Storage() StorageStatus {
	st := &s.storage
	st.mu.Lock()
	defer st.mu.Unlock()
	return StorageStatus{Full: !st.since.IsZero(), Since: st.since, Refused: st.refused, RefusedTotal: st.refusedTotal.Load()}
}

// refuseFull counts a write refused for lack of space, starts an episode
// (logged once) if none is under way, and returns the error for people.
func (s *Store) refuseFull(name string, err error) error {
	st := &s.storage
	st.refusedTotal.Add(1)
	st.mu.Lock()
	st.refused++
	starts := st.since.IsZero()
	if starts {
		st.since = time.Now()
		st.lastProbe = st.since // the write that failed was as good as a probe
		st.full.Store(true)
	}
	st.mu.Unlock()
	if starts {
		s.log.Error("database storage full: writes refused until space is freed", "tx", name, "err", err)
	}
	return passnum.StorageFull(name == redeemTx)
}

// probeStorage ends the episode under way if a write needing fresh space
// succeeds. It probes at most every probeEvery, and never twice at once;
// it answers whether the storage is still full.
func (s *Store) probeStorage(ctx context.Context) bool {
	st := &s.storage
	if !st.full.Load() {
		return false
	}
	if !st.probing.TryLock() {
		return true // another caller is probing
	}
	defer st.probing.Unlock()
	st.mu.Lock()
	due := !st.since.IsZero() && time.Since(st.lastProbe) >= probeEvery
	if due {
		st.lastProbe = time.Now()
	}
	st.mu.Unlock()
	if !due {
		return st.full.Load()
	}
	if err := s.probeWrite(ctx); err != nil {
		if !s.dialect.storageFull(err) {
			s.log.Warn("database storage probe failed", "err", err)
		}
		return true
	}
	st.mu.Lock()
	since, refused := st.since, st.refused
	st.since, st.refused = time.Time{}, 0
	st.full.Store(false)
	st.mu.Unlock()
	if !since.IsZero() {
		s.log.Warn("database storage available again: writes accepted",
			slog.Duration("full_for", time.Since(since).Round(time.Second)), slog.Int64("refused", refused))
	}
	return false
}

// probeWrite writes probeBytes of incompressible filler, committed, then
// gives the space back in a second transaction. It goes through the same
// path as every write (the committer on SQLite) but is not counted as one.
func (s *Store) probeWrite(ctx context.Context) error {
	raw := make([]byte, probeBytes*3/4)
	rand.Read(raw)
	filler := base64.StdEncoding.EncodeToString(raw)
	err := s.attempt(ctx, "storage probe", s.dialect.txOptions(false), func(tx *tx) error {
		return tx.exec(`INSERT INTO storage_probe (id, filler) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET filler = excluded.filler`, filler)
	})
	if err != nil {
		return fmt.Errorf("storage probe: %w", err)
	}
	if err := s.attempt(ctx, "storage probe", s.dialect.txOptions(false), func(tx *tx) error {
		return tx.exec(`UPDATE storage_probe SET filler = '' WHERE id = 1`)
	}); err != nil {
		return fmt.Errorf("storage probe: %w", err)
	}
	return nil
}

// SetSizeLimit caps a SQLite database at pages pages (PRAGMA
// max_page_count on the writer connection), or lifts the cap when pages is
// 0: the way tests run out of space without filling a disk. The cap cannot
// go below the pages the file already has; the limit in force is returned.
func (s *Store) SetSizeLimit(ctx context.Context, pages int64) (int64, error) {
	q, err := s.dialect.maxPageCount(pages)
	if err != nil {
		return 0, err
	}
	var limit int64
	err = s.attempt(ctx, "size limit", s.dialect.txOptions(false), func(tx *tx) error {
		// A pragma of the connection: it outlives the transaction.
		return tx.get(&limit, q)
	})
	return limit, err
}

// PageCount returns the number of pages of a SQLite database.
func (s *Store) PageCount(ctx context.Context) (int64, error) {
	q, err := s.dialect.pageCount()
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}
