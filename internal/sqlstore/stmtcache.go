package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements, for SQLite.
//
// The SQLite driver parses a statement anew each time it runs one that was
// not prepared, and parsing was a third of the CPU of a redemption on the
// single committer (docs/PERFORMANCE.md). So on SQLite every statement the
// store runs is prepared once per pool and reused from then on. A
// statement is prepared on a pool, not on the connection in use: the
// writer pool has a single connection, held by the committer for the whole
// of a group, so preparing there would wait for itself. The first run of a
// statement therefore goes unprepared, and a goroutine prepares it for the
// next runs once a connection is free. database/sql then prepares it on
// each connection the first time a transaction there uses it, and keeps
// it.
//
// PostgreSQL needs none of this: pgx caches prepared statements per
// connection itself.

// maxPrepared bounds the statements kept per pool. The store's statements
// are a fixed set of strings, but a few are built with as many
// placeholders as values (IN lists): past the bound, new ones simply run
// unprepared.
const maxPrepared = 2000

// stmtCache holds the prepared statements of one pool.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // query → *sql.Stmt

	mu        sync.Mutex
	preparing map[string]bool
	count     int
	closed    bool
	wg        sync.WaitGroup
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, preparing: map[string]bool{}}
}

// lookup returns q's prepared statement, or nil when it is not prepared
// yet: then it has it prepared in the background and q runs unprepared
// this once.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	if st, ok := c.stmts.Load(q); ok {
		return st.(*sql.Stmt)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.preparing[q] || c.count >= maxPrepared {
		return nil
	}
	c.preparing[q] = true
	c.count++
	c.wg.Add(1)
	go c.prepare(q)
	return nil
}

func (c *stmtCache) prepare(q string) {
	defer c.wg.Done()
	st, err := c.db.PrepareContext(context.Background(), q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, q)
	if err != nil {
		// A statement SQLite cannot prepare fails when it runs, where
		// its caller sees why; it is tried again then.
		c.count--
		return
	}
	if c.closed {
		st.Close()
		return
	}
	c.stmts.Store(q, st)
}

// close waits for the statements being prepared and closes them all,
// before the pool closes.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// stmtsOf returns the prepared statements of pool db, nil if it has none.
func (s *Store) stmtsOf(db *sql.DB) *stmtCache {
	switch db {
	case s.wdb:
		return s.writeStmts
	case s.db:
		return s.readStmts
	}
	return nil
}
