package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

const wasiModule = "wasi_snapshot_preview1"

// Module is one loaded .wasm file: its compiled code, what it registered
// and its pool of instances for RPCs and hooks.
type Module struct {
	e        *Engine
	file     module.File
	name     string
	log      *slog.Logger
	nkLog    *slog.Logger // of nk calls, which add the module themselves
	compiled wazero.CompiledModule
	wasi     bool
	regs     registrations
	pool     *pool
}

// registrations is what a module's init declared (sdk/ABI.md §5.3).
type registrations struct {
	rpcs       []string
	handlers   []string
	matchmaker bool
	shutdown   bool
	// policies are the reload policies of match handlers that declare one.
	policies map[string]module.Policy
}

// load compiles, checks and initialises one file.
func (e *Engine) load(ctx context.Context, f module.File) (*Module, error) {
	loadErr := func(err error) error { return &module.LoadError{Path: f.Path, Err: err} }
	compiled, err := e.rt.CompileModule(ctx, f.Data)
	if err != nil {
		return nil, loadErr(err)
	}
	name := f.Name
	if name == "" {
		name = module.Name(f.Path)
	}
	m := &Module{e: e, file: f, name: name, compiled: compiled,
		log: e.cfg.Logger.With("runtime", "wasm", "module", name), nkLog: e.cfg.Logger.With("runtime", "wasm")}
	if err := m.check(); err != nil {
		_ = compiled.Close(ctx)
		return nil, loadErr(err)
	}
	if m.wasi {
		if err := e.ensureWASI(ctx); err != nil {
			_ = compiled.Close(ctx)
			return nil, loadErr(err)
		}
	}
	m.pool = newPool(e.cfg.PoolSize, func(ctx context.Context) (*instance, error) {
		i, _, err := m.newInstance(ctx, false)
		return i, err
	})
	first, regs, err := m.newInstance(ctx, true)
	if err == nil {
		err = m.checkRegistrations(regs)
	}
	if err != nil {
		if first != nil {
			first.close()
		}
		_ = compiled.Close(ctx)
		return nil, loadErr(err)
	}
	m.regs = regs
	m.pool.seed(first)
	return m, nil
}

// check validates the module's imports and exports against the ABI.
func (m *Module) check() error {
	for _, def := range m.compiled.ImportedFunctions() {
		mod, name, _ := def.Import()
		if err := m.checkImport(mod, name, def); err != nil {
			return err
		}
	}
	exports := m.compiled.ExportedFunctions()
	if _, ok := exports["_start"]; ok {
		return errors.New("module is a WASI command (exports _start); build a library (Go: -buildmode=c-shared; Rust: crate-type cdylib)")
	}
	if !hasSig(exports, exVersion.String(), nil, []api.ValueType{i32}) {
		return errors.New("not an Arbiter module: missing export arbiter_abi_version () -> i32")
	}
	if _, ok := m.compiled.ExportedMemories()["memory"]; !ok {
		return errors.New("missing export memory")
	}
	if !hasSig(exports, exAlloc.String(), []api.ValueType{i32}, []api.ValueType{i32}) {
		return errors.New("missing export arbiter_alloc (i32) -> i32")
	}
	for ex := exInit; ex < numExports; ex++ {
		def, ok := exports[ex.String()]
		if ok && !slices.Equal(def.ParamTypes(), []api.ValueType{i32, i32}) || ok && !slices.Equal(def.ResultTypes(), []api.ValueType{i64}) {
			return fmt.Errorf("export %s has signature %s, want (i32, i32) -> i64", ex, sig(def.ParamTypes(), def.ResultTypes()))
		}
		if !ok && ex == exInit {
			return errors.New("missing export arbiter_init (i32, i32) -> i64")
		}
	}
	return nil
}

