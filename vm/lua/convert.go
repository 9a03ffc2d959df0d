package lua

import (
	"errors"
	"math"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime/nk"
)

// maxDepth bounds the nesting of tables converted to Go values; deeper (or
// cyclic) tables are refused.
const maxDepth = 64

var errTooDeep = errors.New(msgTooDeep)

// toGo converts a Lua value to the neutral value model, by Nakama's rules:
// a number is an int64 when integral, a table is a list when its array part
// is not empty (MaxN > 0; other keys are dropped) and a map with string
// keys otherwise, and a function is an nk.Function of this VM.
func (v *vm) toGo(lv lua.LValue, depth int) (any, error) {
	switch x := lv.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LNumber:
		return number(x), nil
	case lua.LString:
		return string(x), nil
	case *lua.LTable:
		if depth >= maxDepth {
			return nil, errTooDeep
		}
		return v.tableToGo(x, depth+1)
	case *lua.LFunction:
		return &function{vm: v, fn: x}, nil
	}
	return lv.String(), nil
}

// number returns n as an int64 when it is integral and fits, else float64.
func number(n lua.LNumber) any {
	f := float64(n)
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		return int64(f)
	}
	return f
}

func (v *vm) tableToGo(t *lua.LTable, depth int) (any, error) {
	fill(v.L, t)
	if n := t.MaxN(); n > 0 {
		list := make([]any, n)
		for i := range list {
			e, err := v.toGo(t.RawGetInt(i+1), depth)
			if err != nil {
				return nil, err
			}
			list[i] = e
		}
		return list, nil
	}
	m := map[string]any{}
	for k, val := t.Next(lua.LNil); k != lua.LNil; k, val = t.Next(k) {
		e, err := v.toGo(val, depth)
		if err != nil {
			return nil, err
		}
		m[k.String()] = e
	}
	return m, nil
}

// toLua converts a neutral value (and a few common Go types) to a Lua
// value of this VM: maps become tables, lists 1-based tables, bytes
// strings and times Unix seconds. Other values become nil.
func (v *vm) toLua(x any) lua.LValue {
	switch x := x.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case string:
		return lua.LString(x)
	case []byte:
		return lua.LString(x)
	case map[string]any:
		t := v.L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, v.toLua(e))
		}
		return t
	case []any:
		t := v.L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, v.toLua(e))
		}
		return t
	case *function:
		if x.vm == v {
			return x.fn
		}
		return lua.LNil
	}
	if n, ok := toNumber(x); ok {
		return n
	}
	return v.toLuaOther(x)
}

func toNumber(x any) (lua.LNumber, bool) {
	switch n := x.(type) {
	case int64:
		return lua.LNumber(n), true
	case float64:
		return lua.LNumber(n), true
	case int:
		return lua.LNumber(n), true
	case int32:
		return lua.LNumber(n), true
	case uint32:
		return lua.LNumber(n), true
	case uint64:
		return lua.LNumber(n), true
	case float32:
		return lua.LNumber(n), true
	case time.Time:
		return lua.LNumber(n.Unix()), true
	}
	return 0, false
}

// toLuaOther converts the container types Go code returns most often
// besides the neutral ones.
func (v *vm) toLuaOther(x any) lua.LValue {
	switch x := x.(type) {
	case map[string]string:
		t := v.L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, lua.LString(e))
		}
		return t
	case []string:
		t := v.L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, lua.LString(e))
		}
		return t
	case []map[string]any:
		t := v.L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, v.toLua(e))
		}
		return t
	}
	return lua.LNil
}

// function is a Lua function handed to Go as an nk.Function: calling it
// runs it on its own VM, which must be inside a callback (the caller's).
type function struct {
	vm *vm
	fn *lua.LFunction
}

var _ nk.Function = (*function)(nil)
