package sqlcore

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// createMigrations makes the table that records applied migrations. It is
// the one piece of schema outside the migration files, so it must stay
// valid SQL in every dialect.
const createMigrations = `CREATE TABLE IF NOT EXISTS arbiter_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Migration is one schema change.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// LoadMigrations reads the NNNN_name.sql files at the root of fsys, sorted by
// version. Two files with one version are an error.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name is not NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(path.Base(name), ".sql"), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %q and %q share a version", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// Migrate applies the migrations that the database has not recorded, each in
// its own transaction together with its record. It is idempotent and safe to
// run from several servers at once: each transaction takes the dialect's
// migration lock and checks the record again. A database that records a
// version this build does not know is refused, since its schema is newer.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := LoadMigrations(s.d.Migrations)
	if err != nil {
		return err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.Version] {
			delete(applied, m.Version)
			continue
		}
		if err := s.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	for v := range applied {
		return fmt.Errorf("database has migration %d, unknown to this build: its schema is newer", v)
	}
	return nil
}

// appliedMigrations creates the record table if needed and reads it.
func (s *Store) appliedMigrations(ctx context.Context) (map[int64]bool, error) {
	applied := map[int64]bool{}
	err := s.db.Tx(ctx, func(q Querier) error {
		if err := s.lockMigrations(ctx, q); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, createMigrations); err != nil {
			return err
		}
		return queryAll(ctx, q, func(r Rows) error {
			var v int64
			err := r.Scan(&v)
			applied[v] = true
			return err
		}, "SELECT version FROM arbiter_migrations")
	})
	return applied, err
}

// applyMigration runs m and records it, unless another server just did.
func (s *Store) applyMigration(ctx context.Context, m Migration) error {
	return s.db.Tx(ctx, func(q Querier) error {
		if err := s.lockMigrations(ctx, q); err != nil {
			return err
		}
		var n int
		err := q.QueryRow(ctx, "SELECT COUNT(*) FROM arbiter_migrations WHERE version = $1", m.Version).Scan(&n)
		if err != nil || n > 0 {
			return err
		}
		if _, err := q.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "INSERT INTO arbiter_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, nowMicros())
		return err
	})
}

// lockMigrations takes the dialect's migration lock, if it has one.
func (s *Store) lockMigrations(ctx context.Context, q Querier) error {
	if s.d.MigrationLock == "" {
		return nil
	}
	_, err := q.Exec(ctx, s.d.MigrationLock)
	return err
}
