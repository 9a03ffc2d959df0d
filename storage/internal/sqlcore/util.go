package sqlcore

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Micros converts t to the stored form: microseconds since the Unix epoch,
// with 0 for the zero time.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros is the inverse of Micros; times come back in UTC.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// nowMicros is the current time in the stored form.
func nowMicros() int64 { return time.Now().UnixMicro() }

// params returns n numbered placeholders starting at $first, comma separated.
func params(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}

// queryAll runs a query and calls scan for each row.
func queryAll(ctx context.Context, q Querier, scan func(Rows) error, sql string, args ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// atomic runs fn so that all its writes happen or none: in a transaction, or
// directly on the write querier when there is only one statement to run.
func (s *Store) atomic(ctx context.Context, statements int, fn func(Querier) error) error {
	if statements == 1 {
		return fn(s.db.Write())
	}
	return s.db.Tx(ctx, fn)
}
