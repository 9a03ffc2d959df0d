package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	arbiter "github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/storage/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// The ports a Store implements.
var (
	_ arbiter.IdentityStore     = (*Store)(nil)
	_ arbiter.AccountStore      = (*Store)(nil)
	_ arbiter.TokenStore        = (*Store)(nil)
	_ arbiter.ObjectStore       = (*Store)(nil)
	_ arbiter.NotificationStore = (*Store)(nil)
	_ arbiter.MessageStore      = (*Store)(nil)
	_ arbiter.ModuleStore       = (*Store)(nil)
)

// Config says where the database is and how to reach it.
type Config struct {
	// Path is the database file. Its directory is created when missing.
	Path string
	// ReadConns is the size of the read pool; 0 means max(4, GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long a statement waits for a lock another process
	// holds before failing; 0 means 5 seconds.
	BusyTimeout time.Duration
}

// core is the shared implementation; the alias keeps the embedded field
// unexported while its methods are promoted.
type core = sqlcore.Store

// Store is an SQLite database that implements the storage ports of runtime.
// It is safe for concurrent use.
//
// The port methods (Identify, Account, UpdateAccount, Users, Revoke,
// Revocations, ReadObjects, WriteObjects, DeleteObjects, ListObjects,
// AddNotifications, ListNotifications, DeleteNotifications, AddMessage,
// UpdateMessage, RemoveMessage, ListMessages, PutModule, GetModule,
// ListModules, DeleteModule) and Migrate, which applies pending migrations
// and is idempotent, come from the shared implementation in
// storage/internal/sqlcore.
type Store struct {
	*core
	pools pools
}

// Open opens (creating if needed) the database at cfg.Path and applies the
// pending migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: Config.Path is empty")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s, err := openPools(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", cfg.Path, err)
	}
	return s, nil
}

// openPools opens the one-connection write pool, which also switches the
// file to WAL, and then the read pool.
func openPools(ctx context.Context, cfg Config) (*Store, error) {
	write, err := sql.Open("sqlite", dsn(cfg, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", cfg.Path, err)
	}
	read, err := sql.Open("sqlite", dsn(cfg, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := cfg.ReadConns
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	p := pools{read: newStmtCache(read), write: newStmtCache(write)}
	d := sqlcore.Dialect{Migrations: migrations(), IsUniqueViolation: isUniqueViolation}
	return &Store{core: sqlcore.New(p, d), pools: p}, nil
}

// dsn returns the data source name of a pool: a file: URI (so any path is
// escaped) with the pragmas every connection runs when it opens.
func dsn(cfg Config, readOnly bool) string {
	busy := cfg.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		abs = cfg.Path
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// migrations returns the embedded migration files.
func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Ping checks that both pools reach the database.
func (s *Store) Ping(ctx context.Context) error {
	return errors.Join(s.pools.write.db.PingContext(ctx), s.pools.read.db.PingContext(ctx))
}

// Close closes both pools and their cached statements.
func (s *Store) Close() error {
	return errors.Join(s.pools.read.close(), s.pools.write.close())
}
