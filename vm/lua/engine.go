package lua

import (
	"context"
	"log/slog"
	"path"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// Defaults of Config, Nakama's where Nakama has one.
const (
	DefaultCallStackSize    = 128
	DefaultRegistrySize     = 512
	DefaultRegistryMaxSize  = 16 * 1024
	DefaultPoolMin          = 16
	DefaultPoolMax          = 48
	DefaultRPCBudget        = time.Second
	DefaultLoadBudget       = 10 * time.Second
	DefaultMatchMemoryLimit = 4 << 20 // a suggested value; 0 in Config turns the limit off
)

// maxArrayIndex bounds the array part of Lua tables: gopher-lua grows the
// array up to any integer key below lua.MaxArrayIndex, so by default one
// assignment (t[60000000] = 1) allocates a gigabyte. Larger keys go to the
// hash part, which grows with the entries actually set. The variable is
// gopher-lua's and process-wide; this package is its only user.
const maxArrayIndex = 1 << 18

func init() { lua.MaxArrayIndex = maxArrayIndex }

// matchRegistrySize is the initial data stack of a match VM: the smallest
// gopher-lua allows, grown on demand up to RegistryMaxSize.
const matchRegistrySize = 128

// Config configures the Lua engine. Zero fields take the defaults above.
type Config struct {
	// API is the nk API bound into every VM's "nakama" module.
	API    *nk.API
	Logger *slog.Logger
	// CallStackSize bounds nested calls ("stack overflow").
	CallStackSize int
	// RegistrySize is the initial data stack of a pooled VM; it grows up to
	// RegistryMaxSize ("registry overflow").
	RegistrySize    int
	RegistryMaxSize int
	// PoolMin VMs are created when modules load (if they register any RPC
	// or hook); at most PoolMax run at once, further calls wait.
	PoolMin, PoolMax int
	// RPCBudget and HookBudget bound the CPU time of one RPC or hook call;
	// HookBudget defaults to RPCBudget. LoadBudget bounds the top-level code
	// of one VM's modules.
	RPCBudget, HookBudget, LoadBudget time.Duration
	// MatchMemoryLimit bounds the estimated memory a match VM holds, in
	// bytes; 0 turns the check off.
	MatchMemoryLimit int64
	// Node, Version and Env fill the callback context of code that runs
	// while modules load.
	Node    string
	Version string
	Env     map[string]string
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.CallStackSize = orInt(c.CallStackSize, DefaultCallStackSize)
	c.RegistrySize = max(orInt(c.RegistrySize, DefaultRegistrySize), matchRegistrySize)
	c.RegistryMaxSize = max(orInt(c.RegistryMaxSize, DefaultRegistryMaxSize), c.RegistrySize)
	c.PoolMax = orInt(c.PoolMax, DefaultPoolMax)
	c.PoolMin = min(orInt(c.PoolMin, DefaultPoolMin), c.PoolMax)
	c.RPCBudget = orDur(c.RPCBudget, DefaultRPCBudget)
	c.HookBudget = orDur(c.HookBudget, c.RPCBudget)
	c.LoadBudget = orDur(c.LoadBudget, DefaultLoadBudget)
	return c
}

func orInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func orDur(v, d time.Duration) time.Duration {
	if v <= 0 {
		return d
	}
	return v
}

// Engine loads Lua modules: it implements module.Engine.
type Engine struct {
	cfg   Config
	funcs map[string]*nk.Func
	names []string // in the order they were added
}

// New returns a Lua engine.
func New(cfg Config) *Engine {
	e := &Engine{cfg: cfg.withDefaults(), funcs: map[string]*nk.Func{}}
	if cfg.API != nil {
		for _, f := range cfg.API.Funcs() {
			e.addFunc(f)
		}
	}
	return e
}

// addFunc binds one more nk function (tests bind fakes this way).
func (e *Engine) addFunc(f *nk.Func) {
	if _, dup := e.funcs[f.Name]; !dup {
		e.names = append(e.names, f.Name)
	}
	e.funcs[f.Name] = f
}

// Name implements module.Engine.
func (e *Engine) Name() string { return "lua" }

// Accepts implements module.Engine: files ending in .lua, in any case.
func (e *Engine) Accepts(p string) bool { return strings.EqualFold(path.Ext(p), ".lua") }

// Load implements module.Engine. It compiles every file once, runs the
// modules' top-level code in a first VM (which reports what they register to
// reg) and returns an Instance whose pool starts with that VM.
func (e *Engine) Load(ctx context.Context, files []module.File, reg module.Registrations) (module.Instance, error) {
	prog, err := compile(files)
	if err != nil {
		return nil, err
	}
	in := newInstance(e, prog)
	first, err := in.newPooled(ctx)
	if err != nil {
		return nil, err
	}
	in.pool.add(first)
	if err := in.readPolicies(first, files); err != nil {
		in.Close()
		return nil, err
	}
	if first.registered() {
		for i := 1; i < e.cfg.PoolMin; i++ {
			v, err := in.newPooled(ctx)
			if err != nil {
				in.Close()
				return nil, err
			}
			in.pool.add(v)
		}
	}
	in.report(first, reg)
	return in, nil
}

// loadContext is the callback context of code that runs while modules load.
func (e *Engine) loadContext() *runtime.CallContext {
	return &runtime.CallContext{
		Env: e.cfg.Env, ExecutionMode: runtime.ModeRunOnce, Node: e.cfg.Node, Version: e.cfg.Version,
	}
}
