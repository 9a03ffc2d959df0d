package lua

import (
	"context"
	"fmt"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// testConfig is a small configuration for tests.
func testConfig() Config {
	return Config{
		API:     nk.New(nk.Deps{Node: "test", Version: "v0", Env: map[string]string{"K": "V"}}),
		PoolMin: 1, PoolMax: 4,
		RPCBudget: time.Second, LoadBudget: time.Second,
		Node: "test", Version: "v0", Env: map[string]string{"K": "V"},
	}
}

// newEngine returns an engine over cfg with the test functions bound.
func newEngine(cfg Config) *Engine {
	e := New(cfg)
	for _, f := range testFuncs() {
		e.addFunc(f)
	}
	return e
}

// load loads src with a test engine.
func load(t testing.TB, src map[string]string) (*Instance, *vmtest.Registrations) {
	t.Helper()
	return loadWith(t, testConfig(), src)
}

func loadWith(t testing.TB, cfg Config, src map[string]string) (*Instance, *vmtest.Registrations) {
	t.Helper()
	reg := vmtest.NewRegistrations()
	inst, err := newEngine(cfg).Load(context.Background(), vmtest.Files(src), reg)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(inst.Close)
	return inst.(*Instance), reg
}

// rpc loads one module and returns its RPC "t".
func rpc(t testing.TB, src string) func(payload string) (string, error) {
	t.Helper()
	_, reg := load(t, map[string]string{"m.lua": "local nk = require('nakama')\n" + src})
	return func(payload string) (string, error) { return reg.Call(context.Background(), "t", payload) }
}

// rpcBody wraps body as RPC "t".
func rpcBody(body string) string {
	return "nk.register_rpc(function(context, payload)\n" + body + "\nend, 't')"
}

// testFuncs are nk functions the tests bind besides the real API.
func testFuncs() []*nk.Func {
	any1 := []nk.Param{{Name: "value", Type: nk.TypeAny}}
	return []*nk.Func{
		{Name: "test_echo", Params: any1, Results: []nk.Result{{Name: "value", Nilable: true}},
			Run: func(_ *nk.Call, a []any) ([]any, error) { return []any{a[0]}, nil }},
		{Name: "test_typeof", Params: any1, Results: []nk.Result{{Name: "type", Type: nk.TypeString}},
			Run: func(_ *nk.Call, a []any) ([]any, error) { return []any{fmt.Sprintf("%T", a[0])}, nil }},
		{Name: "test_fail", Params: []nk.Param{{Name: "msg", Type: nk.TypeString}, {Name: "code", Type: nk.TypeInt, Optional: true, Default: int64(0)}},
			Run: func(_ *nk.Call, a []any) ([]any, error) {
				return nil, &nk.Error{Message: a[0].(string), Code: codeOf(a[1].(int64))}
			}},
		{Name: "test_panic", Run: func(*nk.Call, []any) ([]any, error) { panic("boom") }},
		{Name: "test_call", Params: []nk.Param{{Name: "fn", Type: nk.TypeFunction}, {Name: "arg", Type: nk.TypeAny}},
			Results: []nk.Result{{Name: "result"}},
			Run: func(c *nk.Call, a []any) ([]any, error) {
				res, err := a[0].(nk.Function).Call(c.Ctx, a[1])
				if err != nil {
					return nil, err
				}
				return res, nil
			}},
		{Name: "test_module", Results: []nk.Result{{Name: "module", Type: nk.TypeString}},
			Run: func(c *nk.Call, _ []any) ([]any, error) { return []any{c.Module}, nil }},
		{Name: "test_mode", Results: []nk.Result{{Name: "mode", Type: nk.TypeString}},
			Run: func(c *nk.Call, _ []any) ([]any, error) { return []any{c.Context.ExecutionMode}, nil }},
	}
}

// handlerOf creates a handler of module name from src.
func handlerOf(t testing.TB, src map[string]string, name string) (*handler, *vmtest.Dispatcher) {
	t.Helper()
	inst, _ := load(t, src)
	d := &vmtest.Dispatcher{}
	h, err := inst.NewHandler(context.Background(), name, vmtest.Env(name, d))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	t.Cleanup(h.Close)
	return h.(*handler), d
}

// withBudget runs fn with a match-style CPU budget of limit.
func withBudget(limit time.Duration, fn func(ctx context.Context) error) error {
	b := runtime.NewBudget(context.Background(), limit)
	ctx := b.Start()
	defer b.Stop()
	return fn(ctx)
}

func codeOf(n int64) runtime.Code { return runtime.Code(n) }

var bg = context.Background()

// compileString compiles src as a module file at path.
func compileString(t testing.TB, path, src string) *lua.FunctionProto {
	t.Helper()
	p, err := compileFile(module.File{Name: module.Name(path), Path: path, Data: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runtimeBudget returns a budget as the match engine gives each match.
func runtimeBudget() *runtime.Budget { return runtime.NewBudget(context.Background(), time.Second) }

// vmtestRPCContext returns the context of an RPC call.
func vmtestRPCContext() *runtime.CallContext {
	return &runtime.CallContext{ExecutionMode: runtime.ModeRPC, Node: "test", Env: map[string]string{"K": "V"}}
}
