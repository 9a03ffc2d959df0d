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

// matchContextOf is the context of a match's own context table, which
// leaves match_label and match_tick_rate to the handler: they appear once
// match_init has returned and follow the match's changes (handler.go).
type matchContextOf struct{ c *runtime.CallContext }

// lazyContextTable returns an empty table that fills itself with c.
func (v *vm) lazyContextTable(c *runtime.CallContext) *lua.LTable {
	return v.lazyTable(c)
}

// lazyTable returns an empty table that fills itself from ctx, a
// *runtime.CallContext or a matchContextOf.
func (v *vm) lazyTable(ctx any) *lua.LTable {
	L := v.L
	// NewTable would preallocate 32 slots and a map of 32; a first string
	// key in a table without a map makes one of 32 too, so the table gets
	// room for the two a match sets (match_label, match_tick_rate).
	t := L.CreateTable(0, 2)
	mt := L.CreateTable(0, 2)
	ud := L.NewUserData()
	ud.Value = ctx
	mt.RawSetString(ctxKey, ud)
	mt.RawSetString("__index", libs().fillIndex)
	t.Metatable = mt
	return t
}

// fillIndex is __index of a lazy context table.
func fillIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	fill(L, t)
	L.Push(t.RawGet(L.Get(2)))
	return 1
}

// fill completes a lazy table of L's VM before code looks at it without
// indexing it: a lazy copy (sharedlibs.go) becomes a full one, a lazy
// context table gets its fields; other values are left alone. Fields the
// code set before are kept.
func fill(L *lua.LState, lv lua.LValue) {
	t, ok := lv.(*lua.LTable)
	if !ok || t.Metatable == lua.LNil || materialize(t) {
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
	var c *runtime.CallContext
	setup := true
	switch x := ud.Value.(type) {
	case *runtime.CallContext:
		c = x
	case matchContextOf:
		c, setup = x.c, false
	default:
		return
	}
	t.Metatable = lua.LNil
	if c == nil {
		return
	}
	v := vmOf(L)
	for k, val := range c.Map() {
		if !setup && (k == "match_label" || k == "match_tick_rate") {
			continue // the handler sets them in the table itself
		}
		if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, v.toLua(val))
		}
	}
}
