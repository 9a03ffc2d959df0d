package sqlcore

import (
	"context"
	"errors"
	"io/fs"
)

// ErrNoRows is what Row.Scan returns when the query selected nothing. Each
// adapter translates its driver's own value (sql.ErrNoRows, pgx.ErrNoRows)
// to it, so the shared code tests for one error only.
var ErrNoRows = errors.New("sqlcore: no rows in result set")

// Row is the single result of QueryRow.
type Row interface {
	// Scan copies the columns into dest, or returns ErrNoRows.
	Scan(dest ...any) error
}

// Rows is the result of Query. Close must be called once the caller is done.
type Rows interface {
	// Next advances to the next row and reports whether there is one.
	Next() bool
	// Scan copies the columns of the current row into dest.
	Scan(dest ...any) error
	// Err returns the error that stopped the iteration, if any.
	Err() error
	// Close releases the result set.
	Close()
}

// Querier runs statements. SQL uses numbered placeholders ($1, $2, …), which
// both PostgreSQL and SQLite understand.
type Querier interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	// Query runs a statement that returns rows.
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// QueryRow runs a statement that returns at most one row.
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// DB is the database as the shared code sees it. Reads and writes are kept
// apart so that an adapter may send them to different connection pools.
type DB interface {
	// Read returns the querier for statements that only read.
	Read() Querier
	// Write returns the querier for single statements that write.
	Write() Querier
	// Tx runs fn in a write transaction, committed when fn returns nil and
	// rolled back otherwise. fn's error is returned unchanged.
	Tx(ctx context.Context, fn func(q Querier) error) error
}

// Dialect is what differs between the databases beyond the adapter.
type Dialect struct {
	// Migrations holds the schema migrations: files named NNNN_name.sql at
	// the root, applied in the order of NNNN.
	Migrations fs.FS
	// IsUniqueViolation reports whether err is a unique or primary key
	// constraint violation.
	IsUniqueViolation func(err error) bool
	// MigrationLock, when set, is run first in every migration transaction
	// to keep concurrent servers from migrating the same database at once.
	MigrationLock string
}

// Store implements every port of runtime on a DB. The store packages wrap it
// and may replace single methods with queries of their own dialect.
type Store struct {
	db DB
	d  Dialect
}

// New returns a Store over db.
func New(db DB, d Dialect) *Store {
	return &Store{db: db, d: d}
}
