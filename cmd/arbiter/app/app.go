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
	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/api/ws"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
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
	sessions := session.NewRegistry()
	router := session.NewRouter(wire.Codec{}, a.log)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	statuses := status.New(tracker, router, a.store)
	relayed := match.NewRelayed(tracker, router)
	notifications := notify.New(a.store, tracker, router)
	// Arbiter has no groups yet: chat.NoGroups refuses every group channel.
	chats := chat.New(chat.Deps{Tracker: tracker, Router: router, Store: a.store, Users: a.store,
		Groups: chat.NoGroups{}, Notify: notifications, Logger: a.log})

	accounts := account.New(account.Deps{Identities: a.store, Accounts: a.store, Tokens: tokens,
		Online: statuses.Online, BcryptCost: a.cfg.BcryptCost})
	objects := object.New(a.store)
	restAPI := rest.New(rest.Deps{
		Accounts: accounts, Objects: objects, Tokens: tokens,
		ServerKey: a.cfg.ServerKey, Logger: a.log,
		Notifications: notifications, Chat: chats,
	})
	a.socket, err = ws.New(ws.Deps{
		Config: a.cfg.Socket, Tokens: tokens, Sessions: sessions, Tracker: tracker, Router: router,
		Status: statuses, Logger: a.log,
		Pipeline: ws.NewPipeline(ws.PipelineDeps{Router: router, Relayed: relayed, Status: statuses,
			Chat: chats, Logger: a.log}),
	})
	if err != nil {
		return nil, err
	}
	return api.NewHandler(api.Deps{
		REST: restAPI,
		WS:   a.socket,
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
// closes the store (unless it was given to NewWithStore).
func (a *App) Shutdown(ctx context.Context) error {
	err := a.http.Shutdown(ctx)
	if serr := a.socket.Shutdown(ctx); err == nil {
		err = serr
	}
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
	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	select {
	case err := <-served:
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
