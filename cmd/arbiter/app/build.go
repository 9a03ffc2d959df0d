package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
	"github.com/arbiterhq/arbiter/runtime/metrics"
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
	nk         *nk.API
	wasm       *wasm.Engine
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
	a.buildMetrics()
	store := a.store // the engine's store: a.store, timed when metrics are on
	if a.metrics != nil {
		store = newMeteredStore(a.store, a.metrics)
	}
	tokens, err := auth.New(ctx, auth.Config{
		SessionKey: c.SessionKey, RefreshKey: c.RefreshKey,
		TokenExpiry: c.TokenExpiry, RefreshExpiry: c.RefreshExpiry, Store: store,
	})
	if err != nil {
		return nil, err
	}
	p := &parts{tokens: tokens, sessions: session.NewRegistry(), router: session.NewRouter(wire.Codec{}, a.log)}
	if a.metrics != nil {
		p.router.SetObserver(a.metrics)
	}
	p.tracker = session.NewTracker(func(ev session.Event) { p.router.StreamEvent(p.tracker)(ev) })
	p.statuses = status.New(p.tracker, p.router, store)
	p.relayed = match.NewRelayed(p.tracker, p.router)
	p.notify = notify.New(store, p.tracker, p.router)
	// Arbiter has no groups yet: chat.NoGroups refuses every group channel.
	p.chat = chat.New(chat.Deps{Tracker: p.tracker, Router: p.router, Store: store, Users: store,
		Groups: chat.NoGroups{}, Notify: p.notify, Logger: a.log})
	p.accounts = account.New(account.Deps{Identities: store, Accounts: store, Tokens: tokens,
		Online: p.statuses.Online, BcryptCost: c.BcryptCost})
	p.objects = object.New(store)
	p.modules = module.NewManager(a.log)
	p.modules.SetSources(c.Modules, store)
	mc := c.Match
	mc.Node = c.Node
	md := match.Deps{Config: mc, Factory: p.modules, Tracker: p.tracker,
		Router: p.router, Logger: a.log, Env: c.Env, Version: Version()}
	if m := a.metrics; m != nil {
		md.Ticks = func(module string) func(time.Duration, int) { return m.Ticks(module).Tick }
	}
	p.matches = match.NewRegistry(md)
	mmc := c.Matchmaker
	mmc.Node = c.Node
	p.matchmaker = matchmaker.New(mmc, &matchmaker.Notice{Router: p.router, Tokens: tokens,
		Hook: p.modules.MatchmakerHook, Node: c.Node, Version: Version(), Env: c.Env, Logger: a.log}, a.log)
	if a.metrics != nil {
		p.matchmaker.ObserveWait(a.metrics.MatchmakerWait)
	}
	if err := a.buildVMs(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// buildVMs gives the module manager its Lua and WASM engines over one nk API.
func (a *App) buildVMs(ctx context.Context, p *parts) error {
	c := a.cfg
	p.nk = nk.New(nk.Deps{
		Node: c.Node, Version: Version(), Env: c.Env,
		Accounts: p.accounts, Objects: p.objects, Notifier: p.notify, Matches: p.matches,
		Sessions: p.sessions, Tracker: p.tracker, Router: p.router, Logger: a.log,
	})
	lc := c.Lua
	lc.API, lc.Logger, lc.Node, lc.Version, lc.Env = p.nk, a.log, c.Node, Version(), c.Env
	wc := c.WASM
	wc.API, wc.Logger, wc.Node, wc.Version, wc.Env = p.nk, a.log, c.Node, Version(), c.Env
	if wc.CacheDir == "" && c.DataDir != "" {
		wc.CacheDir = filepath.Join(c.DataDir, "wasm-cache")
	}
	we, err := wasm.New(ctx, wc)
	if err != nil {
		return err
	}
	p.wasm = we
	p.modules.SetEngines(lua.New(lc), we)
	return nil
}

// loadModules loads the modules folder and the uploaded modules.
func (a *App) loadModules(ctx context.Context, m *module.Manager) error {
	if _, err := m.Reload(ctx, "start"); err != nil {
		return fmt.Errorf("loading modules: %w", err)
	}
	return nil
}

func (a *App) buildEdge(p *parts) (http.Handler, error) {
	c := a.cfg
	// One RPC caller for REST and the socket: RPCs are measured and logged
	// the same whichever way they come.
	rpc := observedRPC{next: p.modules, metrics: a.metrics, log: a.log}
	restAPI := rest.New(rest.Deps{
		Accounts: p.accounts, Objects: p.objects, Tokens: p.tokens,
		ServerKey: c.ServerKey, HTTPKey: c.HTTPKey, Logger: a.log,
		Notifications: p.notify, Chat: p.chat, RPC: rpc, Matches: p.matches,
		Node: c.Node, Version: Version(), Env: c.Env, Metrics: a.metrics,
	})
	var err error
	a.socket, err = ws.New(ws.Deps{
		Config: c.Socket, Tokens: p.tokens, Sessions: p.sessions, Tracker: p.tracker, Router: p.router,
		Status: p.statuses, Logger: a.log, Metrics: a.metrics,
		OnClose: []func(*session.Session){p.matchmaker.RemoveSession},
		Pipeline: ws.NewPipeline(ws.PipelineDeps{
			Router: p.router, Relayed: p.relayed, Matches: p.matches, Status: p.statuses, Chat: p.chat,
			Matchmaker: p.matchmaker, Tokens: p.tokens, RPC: rpc,
			Node: c.Node, Version: Version(), Env: c.Env, Logger: a.log, Metrics: a.metrics,
		}),
	})
	if err != nil {
		return nil, err
	}
	a.watchMetrics(p)
	adminAPI := admin.New(admin.Deps{User: c.AdminUser, Password: c.AdminPassword, Modules: p.modules, Logger: a.log})
	d := api.Deps{REST: restAPI, WS: a.socket, Ready: a.ready, Admin: adminAPI}
	if a.registry != nil {
		d.Metrics = promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{
			ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		})
	}
	return api.NewHandler(d), nil
}

