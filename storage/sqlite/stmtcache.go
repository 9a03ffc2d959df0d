package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds a cache: the shared SQL has a few dozen static statements
// and some shaped by their input (IN lists, optional filters); past the
// bound, new statements simply run unprepared.
const maxStmts = 512

// stmtCache keeps one prepared statement per SQL text for a pool. Neither
// database/sql nor the driver caches statements, and preparing is about half
// the cost of a small query on modernc.org/sqlite. database/sql prepares a
// cached statement on each connection of the pool the first time it runs
// there, and keeps it.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt)}
}

// lookup returns the cached statement of query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// cacheable reports whether a statement run with args is worth caching.
// Only statements with parameters are: the others are schema changes and
// one-off reads, such as the migrations.
func cacheable(args []any) bool { return len(args) > 0 }

// prepare returns the statement of query, preparing it on a miss. It returns
// nil when the cache is full or preparing fails; the caller then runs the
// query unprepared, which reports any error in it.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if st := c.lookup(query); st != nil {
		return st
	}
	c.mu.RLock()
	full := len(c.m) >= maxStmts
	c.mu.RUnlock()
	if full {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		_ = st.Close()
		return old
	}
	c.m[query] = st
	return st
}

// close closes the cached statements and then the pool.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
	return c.db.Close()
}