func (m *Module) checkImport(mod, name string, def api.FunctionDefinition) error {
	switch {
	case mod == wasiModule:
		m.wasi = true
		return nil
	case mod == HostModule:
		f := hostFuncNamed(name)
		if f == nil {
			return fmt.Errorf("unknown import %s.%s", mod, name)
		}
		if !slices.Equal(def.ParamTypes(), f.params) || !slices.Equal(def.ResultTypes(), f.results) {
			return fmt.Errorf("import %s.%s has signature %s, want %s", mod, name,
				sig(def.ParamTypes(), def.ResultTypes()), sig(f.params, f.results))
		}
		return nil
	case strings.HasPrefix(mod, "arbiter_v"):
		v := strings.TrimPrefix(mod, "arbiter_v")
		return fmt.Errorf("module imports %s (ABI version %s); this server supports %s", mod, v, HostModule)
	}
	return fmt.Errorf("imports from module %q: only %s and %s are provided", mod, HostModule, wasiModule)
}

func hasSig(exports map[string]api.FunctionDefinition, name string, params, results []api.ValueType) bool {
	def, ok := exports[name]
	return ok && slices.Equal(def.ParamTypes(), params) && slices.Equal(def.ResultTypes(), results)
}

func sig(params, results []api.ValueType) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for k, t := range ts {
			s[k] = api.ValueTypeName(t)
		}
		return strings.Join(s, ", ")
	}
	return "(" + names(params) + ") -> " + names(results)
}

// checkRegistrations checks that the module exports what it registered.
func (m *Module) checkRegistrations(r registrations) error {
	need := func(what string, ex ...export) error {
		for _, x := range ex {
			if !m.exports(x) {
				return fmt.Errorf("registers %s but does not export %s", what, x)
			}
		}
		return nil
	}
	var errs []error
	if len(r.rpcs) > 0 {
		errs = append(errs, need("RPCs", exRPC))
	}
	if len(r.handlers) > 0 {
		errs = append(errs, need("match handlers", exMatchCreate, exMatchInit, exJoinAttempt, exJoin, exLeave, exLoop, exTerminate, exSignal))
	}
	if r.matchmaker {
		errs = append(errs, need("a matchmaker hook", exMatchmaker))
	}
	if r.shutdown {
		errs = append(errs, need("a shutdown hook", exShutdown))
	}
	for _, name := range abi.SortedKeys(r.policies) {
		switch {
		case !contains(r.handlers, name):
			errs = append(errs, fmt.Errorf("arbiter_init: match_policies names %q, which is not in match_handlers", name))
		case r.policies[name] == module.PolicyMigrate:
			errs = append(errs, need(fmt.Sprintf("the migrate policy for %q", name), exSnapshot, exRestore))
		}
	}
	return errors.Join(errs...)
}

// newInstance instantiates the module, checks its ABI version and runs
// its init. load is true for the instance made while loading, whose
// registrations count.
func (m *Module) newInstance(ctx context.Context, load bool) (*instance, registrations, error) {
	ctx, cancel := context.WithTimeout(ctx, m.e.cfg.InitBudget)
	defer cancel()
	mod, err := m.e.rt.InstantiateModule(ctx, m.compiled, m.moduleConfig())
	if err != nil {
		return nil, registrations{}, err
	}
	i := &instance{m: m, mod: mod, mem: mod.Memory()}
	for ex := range numExports {
		i.fns[ex] = mod.ExportedFunction(ex.String())
	}
	m.e.instances.Store(mod, i)
	regs, err := i.initialize(ctx, load)
	if err != nil {
		i.close()
		return nil, registrations{}, err
	}
	return i, regs, nil
}

func (m *Module) moduleConfig() wazero.ModuleConfig {
	c := wazero.NewModuleConfig().WithName("").WithStartFunctions()
	if m.wasi {
		c = c.WithSysWalltime().WithSysNanotime().WithRandSource(rand.Reader).
			WithStdout(newLineLog(m.log, slog.LevelInfo)).
			WithStderr(newLineLog(m.log, slog.LevelWarn))
	}
	return c
}

