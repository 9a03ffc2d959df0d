package pgtest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/arbiterhq/arbiter/storage/postgres"
)

// DefaultURL is the test database used when ARBITER_TEST_DATABASE is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test"

// EnvURL names the environment variable that overrides DefaultURL.
const EnvURL = "ARBITER_TEST_DATABASE"

// connectTimeout bounds the reachability check, so an absent server costs
// tests little.
const connectTimeout = 3 * time.Second

// URL returns the test database's connection string.
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

var (
	reachOnce sync.Once
	reachErr  error
)

// Require skips tb (or fails it when CI=true) unless the test database is
// reachable. The check runs once per test binary.
func Require(tb testing.TB) {
	tb.Helper()
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, URL())
		if err == nil {
			err = conn.Ping(ctx)
			_ = conn.Close(ctx)
		}
		reachErr = err
	})
	if reachErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("PostgreSQL test database %s is unreachable (CI=true, so this fails): %v", redact(URL()), reachErr)
	}
	tb.Skipf("SKIPPED: PostgreSQL test database %s is unreachable: %v (set %s; with CI=true this fails)",
		redact(URL()), reachErr, EnvURL)
}

// Schema returns the name of a new schema for tb, dropped when tb ends. It
// skips or fails tb as Require does.
func Schema(tb testing.TB) string {
	tb.Helper()
	Require(tb)
	schema := "test_" + strings.ToLower(rand.Text())
	tb.Cleanup(func() { dropSchema(tb, schema) })
	return schema
}

// Open returns a store in a new schema of the test database; the schema is
// dropped and the store closed when tb ends.
func Open(tb testing.TB) *postgres.Store {
	tb.Helper()
	return OpenConfig(tb, postgres.Config{})
}

// OpenConfig is Open with a configuration: an empty URL becomes URL(), an
// empty Schema a new one from Schema, and a zero MaxConns 4 (tests run many
// stores at once, and the server allows 100 connections by default).
func OpenConfig(tb testing.TB, cfg postgres.Config) *postgres.Store {
	tb.Helper()
	if cfg.Schema == "" {
		cfg.Schema = Schema(tb)
	}
	if cfg.URL == "" {
		cfg.URL = URL()
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 4
	}
	s, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open PostgreSQL store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// dropSchema drops a test's schema over a connection of its own.
func dropSchema(tb testing.TB, schema string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

// redact hides the password of a connection URL in messages.
func redact(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil || cfg.Password == "" {
		return url
	}
	return strings.Replace(url, cfg.Password, "****", 1)
}
