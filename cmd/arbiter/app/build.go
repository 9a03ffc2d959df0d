package app

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/arbiterhq/arbiter/api"
	"github.com/arbiterhq/arbiter/api/admin"
	"github.com/arbiterhq/arbiter/api/rest"
	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/api/ws"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
	"github.com/arbiterhq/arbiter/vm/lua"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// Version is the server's version, as module contexts report it.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// engine is the running engine: what shutdown must stop, in order.
type engine struct {
	cfg        Config
	matches    *match.Registry
	matchmaker *matchmaker.Matchmaker
	modules    *module.Manager
}

// parts are the engine's services the edge serves from.
type parts struct {
	tokens     *auth.Tokens
	sessions   *session.Registry
	tracker    *session.Tracker
	router     *session.Router
	statuses   *status.Registry
	relayed    *match.Relayed
	notify     *notify.Service
	chat       *chat.Service
	accounts   *account.Service
	objects    *object.Service
	matches    *match.Registry
	matchmaker *matchmaker.Matchmaker
	modules    *module.Manager
}

// build wires the engine and the edge and loads the modules; a module that
// does not load stops the start with its file and line.
func (a *App) build(ctx context.Context) (http.Handler, error) {
	p, err := a.buildEngine(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.loadModules(ctx, p.modules); err != nil {
		return nil, err
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopBackground = cancel
	go p.matchmaker.Run(bg)
	a.engine = &engine{cfg: a.cfg, matches: p.matches, matchmaker: p.matchmaker, modules: p.modules}
	return a.buildEdge(p)
}

func (a *App) buildEngine(ctx context.Context) (*parts, error) {
	c := a.cfg
	tokens, err := auth.New(ctx, auth.Config{
		SessionKey: c.SessionKey, RefreshKey: c.RefreshKey,
		TokenExpiry: c.TokenExpiry, RefreshExpiry: c.RefreshExpiry, Store: a.store,
	})
	if err != nil {
		return nil, err
	}
	p := &parts{tokens: tokens, sessions: session.NewRegistry(), router: session.NewRouter(wire.Codec{}, a.log)}
	p.tracker = session.NewTracker(func(ev session.Event) { p.router.StreamEvent(p.tracker)(ev) })
	p.statuses = status.New(p.tracker, p.router, a.store)
	p.relayed = match.NewRelayed(p.tracker, p.router)
	p.notify = notify.New(a.store, p.tracker, p.router)
	// Arbiter has no groups yet: chat.NoGroups refuses every group channel.
	p.chat = chat.New(chat.Deps{Tracker: p.tracker, Router: p.router, Store: a.store, Users: a.store,
		Groups: chat.NoGroups{}, Notify: p.notify, Logger: a.log})
	p.accounts = account.New(account.Deps{Identities: a.store, Accounts: a.store, Tokens: tokens,
		Online: p.statuses.Online, BcryptCost: c.BcryptCost})
	p.objects = object.New(a.store)
	p.modules = module.NewManager(a.log)
	mc := c.Match
	mc.Node = c.Node
	p.matches = match.NewRegistry(match.Deps{Config: mc, Factory: p.modules, Tracker: p.tracker,
		Router: p.router, Logger: a.log, Env: c.Env, Version: Version()})
	mmc := c.Matchmaker
	mmc.Node = c.Node
	p.matchmaker = matchmaker.New(mmc, &matchmaker.Notice{Router: p.router, Tokens: tokens,
		Hook: p.modules.MatchmakerHook, Node: c.Node, Version: Version(), Env: c.Env, Logger: a.log}, a.log)
	if err := a.buildVMs(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// buildVMs gives the module manager its Lua and WASM engines over one nk API.
func (a *App) buildVMs(ctx context.Context, p *parts) error {
	c := a.cfg
	api := nk.New(nk.Deps{
		Node: c.Node, Version: Version(), Env: c.Env,
		Accounts: p.accounts, Objects: p.objects, Notifier: p.notify, Matches: p.matches,
		Sessions: p.sessions, Tracker: p.tracker, Router: p.router, Logger: a.log,
	})
	lc := c.Lua
	lc.API, lc.Logger, lc.Node, lc.Version, lc.Env = api, a.log, c.Node, Version(), c.Env
	wc := c.WASM
	wc.API, wc.Logger, wc.Node, wc.Version, wc.Env = api, a.log, c.Node, Version(), c.Env
	if wc.CacheDir == "" && c.DataDir != "" {
		wc.CacheDir = filepath.Join(c.DataDir, "wasm-cache")
	}
	we, err := wasm.New(ctx, wc)
	if err != nil {
		return err
	}
	p.modules.SetEngines(lua.New(lc), we)
	return nil
}

// loadModules loads the modules folder and the uploaded modules.
func (a *App) loadModules(ctx context.Context, m *module.Manager) error {
	m.SetSources(a.cfg.Modules, a.store)
	if _, err := m.Reload(ctx, "start"); err != nil {
		return fmt.Errorf("loading modules: %w", err)
	}
	return nil
}

func (a *App) buildEdge(p *parts) (http.Handler, error) {
	c := a.cfg
	restAPI := rest.New(rest.Deps{
		Accounts: p.accounts, Objects: p.objects, Tokens: p.tokens,
		ServerKey: c.ServerKey, HTTPKey: c.HTTPKey, Logger: a.log,
		Notifications: p.notify, Chat: p.chat, RPC: p.modules, Matches: p.matches,
		Node: c.Node, Version: Version(), Env: c.Env,
	})
	var err error
	a.socket, err = ws.New(ws.Deps{
		Config: c.Socket, Tokens: p.tokens, Sessions: p.sessions, Tracker: p.tracker, Router: p.router,
		Status: p.statuses, Logger: a.log,
		OnClose: []func(*session.Session){p.matchmaker.RemoveSession},
		Pipeline: ws.NewPipeline(ws.PipelineDeps{
			Router: p.router, Relayed: p.relayed, Matches: p.matches, Status: p.statuses, Chat: p.chat,
			Matchmaker: p.matchmaker, Tokens: p.tokens, RPC: p.modules,
			Node: c.Node, Version: Version(), Env: c.Env, Logger: a.log,
		}),
	})
	if err != nil {
		return nil, err
	}
	adminAPI := admin.New(admin.Deps{User: c.AdminUser, Password: c.AdminPassword, Modules: p.modules, Logger: a.log})
	return api.NewHandler(api.Deps{REST: restAPI, WS: a.socket, Ready: a.ready, Admin: adminAPI}), nil
}

// ready is /readyz: the store answers and the modules are loaded.
func (a *App) ready(r *http.Request) error {
	if err := a.store.Ping(r.Context()); err != nil {
		return fmt.Errorf("store unreachable: %v", err)
	}
	return nil
}

// shutdown runs the shutdown hooks and ends the matches within ctx.
func (e *engine) shutdown(ctx context.Context) {
	grace := time.Duration(0)
	if d, ok := ctx.Deadline(); ok {
		grace = time.Until(d)
	}
	hookCtx := &runtime.CallContext{Env: e.cfg.Env, ExecutionMode: runtime.ModeShutdown, Node: e.cfg.Node, Version: Version()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.modules.RunShutdown(ctx, hookCtx)
	}()
	e.matches.Shutdown(ctx, grace)
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// close releases the loaded modules.
func (e *engine) close() { e.modules.Close() }
