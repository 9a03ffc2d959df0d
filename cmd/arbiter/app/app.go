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

	"github.com/arbiterhq/arbiter/api"
	"github.com/arbiterhq/arbiter/api/rest"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/storage/postgres"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

// Store is everything the server needs from persistence.
type Store interface {
	runtime.IdentityStore
	runtime.AccountStore
	runtime.TokenStore
	runtime.ObjectStore
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
	ln    net.Listener
	http  *http.Server
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
	a := &App{cfg: c, log: log, store: store}
	handler, err := a.build(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	addr := net.JoinHostPort(c.Address, strconv.Itoa(c.Port))
	a.ln, err = net.Listen("tcp", addr)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	a.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("arbiter listening", "address", a.ln.Addr().String(), "store", desc, "modules", c.Modules)
	return a, nil
}

func (a *App) build(ctx context.Context) (http.Handler, error) {
	tokens, err := auth.New(ctx, auth.Config{
		SessionKey: a.cfg.SessionKey, RefreshKey: a.cfg.RefreshKey,
		TokenExpiry: a.cfg.TokenExpiry, RefreshExpiry: a.cfg.RefreshExpiry,
		Store: a.store,
	})
	if err != nil {
		return nil, err
	}
	accounts := account.New(account.Deps{Identities: a.store, Accounts: a.store, Tokens: tokens})
	objects := object.New(a.store)
	restAPI := rest.New(rest.Deps{
		Accounts: accounts, Objects: objects, Tokens: tokens,
		ServerKey: a.cfg.ServerKey, Logger: a.log,
	})
	return api.NewHandler(api.Deps{
		REST: restAPI,
		Ready: func(r *http.Request) error {
			if err := a.store.Ping(r.Context()); err != nil {
				return fmt.Errorf("store unreachable: %v", err)
			}
			return nil
		},
	}), nil
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

// Shutdown stops accepting, lets requests finish until ctx ends, then
// closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.http.Shutdown(ctx)
	if cerr := a.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Run serves until ctx is done, then shuts down within the grace period.
func Run(ctx context.Context, c Config, log *slog.Logger) error {
	a, err := New(ctx, c, log)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	select {
	case err := <-served:
		a.store.Close()
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
