package lua

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
)

// A callback's context table is filled on first use. Most RPCs and hooks
// never read their context, and building Nakama's table of some fifteen
// fields (and the nested env, headers and query_params) cost more than the
// rest of a small RPC. The table starts empty, with a metatable holding the
// context; reading any field fills it and drops the metatable, so from then
// on it is an ordinary table. Everything that looks at a table without
// indexing it — pairs, next, rawget, getmetatable and the conversion of
// values to Go (json_encode, storage values) — fills it first, so no code
// can tell it was ever empty.

// ctxKey is where a lazy context table's metatable keeps its context.
const ctxKey = "__arbiter_context"

// lazyContextTable returns an empty table that fills itself with c.
func (v *vm) lazyContextTable(c *runtime.CallContext) *lua.LTable {
	L := v.L
	t := L.CreateTable(0, 0) // NewTable would preallocate 32 slots and a map
	mt := L.CreateTable(0, 2)
	ud := L.NewUserData()
	ud.Value = c
	mt.RawSetString(ctxKey, ud)
	if v.fillFn == nil {
		v.fillFn = L.NewFunction(v.fillIndex)
	}
	mt.RawSetString("__index", v.fillFn)
	t.Metatable = mt
	return t
}

// fillIndex is __index of a lazy context table.
func (v *vm) fillIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	v.fillContext(t)
	L.Push(t.RawGet(L.Get(2)))
	return 1
}

// fillContext fills a lazy context table; other values are left alone.
// Fields the code set before reading are kept.
func (v *vm) fillContext(lv lua.LValue) {
	t, ok := lv.(*lua.LTable)
	if !ok {
		return
	}
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return
	}
	ud, ok := mt.RawGetString(ctxKey).(*lua.LUserData)
	if !ok {
		return
	}
	c, _ := ud.Value.(*runtime.CallContext)
	t.Metatable = lua.LNil
	if c == nil {
		return
	}
	for k, val := range c.Map() {
		if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, v.toLua(val))
		}
	}
}

// The base functions that see a table without indexing it fill a lazy
// context first.

func (v *vm) lazyPairs(next lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		v.fillContext(t)
		L.Push(next)
		L.Push(t)
		L.Push(lua.LNil)
		return 3
	}
}

func (v *vm) lazyNext(next *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		v.fillContext(L.Get(1))
		return v.callThrough(L, next)
	}
}

func (v *vm) lazyRawGet(rawget *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		v.fillContext(L.Get(1))
		return v.callThrough(L, rawget)
	}
}

// callThrough calls fn with the current arguments and returns its results.
func (v *vm) callThrough(L *lua.LState, fn *lua.LFunction) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// wrapLazyBase replaces pairs, next and rawget with versions that fill a
// lazy context table first.
func (v *vm) wrapLazyBase(g *lua.LTable) {
	L := v.L
	next, _ := g.RawGetString("next").(*lua.LFunction)
	rawget, _ := g.RawGetString("rawget").(*lua.LFunction)
	if next == nil || rawget == nil {
		return
	}
	g.RawSetString("pairs", L.NewFunction(v.lazyPairs(next)))
	g.RawSetString("next", L.NewFunction(v.lazyNext(next)))
	g.RawSetString("rawget", L.NewFunction(v.lazyRawGet(rawget)))
}
