package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/storage/sqlite"
)

func testConfig(t *testing.T) Config {
	t.Helper()
	c := Default()
	c.Address, c.Port, c.DataDir = "127.0.0.1", 0, t.TempDir()
	c.ShutdownGrace = 5 * time.Second
	return c
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// get returns the status of GET url, or an error when nothing answers.
func get(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestRun starts the server as the arbiter command does, waits until it
// answers, and stops it by cancelling the context.
func TestRun(t *testing.T) {
	c := testConfig(t)
	c.Port = freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, c, discard()) }()

	base := "http://" + net.JoinHostPort(c.Address, strconv.Itoa(c.Port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, err := get(t.Context(), base+"/healthcheck")
		if err == nil && status == http.StatusOK {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Run ended before serving: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not answer within 10s: %d, %v", status, err)
		}
		time.Sleep(10 * time.Millisecond) // polling for readiness
	}
	if status, err := get(t.Context(), base+"/readyz"); err != nil || status != http.StatusOK {
		t.Fatalf("readyz = %d, %v", status, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v after cancel, want nil", err)
		}
	case <-time.After(c.ShutdownGrace + 5*time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := get(t.Context(), base+"/healthcheck"); err == nil {
		t.Fatal("server still answers after Run returned")
	}
}

func TestNewErrors(t *testing.T) {
	t.Run("invalid config", func(t *testing.T) {
		c := testConfig(t)
		c.ServerKey = ""
		if _, err := New(t.Context(), c, discard()); err == nil || !strings.Contains(err.Error(), "server-key") {
			t.Fatalf("New = %v, want an error naming server-key", err)
		}
	})
	t.Run("address in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c := testConfig(t)
		c.Port = ln.Addr().(*net.TCPAddr).Port
		if _, err := New(t.Context(), c, discard()); err == nil || !strings.Contains(err.Error(), "listening on") {
			t.Fatalf("New = %v, want a listen error", err)
		}
	})
	t.Run("unopenable store", func(t *testing.T) {
		c := testConfig(t)
		c.Database = "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
		_, err := New(t.Context(), c, discard())
		if err == nil || !strings.Contains(err.Error(), "postgres") {
			t.Fatalf("New = %v, want a store error", err)
		}
	})
}

// closeCounter is a Store that counts its Close calls.
type closeCounter struct {
	*sqlite.Store
	closed atomic.Int32
}

func (c *closeCounter) Close() error {
	c.closed.Add(1)
	return c.Store.Close()
}

func TestNewWithStore(t *testing.T) {
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "given.db")})
	if err != nil {
		t.Fatal(err)
	}
	store := &closeCounter{Store: s}
	t.Cleanup(func() { _ = s.Close() })

	c := testConfig(t)
	c.DataDir = "" // not needed with a given store
	c.Database = "ignored://"
	a, err := NewWithStore(t.Context(), c, store, discard())
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	if status, err := get(t.Context(), "http://"+a.Addr()+"/readyz"); err != nil || status != http.StatusOK {
		t.Fatalf("readyz = %d, %v", status, err)
	}
	if err := a.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v after Shutdown, want nil", err)
	}
	if n := store.closed.Load(); n != 0 {
		t.Fatalf("given store closed %d times by the server, want 0: the caller owns it", n)
	}
	if err := store.Ping(t.Context()); err != nil {
		t.Fatalf("given store unusable after Shutdown: %v", err)
	}

	t.Run("still validates the rest", func(t *testing.T) {
		c := testConfig(t)
		c.TokenExpiry = 0
		_, err := NewWithStore(t.Context(), c, store, discard())
		if err == nil || !strings.Contains(err.Error(), "token-expiry") {
			t.Fatalf("NewWithStore = %v, want an error naming token-expiry", err)
		}
	})
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"port 0", func(c *Config) { c.Port = 0 }, ""},
		{"port 65535", func(c *Config) { c.Port = 65535 }, ""},
		{"postgresql scheme", func(c *Config) { c.Database = "postgresql://u@h/db" }, ""},
		{"database without data dir", func(c *Config) { c.Database, c.DataDir = "postgres://u@h/db", "" }, ""},
		{"warning level", func(c *Config) { c.LogLevel = "WARNING" }, ""},
		{"zero grace", func(c *Config) { c.ShutdownGrace = 0 }, ""},
		{"port 65536", func(c *Config) { c.Port = 65536 }, "invalid port 65536: must be 0-65535"},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "invalid data-dir: empty (needed by the embedded store when no database is set)"},
		{"other database", func(c *Config) { c.Database = "mysql://u:pw@h/db" }, `invalid database "mysql://u:***@h/db": must be a postgres:// URL, or empty for the embedded store`},
		{"no http key", func(c *Config) { c.HTTPKey = "" }, "invalid http-key: empty"},
		{"no refresh key", func(c *Config) { c.RefreshKey = "" }, "invalid refresh-key: empty"},
		{"refresh expiry 0", func(c *Config) { c.RefreshExpiry = 0 }, "invalid refresh-expiry 0s: must be positive"},
		{"log level", func(c *Config) { c.LogLevel = "trace" }, `invalid log-level "trace": must be debug, info, warn or error`},
		{"log format", func(c *Config) { c.LogFormat = "logfmt" }, `invalid log-format "logfmt": must be text or json`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"postgres://user:secret@host/db":         "postgres://user:***@host/db",
		"postgres://user@host/db":                "postgres://user@host/db",
		"postgres://host/db":                     "postgres://host/db",
		"postgres://user:p@ss:word@host:5432/db": "postgres://user:***@host:5432/db",
		"":                                       "",
	}
	for in, want := range cases {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewLogger(t *testing.T) {
	var b strings.Builder
	c := Default()
	c.LogFormat, c.LogLevel = "json", "warn"
	log := NewLogger(c, &b)
	log.Info("hidden")
	log.Warn("shown", "k", "v")
	if got := b.String(); strings.Contains(got, "hidden") || !strings.Contains(got, `"msg":"shown"`) || !strings.Contains(got, `"k":"v"`) {
		t.Fatalf("log output = %q", got)
	}
}

// TestWatchSetting checks when the modules folder is watched: "auto" with
// the embedded store, "true" and "false" as said; a missing folder is not
// fatal.
func TestWatchSetting(t *testing.T) {
	cases := []struct {
		watch   string
		folder  bool
		watched bool
	}{
		{WatchAuto, true, true},
		{"false", true, false},
		{"true", true, true},
		{WatchAuto, false, false},
	}
	for _, c := range cases {
		t.Run(c.watch+"/"+strconv.FormatBool(c.folder), func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Watch = c.watch
			cfg.Modules = filepath.Join(t.TempDir(), "modules")
			if c.folder {
				cfg.Modules = t.TempDir()
			}
			a, err := New(t.Context(), cfg, discard())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Shutdown(context.Background())
			if got := a.watcher != nil; got != c.watched {
				t.Fatalf("watched = %v, want %v", got, c.watched)
			}
		})
	}
	// With a store given (PostgreSQL in production), "auto" does not watch.
	store, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "a.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := testConfig(t)
	cfg.Modules = t.TempDir()
	a, err := NewWithStore(t.Context(), cfg, struct{ Store }{store}, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if a.watcher != nil {
		t.Fatal("auto watched with a store that is not the embedded one")
	}
}
