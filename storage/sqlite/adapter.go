package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/arbiterhq/arbiter/storage/internal/sqlcore"
)

// pools adapts a read pool and a one-connection write pool, each with its
// statement cache, to sqlcore.DB.
type pools struct {
	read, write *stmtCache
}

func (p pools) Read() sqlcore.Querier  { return querier{p.read} }
func (p pools) Write() sqlcore.Querier { return querier{p.write} }

// Tx runs fn in a transaction on the write connection. The write pool's DSN
// makes every BEGIN a BEGIN IMMEDIATE, so the write lock is taken up front
// and a transaction never fails half-way with SQLITE_BUSY.
//
// The transaction holds the pool's only connection, so a statement the cache
// lacks cannot be prepared on the pool meanwhile: it runs unprepared and is
// prepared once the transaction is over.
func (p pools) Tx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	tx, err := p.write.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	q := &txQuerier{tx: tx, cache: p.write}
	defer func() {
		_ = tx.Rollback() // a no-op after Commit
		for _, query := range q.missed {
			p.write.prepare(ctx, query)
		}
	}()
	if err := fn(q); err != nil {
		return err
	}
	return tx.Commit()
}

// querier runs statements on a pool, prepared through its cache.
type querier struct{ c *stmtCache }

// stmt returns the cached statement of query, prepared on a miss, or nil
// when it is not to be cached.
func (q querier) stmt(ctx context.Context, query string, args []any) *sql.Stmt {
	if !cacheable(args) {
		return nil
	}
	return q.c.prepare(ctx, query)
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if st := q.stmt(ctx, query, args); st != nil {
		return rowsAffected(st.ExecContext(ctx, args...))
	}
	return rowsAffected(q.c.db.ExecContext(ctx, query, args...))
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	if st := q.stmt(ctx, query, args); st != nil {
		return wrapRows(st.QueryContext(ctx, args...))
	}
	return wrapRows(q.c.db.QueryContext(ctx, query, args...))
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	if st := q.stmt(ctx, query, args); st != nil {
		return sqlRow{st.QueryRowContext(ctx, args...)}
	}
	return sqlRow{q.c.db.QueryRowContext(ctx, query, args...)}
}

// txQuerier runs statements in a transaction, using the cached statements
// of the write pool and noting the ones the cache lacks.
type txQuerier struct {
	tx     *sql.Tx
	cache  *stmtCache
	missed []string
}

// stmt returns the transaction's form of the cached statement of query, or
// nil after noting the miss (of a statement the cache would keep).
func (q *txQuerier) stmt(ctx context.Context, query string, args []any) *sql.Stmt {
	if st := q.cache.lookup(query); st != nil {
		return q.tx.StmtContext(ctx, st)
	}
	if cacheable(args) {
		q.missed = append(q.missed, query)
	}
	return nil
}

func (q *txQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if st := q.stmt(ctx, query, args); st != nil {
		return rowsAffected(st.ExecContext(ctx, args...))
	}
	return rowsAffected(q.tx.ExecContext(ctx, query, args...))
}

func (q *txQuerier) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	if st := q.stmt(ctx, query, args); st != nil {
		return wrapRows(st.QueryContext(ctx, args...))
	}
	return wrapRows(q.tx.QueryContext(ctx, query, args...))
}

func (q *txQuerier) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	if st := q.stmt(ctx, query, args); st != nil {
		return sqlRow{st.QueryRowContext(ctx, args...)}
	}
	return sqlRow{q.tx.QueryRowContext(ctx, query, args...)}
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func wrapRows(rows *sql.Rows, err error) (sqlcore.Rows, error) {
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

type sqlRows struct{ *sql.Rows }

// Close closes the rows. Its error is dropped: by then Err has reported
// any failure of the query itself.
func (r sqlRows) Close() { _ = r.Rows.Close() }

type sqlRow struct{ row *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlcore.ErrNoRows
	}
	return err
}

// isUniqueViolation reports whether err is SQLite's unique or primary key
// constraint error.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
