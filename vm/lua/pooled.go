package lua

import (
	"context"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// pooled is a VM of the RPC and hook pool. It has loaded every module
// itself: it shares no Lua value with any other VM, so VMs running at the
// same time cannot race. What its modules registered is looked up in it.
type pooled struct {
	*vm
	rpcs       map[string]*lua.LFunction
	matchmaker *lua.LFunction
	shutdown   *lua.LFunction

	// globals is the real globals table behind the read-only proxy;
	// sealed is set once the modules have loaded.
	globals *lua.LTable
	proxy   *lua.LTable
	sealed  bool

	rpcBudget, hookBudget *runtime.Budget
}

// newPooled creates a pooled VM and runs every module's top-level code in
// module-name order; a module already required by an earlier one is not
// run again.
func (in *Instance) newPooled(ctx context.Context) (*pooled, error) {
	e := in.eng
	p := &pooled{vm: e.newVM(in.prog, e.cfg.RegistrySize), rpcs: map[string]*lua.LFunction{}}
	materialize(p.L.G.Global) // a full table behind the read-only proxy
	p.protectGlobals()
	lctx, cancel := context.WithTimeout(ctx, e.cfg.LoadBudget)
	defer cancel()
	p.setCall(e.loadContext(), "", e.cfg.Logger, p)
	for _, c := range in.prog.order {
		if _, err := p.requireModule(lctx, c.name); err != nil {
			p.close()
			if lctx.Err() != nil {
				err = ErrBudget
			}
			return nil, in.prog.loadError(err, c.path)
		}
	}
	p.setCall(nil, "", e.cfg.Logger, nil)
	p.sealed = true
	p.rpcBudget = runtime.NewBudget(context.Background(), e.cfg.RPCBudget)
	p.hookBudget = runtime.NewBudget(context.Background(), e.cfg.HookBudget)
	return p, nil
}

// registered reports whether the modules registered anything the pool runs.
func (p *pooled) registered() bool {
	return len(p.rpcs) > 0 || p.matchmaker != nil || p.shutdown != nil
}

// RegisterRPC implements nk.Registrar. Ids are case-insensitive and the last
// registration wins, as in Nakama.
func (p *pooled) RegisterRPC(id string, fn nk.Function) error {
	lf, err := p.own(fn)
	if err != nil {
		return err
	}
	p.rpcs[strings.ToLower(id)] = lf
	return nil
}

// RegisterMatchmakerMatched implements nk.Registrar.
func (p *pooled) RegisterMatchmakerMatched(fn nk.Function) error {
	lf, err := p.own(fn)
	p.matchmaker = lf
	return err
}

// RegisterShutdown implements nk.Registrar.
func (p *pooled) RegisterShutdown(fn nk.Function) error {
	lf, err := p.own(fn)
	p.shutdown = lf
	return err
}

// own returns the Lua function of fn, which must be of this VM, during
// loading.
func (p *pooled) own(fn nk.Function) (*lua.LFunction, error) {
	if p.sealed {
		return nil, errNoRegistrar
	}
	f, ok := fn.(*function)
	if !ok || f.vm != p.vm {
		return nil, errNotLuaFunction
	}
	return f.fn, nil
}

// protectGlobals makes the globals read-only once the modules have loaded:
// the globals move into a backing table behind an empty proxy whose
// __newindex refuses writes after sealing. Pooled VMs serve calls in turn,
// so a global written by one call would leak into whichever call the VM
// serves next; Nakama refuses such writes, and so does Arbiter. rawset,
// rawget, next and pairs see through the proxy, and its metatable is
// protected.
func (p *pooled) protectGlobals() {
	L := p.L
	p.globals = L.G.Global
	p.proxy = L.NewTable()
	mt := L.CreateTable(0, 3)
	mt.RawSetString("__index", p.globals)
	mt.RawSetString("__newindex", L.NewFunction(p.setGlobal))
	mt.RawSetString("__metatable", lua.LFalse)
	p.proxy.Metatable = mt
	p.globals.RawSetString("_G", p.proxy)
	L.G.Global, L.Env = p.proxy, p.proxy
	L.SetFuncs(p.globals, map[string]lua.LGFunction{
		"rawset": p.rawset, "rawget": p.rawget, "next": p.next, "pairs": p.pairs,
	})
}

func (p *pooled) setGlobal(L *lua.LState) int {
	if p.sealed {
		L.RaiseError(msgReadOnly)
	}
	p.globals.RawSet(L.CheckAny(2), L.Get(3))
	return 0
}

// real returns the table behind t: the backing table for the proxy.
func (p *pooled) real(t *lua.LTable) *lua.LTable {
	if t == p.proxy {
		return p.globals
	}
	return t
}

func (p *pooled) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if t == p.proxy && p.sealed {
		L.RaiseError(msgReadOnly)
	}
	p.real(t).RawSet(L.CheckAny(2), L.CheckAny(3))
	L.SetTop(1)
	return 1
}

func (p *pooled) rawget(L *lua.LState) int {
	fill(L, L.Get(1))
	L.Push(p.real(L.CheckTable(1)).RawGet(L.CheckAny(2)))
	return 1
}

func (p *pooled) next(L *lua.LState) int {
	fill(L, L.Get(1))
	k, v := p.real(L.CheckTable(1)).Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (p *pooled) pairs(L *lua.LState) int {
	t := L.CheckTable(1)
	fill(L, t)
	L.Push(p.globals.RawGetString("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// close releases the VM and its budgets.
func (p *pooled) close() {
	for _, b := range []*runtime.Budget{p.rpcBudget, p.hookBudget} {
		if b != nil {
			b.Close()
		}
	}
	p.vm.close()
}
