package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/storage/sqlite"
	"github.com/arbiterhq/arbiter/test/testlog"
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

// getBody returns the status and body of GET url.
func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// serve starts a with Serve and shuts it down when t ends.
func serve(t *testing.T, a *App) string {
	t.Helper()
	go func() { _ = a.Serve() }()
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return "http://" + a.Addr()
}

// TestReadyz checks /readyz: ready with a module set loaded, still ready
// while a failed reload leaves the previous set serving, not ready once the
// set is gone (shutdown) or the store does not answer.
func TestReadyz(t *testing.T) {
	c := testConfig(t)
	c.Watch = "false"
	c.Modules = t.TempDir()
	if err := os.WriteFile(filepath.Join(c.Modules, "m.lua"), []byte("return {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := New(t.Context(), c, discard())
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, a)
	if status, body := getBody(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("readyz = %d %s", status, body)
	}
	if err := os.WriteFile(filepath.Join(c.Modules, "m.lua"), []byte("syntax error here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.engine.modules.Reload(t.Context(), "test"); err == nil {
		t.Fatal("reload of a broken module succeeded")
	}
	if status, body := getBody(t, base+"/readyz"); status != http.StatusOK {
		t.Fatalf("readyz after a failed reload = %d %s, want 200: the previous set serves", status, body)
	}
	a.engine.modules.Close() // as at shutdown: no set serves
	if status, body := getBody(t, base+"/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "modules not loaded: m.lua:1:") {
		t.Fatalf("readyz without modules = %d %q, want 503 with the last load's error", status, body)
	}
	if status, _ := getBody(t, base+"/healthcheck"); status != http.StatusOK {
		t.Fatalf("healthcheck = %d", status)
	}
}

func TestMetricsSetting(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(strconv.FormatBool(on), func(t *testing.T) {
			c := testConfig(t)
			c.Metrics = on
			a, err := New(t.Context(), c, discard())
			if err != nil {
				t.Fatal(err)
			}
			base := serve(t, a)
			status, body := getBody(t, base+"/metrics")
			if on && (status != http.StatusOK || !strings.Contains(body, "arbiter_sockets_open 0") ||
				!strings.Contains(body, "go_goroutines") || !strings.Contains(body, `arbiter_store_query_duration_seconds_count{method="Revocations"}`)) {
				t.Fatalf("metrics on: %d\n%s", status, body)
			}
			if !on && status != http.StatusNotFound {
				t.Fatalf("metrics off: /metrics = %d, want 404", status)
			}
		})
	}
}

// TestTraceHeader checks that a REST request's trace id is taken from
// X-Trace-Id or traceparent, or made up, and echoed.
func TestTraceHeader(t *testing.T) {
	a, err := New(t.Context(), testConfig(t), discard())
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, a)
	for _, c := range []struct{ header, value, want string }{
		{"X-Trace-Id", "my-trace.1", "my-trace.1"},
		{"Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"X-Trace-Id", "bad trace=1", ""},
		{"", "", ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+"/v2/account", nil)
		if c.header != "" {
			req.Header.Set(c.header, c.value)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := res.Header.Get("X-Trace-Id")
		if res.StatusCode != http.StatusUnauthorized || (c.want != "" && got != c.want) || (c.want == "" && len(got) != 32) {
			t.Errorf("%s %q: status %d, trace %q, want %q", c.header, c.value, res.StatusCode, got, c.want)
		}
	}
}

// TestShortTokenExpiryNote checks the startup note about a session token
// lifetime under 5 minutes (the default 60 s among them), and its absence
// from 5 minutes up.
func TestShortTokenExpiryNote(t *testing.T) {
	for _, c := range []struct {
		expiry time.Duration
		noted  bool
	}{
		{Default().TokenExpiry, true},
		{ShortTokenExpiry - time.Second, true},
		{ShortTokenExpiry, false},
		{2 * time.Hour, false},
	} {
		t.Run(c.expiry.String(), func(t *testing.T) {
			var buf testlog.Buffer
			cfg := testConfig(t)
			cfg.TokenExpiry = c.expiry
			cfg.Modules = t.TempDir()
			a, err := New(t.Context(), cfg, slog.New(slog.NewTextHandler(&buf, nil)))
			if err != nil {
				t.Fatal(err)
			}
			a.Shutdown(context.Background())
			var notes []string
			for _, l := range strings.Split(buf.String(), "\n") {
				if strings.Contains(l, "--token-expiry") {
					notes = append(notes, l)
				}
			}
			switch {
			case !c.noted && len(notes) > 0:
				t.Fatalf("noted a token expiry of %s:\n%s", c.expiry, buf.String())
			case c.noted && len(notes) != 1:
				t.Fatalf("want one note about the token expiry of %s, got:\n%s", c.expiry, buf.String())
			case c.noted:
				for _, want := range []string{"level=INFO", "client SDKs will refresh sessions on every call", "token_expiry=" + c.expiry.String()} {
					if !strings.Contains(notes[0], want) {
						t.Errorf("note lacks %q: %s", want, notes[0])
					}
				}
			}
		})
	}
}
