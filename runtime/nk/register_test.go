package nk

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestRegister(t *testing.T) {
	e := bare()
	reg := &fakeRegistrar{}
	c := &Call{Ctx: context.Background(), Registrar: reg}
	fn := &fakeFunction{}

	if _, err := e.tryCall(c, "register_rpc", fn, "My_RPC"); err != nil {
		t.Fatal(err)
	}
	if reg.rpcs["my_rpc"] != fn {
		t.Fatalf("rpcs = %v, want my_rpc lowercased", reg.rpcs)
	}
	_, err := e.tryCall(c, "register_rpc", fn, "")
	checkErr(t, err, "bad argument #2 to register_rpc (expects rpc id)")
	_, err = e.tryCall(c, "register_rpc", fn, nil)
	checkErr(t, err, "bad argument #2 to register_rpc (string expected, got nil)")
	_, err = e.tryCall(c, "register_rpc", "fn", "id")
	checkErr(t, err, "bad argument #1 to register_rpc (function expected, got string)")

	if _, err := e.tryCall(c, "register_matchmaker_matched", fn); err != nil || reg.matchmaker != fn {
		t.Fatalf("matchmaker: %v", err)
	}
	if _, err := e.tryCall(c, "register_shutdown", fn); err != nil || reg.shutdown != fn {
		t.Fatalf("shutdown: %v", err)
	}

	reg.err = errors.New("refused")
	_, err = e.tryCall(c, "register_rpc", fn, "x")
	checkErr(t, err, "refused")
}

// Without a Registrar (a match VM, a request VM) registrations do nothing.
func TestRegisterWithoutRegistrar(t *testing.T) {
	e := bare()
	fn := &fakeFunction{}
	for _, name := range []string{"register_matchmaker_matched", "register_shutdown"} {
		if _, err := e.try(name, fn); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := e.try("register_rpc", fn, "id"); err != nil {
		t.Error(err)
	}
	e.wantErr(t, "bad argument #2 to register_rpc (expects rpc id)", "register_rpc", fn, "")
}

func TestRunOnce(t *testing.T) {
	e := bare()
	var got map[string]any
	first := &fakeFunction{fn: func(args []any) { got = args[0].(map[string]any) }}
	e.call(t, "run_once", first)
	e.call(t, "run_once", first)
	second := &fakeFunction{}
	e.call(t, "run_once", second)
	if first.count() != 1 || second.count() != 0 {
		t.Fatalf("calls = %d, %d; want 1, 0", first.count(), second.count())
	}
	want := map[string]any{"execution_mode": "run_once", "node": testNode, "version": "1.2.3"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("context[%s] = %v, want %v", k, got[k], v)
		}
	}
	if got["env"].(map[string]any)["k"] != "v" || len(got["headers"].(map[string]any)) != 0 {
		t.Errorf("context = %v", got)
	}
	if _, hasUser := got["user_id"]; hasUser {
		t.Error("run_once context has a user")
	}
}

func TestRunOnceError(t *testing.T) {
	e := bare()
	e.wantErr(t, "error in run_once function: boom", "run_once", &fakeFunction{err: errors.New("boom")})
	// Later calls do nothing, even though the first failed.
	next := &fakeFunction{}
	e.call(t, "run_once", next)
	if next.count() != 0 {
		t.Fatal("run_once ran twice")
	}
}

// A run_once inside the run_once function does nothing instead of
// deadlocking; concurrent callers run the function once in all.
func TestRunOnceNestedAndConcurrent(t *testing.T) {
	e := bare()
	inner := &fakeFunction{}
	outer := &fakeFunction{}
	outer.fn = func([]any) { e.call(t, "run_once", inner) }
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _, _ = e.try("run_once", outer) })
	}
	wg.Wait()
	if outer.count() != 1 || inner.count() != 0 {
		t.Fatalf("outer %d, inner %d; want 1, 0", outer.count(), inner.count())
	}
}

func TestGetContext(t *testing.T) {
	e := bare()
	ctx := e.call(t, "get_context")[0].(map[string]any)
	if ctx["execution_mode"] != "run_once" || ctx["node"] != testNode || ctx["version"] != "1.2.3" {
		t.Fatalf("context = %v", ctx)
	}
}
