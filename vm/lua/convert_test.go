package lua

import (
	"reflect"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// TestToGo checks Nakama's conversion rules from Lua to neutral values.
func TestToGo(t *testing.T) {
	tests := []struct {
		code string
		want any
	}{
		{"nil", nil},
		{"true", true},
		{"42", int64(42)},
		{"-3", int64(-3)},
		{"1.5", 1.5},
		{"2^70", 1180591620717411303424.0},
		{"'s'", "s"},
		{"{}", map[string]any{}},
		{"{1, 'a', true}", []any{int64(1), "a", true}},
		{"{1, nil, 3}", []any{int64(1), nil, int64(3)}},
		{"{1, 2, x = 'dropped'}", []any{int64(1), int64(2)}},
		{"{a = 1, b = {c = 'd'}}", map[string]any{"a": int64(1), "b": map[string]any{"c": "d"}}},
		{"{[1.5] = 'x', [true] = 'y'}", map[string]any{"1.5": "x", "true": "y"}},
		// gopher-lua keeps small integer keys in the array part (MaxN 2).
		{"{[2] = 'two'}", []any{nil, "two"}},
		{"{[1000000] = 'far'}", map[string]any{"1000000": "far"}},
	}
	v := newEngine(testConfig()).newVM(&program{}, matchRegistrySize)
	defer v.close()
	for _, tt := range tests {
		if err := v.L.DoString("return " + tt.code); err != nil {
			t.Fatal(err)
		}
		got, err := v.toGo(v.L.Get(-1), 0)
		v.L.Pop(1)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tt.code, got, err, tt.want)
		}
	}
	if err := v.L.DoString("return print"); err != nil {
		t.Fatal(err)
	}
	if f, _ := v.toGo(v.L.Get(-1), 0); reflect.TypeOf(f) != reflect.TypeOf(&function{}) {
		t.Errorf("function converts to %T", f)
	}
}

// TestToLua checks conversions from neutral values to Lua.
func TestToLua(t *testing.T) {
	v := newEngine(testConfig()).newVM(&program{}, matchRegistrySize)
	defer v.close()
	in := map[string]any{
		"n": int64(7), "f": 2.5, "s": "x", "b": []byte("by"), "t": true,
		"l": []any{"a", int64(2)}, "m": map[string]any{"k": "v"}, "time": time.Unix(100, 0),
		"ss": []string{"p", "q"}, "sm": map[string]string{"a": "b"}, "odd": struct{}{},
	}
	v.L.SetGlobal("v", v.toLua(in))
	code := `assert(v.n == 7 and v.f == 2.5 and v.s == 'x' and v.b == 'by' and v.t == true)
assert(v.l[1] == 'a' and v.l[2] == 2 and #v.l == 2 and v.m.k == 'v' and v.time == 100)
assert(v.ss[2] == 'q' and v.sm.a == 'b' and v.odd == nil)`
	if err := v.L.DoString(code); err != nil {
		t.Error(err)
	}
}

// TestNKBinding checks the generic binding through test functions: values
// round-trip, functions call back into the same VM, and calls see the
// module and context.
func TestNKBinding(t *testing.T) {
	body := `local r = nk.test_echo({1, 2, {a = 'b'}})
assert(r[1] == 1 and r[3].a == 'b')
assert(nk.test_typeof(3) == 'int64' and nk.test_typeof(3.5) == 'float64')
assert(nk.test_typeof({}) == 'map[string]interface {}' and nk.test_typeof({1}) == '[]interface {}')
assert(nk.test_typeof(print) == '*lua.function')
assert(nk.test_call(function(x) return x * 2 end, 21) == 42)
local ok, err = pcall(nk.test_call, function() error('inner', 0) end, 1)
assert(not ok and err:find('inner'), err)
assert(nk.test_module() == 'm' and nk.test_mode() == 'rpc')
assert(nk.missing_function == nil)
local ok2, e2 = pcall(nk.test_fail, 'coded', 5)
assert(type(e2) == 'table' and e2[1] == 'coded' and e2[2] == 5)
return 'ok'`
	if got, err := rpc(t, rpcBody(body))(""); err != nil || got != "ok" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestFunctionCallOutsideCallback(t *testing.T) {
	v := newEngine(testConfig()).newVM(&program{}, matchRegistrySize)
	defer v.close()
	f := &function{vm: v, fn: v.L.NewFunction(func(*lua.LState) int { return 0 })}
	if _, err := f.Call(bg); err == nil {
		t.Error("a function called outside a callback ran")
	}
}