// buildMetrics makes the metrics registry, with the Go runtime's and the
// process's collectors, unless metrics are off.
func (a *App) buildMetrics() {
	if !a.cfg.Metrics {
		return
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.metrics = metrics.New(a.registry)
}

// watchMetrics registers the families read at scrape time.
func (a *App) watchMetrics(p *parts) {
	a.metrics.Watch(metrics.Sources{
		Sockets:  p.sessions.Count,
		Sessions: a.socket.Sessions,
		Matches:  p.matches.CountByModule,
		MatchStats: func() metrics.MatchStats {
			var s metrics.MatchStats
			s.Ticks, s.LateTicks, s.Dropped, s.BudgetOverruns, s.Created, s.Ended = p.matches.Stats().Snapshot()
			return s
		},
		MatchmakerTickets: func() int { return p.matchmaker.Stats().Tickets },
		MatchmakerMatches: func() int64 { return p.matchmaker.Stats().Matches },
		Modules: func() metrics.ModuleStats {
			s := p.modules.Stats()
			return metrics.ModuleStats{Version: s.Version, Reloads: s.Reloads, Failures: s.Failures,
				Migrations: s.Migrations, MigrationFailures: s.MigrationFailures}
		},
		Events: p.nk.Events().Snapshot,
	})
}

// ready is /readyz: the store answers and a module set is loaded. A failed
// reload leaves the previous set serving, so the server stays ready.
func (a *App) ready(r *http.Request) error {
	if err := a.store.Ping(r.Context()); err != nil {
		return fmt.Errorf("store unreachable: %v", err)
	}
	if a.engine == nil || a.engine.modules.Current().Version == 0 {
		reason := "not loaded yet"
		if a.engine != nil {
			if st := a.engine.modules.LastReload(); st.Err != nil {
				reason = st.Err.Error()
			}
		}
		return fmt.Errorf("modules not loaded: %s", reason)
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
