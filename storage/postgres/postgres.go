package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/storage/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock serializes migrations of one schema across servers; the
// lock is released when the migration's transaction ends.
const migrationLock = "SELECT pg_advisory_xact_lock(hashtext('arbiter.migrate.' || current_schema()))"

// The ports a Store implements.
var (
	_ runtime.IdentityStore     = (*Store)(nil)
	_ runtime.AccountStore      = (*Store)(nil)
	_ runtime.TokenStore        = (*Store)(nil)
	_ runtime.ObjectStore       = (*Store)(nil)
	_ runtime.NotificationStore = (*Store)(nil)
	_ runtime.MessageStore      = (*Store)(nil)
	_ runtime.ModuleStore       = (*Store)(nil)
)

// Config says how to reach the database.
type Config struct {
	// URL is a PostgreSQL connection string, URL or key=value form.
	URL string
	// MaxConns caps the pool; 0 keeps pgxpool's default (or the URL's
	// pool_max_conns).
	MaxConns int32
	// Schema, when set, is created if missing and made the search_path of
	// every connection, so that the store's tables live there. Tests use it
	// to give each test a schema of its own.
	Schema string
	// Tracer, when set, is told of every query, for metrics or tracing.
	Tracer pgx.QueryTracer
}

// core is the shared implementation; the alias keeps the embedded field
// unexported while its methods are promoted.
type core = sqlcore.Store

// Store is a PostgreSQL database that implements the storage ports of
// runtime. It is safe for concurrent use.
//
// Identify is its own (see identify.go). The other port methods (Account,
// UpdateAccount, Users, Revoke, Revocations, ReadObjects, WriteObjects,
// DeleteObjects, ListObjects, AddNotifications, ListNotifications,
// DeleteNotifications, AddMessage, UpdateMessage, RemoveMessage,
// ListMessages, PutModule, GetModule, ListModules, DeleteModule) and
// Migrate, which applies pending migrations and is idempotent, come from the
// shared implementation in storage/internal/sqlcore.
type Store struct {
	*core
	pool *pgxpool.Pool
}

// Open connects to the database and applies the pending migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.Tracer != nil {
		pc.ConnConfig.Tracer = cfg.Tracer
	}
	if cfg.Schema != "" {
		pc.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	p, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: p, core: sqlcore.New(pool{p}, sqlcore.Dialect{
		Migrations:        migrations(),
		IsUniqueViolation: isUniqueViolation,
		MigrationLock:     migrationLock,
	})}
	if err := s.init(ctx, cfg.Schema); err != nil {
		p.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// init creates the schema when one is configured and migrates. Concurrent
// CREATE SCHEMA IF NOT EXISTS can still fail with a unique violation, so
// servers opening the same new schema take turns under an advisory lock.
func (s *Store) init(ctx context.Context, schema string) error {
	if schema != "" {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('arbiter.schema.' || $1::text))", schema); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.Migrate(ctx)
}

// migrations returns the embedded migration files.
func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Ping checks that the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
