package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbiterhq/arbiter/storage/internal/sqlcore"
)

// uniqueViolation is PostgreSQL's SQLSTATE for a unique or primary key
// constraint violation.
const uniqueViolation = "23505"

// pool adapts a pgxpool.Pool to sqlcore.DB. Reads and writes share the pool.
type pool struct{ p *pgxpool.Pool }

func (p pool) Read() sqlcore.Querier  { return querier{p.p} }
func (p pool) Write() sqlcore.Querier { return querier{p.p} }

// Tx runs fn in a READ COMMITTED transaction. The shared statements put
// their preconditions in their WHERE clauses, which PostgreSQL re-checks
// against the latest row version after waiting on a row lock, so no
// stronger isolation is needed.
func (p pool) Tx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	return pgx.BeginFunc(ctx, p.p, func(tx pgx.Tx) error { return fn(querier{tx}) })
}

// pgQuerier is what *pgxpool.Pool and pgx.Tx have in common.
type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// querier adapts a pgQuerier to sqlcore.Querier.
type querier struct{ q pgQuerier }

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlcore.Rows, error) {
	rows, err := q.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) sqlcore.Row {
	return row{q.q.QueryRow(ctx, sql, args...)}
}

// row translates pgx.ErrNoRows to sqlcore.ErrNoRows.
type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlcore.ErrNoRows
	}
	return err
}

// isUniqueViolation reports whether err is a unique violation.
func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == uniqueViolation
}
