// Package app wires Arbiter together by hand: it opens the store, builds the
// engine's services and the network edge, and runs the HTTP server. The
// arbiter command and the end-to-end tests both start servers through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/arbiterhq/arbiter/api/ws"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/storage/postgres"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

// Store is everything the server needs from persistence.
type Store interface {
	runtime.IdentityStore
	runtime.AccountStore
	runtime.TokenStore
	runtime.ObjectStore
	runtime.NotificationStore
	runtime.MessageStore
	runtime.ModuleStore
	Ping(ctx context.Context) error
	Migrate(ctx context.Context) error
	Close() error
}

// OpenStore opens (and migrates) the store c selects, and says which in
// its description.
func OpenStore(ctx context.Context, c Config) (Store, string, error) {
	if c.Database != "" {
		s, err := postgres.Open(ctx, postgres.Config{URL: c.Database})
		if err != nil {
			return nil, "", fmt.Errorf("opening postgres store: %w", err)
		}
		return s, "postgres " + redact(c.Database), nil
	}
	path := filepath.Join(c.DataDir, "arbiter.db")
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		return nil, "", fmt.Errorf("opening sqlite store: %w", err)
	}
	return s, "sqlite " + path, nil
}

// App is a running server.
type App struct {
	cfg   Config
	log   *slog.Logger
	store Store
	// ownStore is set when the App opened store, and so closes it.
	ownStore bool
	ln       net.Listener
	http     *http.Server
	socket   *ws.Handler
	engine   *engine
	// watcher reloads the modules when their folder changes; nil when off.
	watcher *module.Watcher
	// registry and metrics are nil when metrics are off.
	registry *prometheus.Registry
	metrics  *metrics.Metrics

	// stopBackground stops the matchmaker and other background loops.
	stopBackground context.CancelFunc
}

// New opens the store, builds the server and listens; Serve serves.
func New(ctx context.Context, c Config, log *slog.Logger) (*App, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	store, desc, err := OpenStore(ctx, c)
	if err != nil {
		return nil, err
	}
	return start(ctx, c, log, store, desc, true)
}

// NewWithStore is New over a store the caller has opened (and migrated):
// c.Database and c.DataDir are ignored, and the caller closes the store
// after Shutdown. Tests use it to run a server on a store of their own, such
// as a PostgreSQL schema from storage/postgres/pgtest.
func NewWithStore(ctx context.Context, c Config, store Store, log *slog.Logger) (*App, error) {
	v := c
	v.Database, v.DataDir = "", "(given store)" // not used: do not validate them
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return start(ctx, c, log, store, fmt.Sprintf("given %T", store), false)
}

// start builds the server over store and listens; on failure it closes
// store if it owns it.
func start(ctx context.Context, c Config, log *slog.Logger, store Store, desc string, own bool) (*App, error) {
	a := &App{cfg: c, log: log, store: store, ownStore: own}
	handler, err := a.build(ctx)
	if err != nil {
		a.closeStore()
		return nil, err
	}
	addr := net.JoinHostPort(c.Address, strconv.Itoa(c.Port))
	a.ln, err = net.Listen("tcp", addr)
	if err != nil {
		a.closeStore()
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	a.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	a.watch()
	log.Info("arbiter listening", "address", a.ln.Addr().String(), "store", desc, "modules", c.Modules,
		"watch", a.watcher != nil, "admin_api", c.AdminUser != "")
	logShortTokenExpiry(log, c.TokenExpiry)
	return a, nil
}

// ShortTokenExpiry is the session token lifetime below which the server
// says at startup that clients will refresh their sessions all the time.
const ShortTokenExpiry = 5 * time.Minute

const shortExpiryMessage = "session tokens expire in under 5 minutes: client SDKs will refresh sessions on every call; " +
	"set a longer --token-expiry in production (e.g. 2h)"

// logShortTokenExpiry notes a short session token lifetime. Nakama's
// default (60 s, kept for compatibility) is shorter than the margin the
// client SDKs refresh a session within (nakama-js: 5 minutes), so they
// refresh it before every call, and nakama-js warns each time.
func logShortTokenExpiry(log *slog.Logger, expiry time.Duration) {
	if expiry >= ShortTokenExpiry {
		return
	}
	log.Info(shortExpiryMessage, "token_expiry", expiry.String())
}

// watch starts watching the modules folder when the configuration says so:
// Watch "true", or "auto" with the embedded SQLite store. A folder that
// cannot be watched (missing) is logged, not fatal.
func (a *App) watch() {
	on := a.cfg.Watch == "true"
	if a.cfg.Watch == WatchAuto {
		_, on = a.store.(*sqlite.Store)
	}
	if !on {
		return
	}
	w, err := a.engine.modules.Watch(a.cfg.Modules, 0)
	if err != nil {
		a.log.Warn("not watching the modules folder", runtime.LogError, err.Error())
		return
	}
	a.watcher = w
}

// Addr is the address the server listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Serve serves until Shutdown; it returns nil after a shutdown.
func (a *App) Serve() error {
	err := a.http.Serve(a.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops the server within ctx: it stops accepting requests, runs
// the modules' shutdown hooks and gives every match match_terminate with
// the time left, stops what still runs, closes the sockets, and closes the
// store (unless it was given to NewWithStore).
func (a *App) Shutdown(ctx context.Context) error {
	if a.watcher != nil {
		a.watcher.Close()
	}
	a.stopBackground()
	err := a.http.Shutdown(ctx)
	a.engine.shutdown(ctx)
	if serr := a.socket.Shutdown(ctx); err == nil {
		err = serr
	}
	a.engine.close()
	if cerr := a.closeStore(); err == nil {
		err = cerr
	}
	return err
}

// closeStore closes the store if the App opened it.
func (a *App) closeStore() error {
	if !a.ownStore {
		return nil
	}
	return a.store.Close()
}

// Run serves until ctx is done, then shuts down within the grace period.
func Run(ctx context.Context, c Config, log *slog.Logger) error {
	a, err := New(ctx, c, log)
	if err != nil {
		return err
	}
	if c.DebugAddress != "" {
		stop, err := serveDebug(c.DebugAddress, log)
		if err != nil {
			a.Shutdown(context.Background())
			return err
		}
		defer stop()
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	select {
	case err := <-served:
		if a.watcher != nil {
			a.watcher.Close()
		}
		a.closeStore()
		return err
	case <-ctx.Done():
	}
	log.Info("arbiter shutting down", "grace", c.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
	defer cancel()
	err = a.Shutdown(sctx)
	<-served
	log.Info("arbiter stopped")
	return err
}
