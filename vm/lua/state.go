package lua

import (
	"context"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// vm is one Lua state with the sandboxed libraries, require and the nk
// module. It is used by one goroutine at a time: a pooled VM by the call
// that took it from the pool, a match VM by its match.
type vm struct {
	L    *lua.LState
	eng  *Engine
	prog *program

	loaded  *lua.LTable    // package.loaded (the registry's _LOADED)
	preload *lua.LTable    // package.preload
	loading *lua.LUserData // marks a module whose top-level code runs
	nk      *lua.LTable    // the nakama module, made on first require
	lazyNK  bool           // bind nk functions on first use (match VMs)

	// call is the environment of the running callback, handed to nk
	// functions; active is true while a callback runs.
	call   nk.Call
	active bool

	// ret holds the values the last callback returned (reused).
	ret []lua.LValue

	// match is the match whose VM this is (nil in an RPC VM): the shared
	// dispatcher functions find it here.
	match *handler
}

// newVM returns a VM with the sandboxed libraries, over an initial data
// stack of registrySize values.
func (e *Engine) newVM(prog *program, registrySize int) *vm {
	L := lua.NewState(lua.Options{
		CallStackSize:       e.cfg.CallStackSize,
		RegistrySize:        registrySize,
		RegistryMaxSize:     e.cfg.RegistryMaxSize,
		SkipOpenLibs:        true,
		MinimizeStackMemory: true,
	})
	v := &vm{L: L, eng: e, prog: prog, ret: make([]lua.LValue, 0, 4)}
	v.openLibs()
	v.call.Logger = e.cfg.Logger
	vms.Store(L, v)
	return v
}

// close releases the state.
func (v *vm) close() {
	if v.L != nil {
		vms.Delete(v.L)
		v.L.Close()
		v.L = nil
	}
}

// require implements Lua's require over the load's compiled modules: a
// module's top-level code runs once per VM, its result is kept in
// package.loaded, and "nakama" is the nk module.
func (v *vm) require(L *lua.LState) int {
	name := L.CheckString(1)
	if lv := v.loaded.RawGetString(name); lua.LVAsBool(lv) {
		if lv == v.loading {
			L.RaiseError("loop or previous error loading module: %s", name)
		}
		L.Push(lv)
		return 1
	}
	if name == "nakama" {
		t := v.nkModule()
		v.loaded.RawSetString(name, t)
		L.Push(t)
		return 1
	}
	fn := v.loader(name)
	if fn == nil {
		L.RaiseError("module %s not found:\n\tno field package.preload['%s']\n\tno cached module '%s', ", name, name, name)
	}
	L.Push(v.runModule(name, fn))
	return 1
}

// loader returns the function that loads module name: package.preload's,
// else the compiled module's, else nil.
func (v *vm) loader(name string) *lua.LFunction {
	if fn, ok := v.preload.RawGetString(name).(*lua.LFunction); ok {
		return fn
	}
	if c := v.prog.byName[name]; c != nil {
		return v.L.NewFunctionFromProto(c.proto)
	}
	return nil
}

// runModule runs a module's top-level code (raising its errors) and
// records its result in package.loaded.
func (v *vm) runModule(name string, fn *lua.LFunction) lua.LValue {
	L := v.L
	v.loaded.RawSetString(name, v.loading)
	prev := v.call.Module
	v.call.Module = name
	defer func() { v.call.Module = prev }()
	L.Push(fn)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	res := L.Get(-1)
	L.Pop(1)
	if res == lua.LNil {
		res = lua.LTrue
	}
	v.loaded.RawSetString(name, res)
	return res
}

// requireModule runs require(name) protected, stopped when ctx is done.
func (v *vm) requireModule(ctx context.Context, name string) (lua.LValue, error) {
	v.L.SetContext(ctx)
	defer v.L.RemoveContext()
	v.enter(ctx)
	defer v.leave()
	v.L.Push(v.L.NewFunction(v.require))
	v.L.Push(lua.LString(name))
	if err := v.L.PCall(1, 1, nil); err != nil {
		v.fixTraceback(err, nil)
		return nil, err
	}
	res := v.L.Get(-1)
	v.L.Pop(1)
	return res, nil
}

// enter and leave bracket a callback: nk functions and nk.Function values
// may only run between them.
func (v *vm) enter(ctx context.Context) {
	v.call.Ctx = ctx
	v.active = true
}

func (v *vm) leave() {
	v.active = false
	v.call.Ctx = nil
}

// setCall sets the callback environment nk functions see.
func (v *vm) setCall(c *runtime.CallContext, module string, log *slog.Logger, reg nk.Registrar) {
	v.call.Context = c
	v.call.Module = module
	v.call.Logger = log
	v.call.Registrar = reg
}

// logger returns the logger of the running callback.
func (v *vm) logger() *slog.Logger {
	if v.call.Logger != nil {
		return v.call.Logger
	}
	return v.eng.cfg.Logger
}
