package wasm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// API is the part of the nk API the engine uses: *nk.API is one.
type API interface {
	// Func returns the nk function with name, or nil.
	Func(name string) *nk.Func
}

// Config configures an Engine. Zero fields take the defaults below.
type Config struct {
	// API is the nk API that guests call through nk_call. Nil: no nk
	// function exists.
	API API
	// Logger receives guest logs and engine warnings.
	Logger *slog.Logger
	// MemoryLimitPages bounds the memory of each instance, in 64 KiB
	// pages. Default 512 (32 MiB).
	MemoryLimitPages uint32
	// CallBudget bounds one RPC or hook call. Default 2s. Match callbacks
	// run under the match engine's budget instead.
	CallBudget time.Duration
	// InitBudget bounds creating and initialising one instance. Default 10s.
	InitBudget time.Duration
	// PoolSize bounds the instances of one module serving RPCs and hooks
	// at once. Default 16.
	PoolSize int
	// CacheDir, when set, keeps compiled modules on disk across restarts.
	CacheDir string
	// Node, Version and Env fill the context of init, RPC and hook calls
	// where the caller's context leaves them empty.
	Node    string
	Version string
	Env     map[string]string
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MemoryLimitPages == 0 {
		c.MemoryLimitPages = 512
	}
	if c.CallBudget <= 0 {
		c.CallBudget = 2 * time.Second
	}
	if c.InitBudget <= 0 {
		c.InitBudget = 10 * time.Second
	}
	if c.PoolSize <= 0 {
		c.PoolSize = 16
	}
	if c.API == nil {
		c.API = noAPI{}
	}
	return c
}

type noAPI struct{}

func (noAPI) Func(string) *nk.Func { return nil }

// Engine loads WebAssembly modules: it implements module.Engine. One
// wazero runtime serves every module the engine loads.
type Engine struct {
	cfg   Config
	rt    wazero.Runtime
	cache wazero.CompilationCache

	wasiOnce sync.Once
	wasiErr  error

	// instances maps a guest module to its instance, for host functions.
	instances sync.Map // api.Module -> *instance
}

// New returns an engine. Close releases it.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	rc := wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(cfg.MemoryLimitPages)
	e := &Engine{cfg: cfg}
	if cfg.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("wasm: compilation cache: %w", err)
		}
		e.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	e.rt = wazero.NewRuntimeWithConfig(ctx, rc)
	if err := e.instantiateHost(ctx); err != nil {
		_ = e.Close(ctx)
		return nil, err
	}
	return e, nil
}

// Close closes every module the engine loaded and releases the runtime.
func (e *Engine) Close(ctx context.Context) error {
	err := e.rt.Close(ctx)
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(ctx))
	}
	return err
}

// Name implements module.Engine.
func (e *Engine) Name() string { return "wasm" }

// Accepts implements module.Engine: it loads *.wasm files.
func (e *Engine) Accepts(p string) bool { return strings.EqualFold(path.Ext(p), ".wasm") }

// Load implements module.Engine: it compiles each file, checks its ABI
// version, runs its init and registers what it serves.
func (e *Engine) Load(ctx context.Context, files []module.File, reg module.Registrations) (module.Instance, error) {
	set := &loaded{handlers: map[string]*Module{}}
	for _, f := range files {
		m, err := e.load(ctx, f)
		if err != nil {
			set.Close()
			return nil, err
		}
		set.modules = append(set.modules, m)
		for _, name := range m.regs.handlers {
			if prev, dup := set.handlers[name]; dup {
				set.Close()
				return nil, &module.LoadError{Path: f.Path, Err: fmt.Errorf("match handler %q is also served by %s", name, prev.file.Path)}
			}
			set.handlers[name] = m
		}
	}
	for _, m := range set.modules {
		m.register(reg)
	}
	return set, nil
}

// loaded is the modules of one Load: it implements module.Instance.
type loaded struct {
	modules  []*Module
	handlers map[string]*Module
}

// NewHandler implements match.Factory.
func (l *loaded) NewHandler(ctx context.Context, name string, env match.Env) (match.Handler, error) {
	m := l.handlers[name]
	if m == nil {
		return nil, match.ErrModuleNotFound
	}
	return m.NewHandler(ctx, name, env)
}

// MatchModules implements module.MatchModules: the match handlers the
// modules declared.
func (l *loaded) MatchModules() []string {
	names := make([]string, 0, len(l.handlers))
	for name := range l.handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Close implements module.Instance.
func (l *loaded) Close() {
	for _, m := range l.modules {
		m.Close()
	}
}

// ensureWASI instantiates wasi_snapshot_preview1 the first time a module
// imports it.
func (e *Engine) ensureWASI(ctx context.Context) error {
	e.wasiOnce.Do(func() {
		_, e.wasiErr = wasi_snapshot_preview1.NewBuilder(e.rt).Instantiate(ctx)
	})
	return e.wasiErr
}

// instanceOf returns the instance of a guest module, or nil.
func (e *Engine) instanceOf(mod api.Module) *instance {
	v, ok := e.instances.Load(mod)
	if !ok {
		return nil
	}
	return v.(*instance)
}