// initialize runs _initialize, checks the version and runs arbiter_init.
func (i *instance) initialize(ctx context.Context, load bool) (registrations, error) {
	c := i.m.initContext()
	var reg nk.Registrar
	if load {
		reg = refuseRegistrar{}
	}
	i.begin(c, reg, nil)
	defer i.end()
	if fn := i.mod.ExportedFunction("_initialize"); fn != nil {
		if _, err := fn.Call(ctx); err != nil {
			return registrations{}, fmt.Errorf("_initialize: %w", err)
		}
	}
	if err := i.fns[exVersion].CallWithStack(ctx, i.stack[:]); err != nil {
		return registrations{}, fmt.Errorf("arbiter_abi_version: %w", err)
	}
	if v := int32(i.stack[0]); v != ABIVersion {
		return registrations{}, fmt.Errorf("module built for Arbiter ABI version %d; this server supports version %d", v, ABIVersion)
	}
	i.in.Reset()
	i.in.Map(3)
	i.in.Key("context")
	if err := i.in.Value(c.Map()); err != nil {
		return registrations{}, err
	}
	i.in.Key("module")
	i.in.String(i.m.name)
	i.in.Key("load")
	i.in.Bool(load)
	_, v, err := i.invoke(ctx, exInit, i.in.Bytes())
	if err != nil {
		return registrations{}, err
	}
	return parseRegistrations(v)
}

func (m *Module) initContext() *runtime.CallContext {
	cfg := m.e.cfg
	return &runtime.CallContext{Env: cfg.Env, ExecutionMode: runtime.ModeRunOnce, Node: cfg.Node, Version: cfg.Version}
}

func parseRegistrations(v any) (registrations, error) {
	var r registrations
	if v == nil {
		return r, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return r, errors.New("arbiter_init: reply must be a map")
	}
	var err error
	if r.rpcs, err = stringList(m, "rpcs"); err != nil {
		return r, err
	}
	if r.handlers, err = stringList(m, "match_handlers"); err != nil {
		return r, err
	}
	r.matchmaker, _ = m["matchmaker_matched"].(bool)
	r.shutdown, _ = m["shutdown"].(bool)
	if r.policies, err = policyMap(m["match_policies"]); err != nil {
		return r, err
	}
	return r, nil
}

// policyMap reads match_policies: a map of handler name to "keep" or
// "migrate".
func policyMap(v any) (map[string]module.Policy, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("arbiter_init: match_policies must be a map of handler name to \"keep\" or \"migrate\"")
	}
	out := make(map[string]module.Policy, len(m))
	for name, x := range m {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("arbiter_init: match_policies[%q] must be \"keep\" or \"migrate\"", name)
		}
		p, err := module.ParsePolicy(s)
		if err != nil {
			return nil, fmt.Errorf("arbiter_init: match_policies[%q]: %w", name, err)
		}
		out[name] = p
	}
	return out, nil
}

func stringList(m map[string]any, key string) ([]string, error) {
	l, ok := m[key].([]any)
	if !ok && m[key] != nil {
		return nil, fmt.Errorf("arbiter_init: %s must be a list of strings", key)
	}
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("arbiter_init: %s must be a list of non-empty strings", key)
		}
		out = append(out, s)
	}
	return out, nil
}

// refuseRegistrar explains that WASM modules register through their init
// reply: they cannot pass functions to nk's register_* functions.
type refuseRegistrar struct{}

var errRegister = errors.New("WASM modules register RPCs and hooks in their arbiter_init reply, not with register_* functions")

func (refuseRegistrar) RegisterRPC(string, nk.Function) error       { return errRegister }
func (refuseRegistrar) RegisterMatchmakerMatched(nk.Function) error { return errRegister }
func (refuseRegistrar) RegisterShutdown(nk.Function) error          { return errRegister }

// Close closes the module's pooled instances. Matches keep theirs.
func (m *Module) Close() {
	m.pool.close()
	_ = m.compiled.Close(context.Background())
}
