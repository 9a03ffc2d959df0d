package lua

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestRPCResults(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"string", "return 'ok'", "ok"},
		{"payload", "return payload", "in"},
		{"nothing", "", ""},
		{"nil", "return nil", ""},
		{"last value", "return 1, 'last'", "last"},
		{"last nil", "return 'a', nil", ""},
		{"context", "return context.execution_mode .. context.node", "rpctest"},
		{"sparse keys", "local t = {} t[60000000] = 1 t[2^40] = 2 return tostring(t[60000000] + t[2^40])", "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rpc(t, rpcBody(tt.body))("in")
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestRPCErrors(t *testing.T) {
	other := "return {fail = function() error('from other') end}"
	tests := []struct {
		name, body string
		code       runtime.Code
		msg        string
	}{
		{"number result", "return 1", runtime.Internal, errInvalidResult.Error()},
		{"table result", "return {}", runtime.Internal, errInvalidResult.Error()},
		{"bool result", "return 'a', true", runtime.Internal, errInvalidResult.Error()},
		{"error in own file", "error('boom')", runtime.Internal, "boom"},
		{"error level 0", "error('plain', 0)", runtime.Internal, "plain"},
		{"error in other file", "require('other').fail()", runtime.Internal, "other.lua:1: from other"},
		{"runtime error", "local t; return t.x", runtime.Internal, "attempt to index a non-table object(nil) with key 'x'"},
		{"table with code", "error({'custom', 3})", runtime.InvalidArgument, "custom"},
		{"table with bad code", "error({'custom', 99})", runtime.Internal, "custom"},
		{"table without code", "error({'only message'})", runtime.Internal, "only message"},
		{"table code not a number", "error({'m', 'x'})", runtime.Internal, "m"},
		{"empty table", "error({})", runtime.Internal, "table: 0x"},
		{"nk error", "nk.test_fail('nope')", runtime.Internal, "nope"},
		{"nk error with code", "nk.test_fail('denied', 7)", runtime.PermissionDenied, "denied"},
		{"nk bad argument", "nk.register_rpc(1, 2)", runtime.Internal, "bad argument #1 to register_rpc (function expected, got number)"},
		{"nk panic", "nk.test_panic()", runtime.Internal, "nk.test_panic: internal error"},
		{"stack overflow", "local function f() return 1 + f() end return f()", runtime.Internal, "stack overflow"},
		{"registry overflow", "local t = {} for i = 1, 20000 do t[i] = true end return unpack(t)", runtime.Internal, "registry overflow"},
		{"deep table to nk", "local t = {} t.t = t nk.test_echo(t)", runtime.Internal, msgTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reg := load(t, map[string]string{"other.lua": other, "m.lua": "local nk = require('nakama')\n" + rpcBody(tt.body)})
			_, err := reg.Call(bg, "t", "")
			var re *runtime.Error
			if !errors.As(err, &re) || !errors.Is(err, runtime.ErrFunction) {
				t.Fatalf("err = %#v, want a runtime.ErrFunction", err)
			}
			if re.Code != tt.code || !strings.Contains(re.Message, tt.msg) {
				t.Errorf("got code %d %q, want code %d with %q", re.Code, re.Message, tt.code, tt.msg)
			}
			if tt.name == "error in own file" && re.Message != "boom" {
				t.Errorf("position not stripped: %q", re.Message)
			}
		})
	}
}

func TestRPCNotFoundInVM(t *testing.T) {
	inst, _ := load(t, map[string]string{"m.lua": "return {}"})
	_, err := inst.rpcFunc("missing")(bg, &runtime.CallContext{}, "")
	if !errors.Is(err, runtime.ErrFunctionNotFound) {
		t.Errorf("err = %v", err)
	}
}

// TestRPCBudget checks that an endless loop stops within the budget, that
// a VM that overran is dropped and that the pool keeps serving.
func TestRPCBudget(t *testing.T) {
	cfg := testConfig()
	cfg.RPCBudget = 50 * time.Millisecond
	src := `local nk = require('nakama')
nk.register_rpc(function() while true do end end, 'spin')
nk.register_rpc(function() while true do pcall(function() while true do end end) end end, 'sneaky')
nk.register_rpc(function() return pcall(function() while true do end end) end, 'tail')
nk.register_rpc(function() return 'ok' end, 'ok')`
	inst, reg := loadWith(t, cfg, map[string]string{"m.lua": src})
	for _, id := range []string{"spin", "sneaky", "tail"} {
		start := time.Now()
		_, err := reg.Call(bg, id, "")
		if took := time.Since(start); took > 10*cfg.RPCBudget {
			t.Errorf("%s took %v", id, took)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrBudget) {
			t.Errorf("%s: err = %v, want ErrBudget", id, err)
		}
		if got, err := reg.Call(bg, "ok", ""); err != nil || got != "ok" {
			t.Fatalf("after %s: %q, %v", id, got, err)
		}
	}
	if n := inst.pool.size(); n < 1 || n > cfg.PoolMax {
		t.Errorf("pool has %d VMs", n)
	}
}

// TestPoolBoundsAndWaits runs more concurrent calls than VMs: at most
// PoolMax VMs live, a call waits for a VM, and a waiting call gives up
// with its context.
func TestPoolBoundsAndWaits(t *testing.T) {
	cfg := testConfig()
	cfg.PoolMin, cfg.PoolMax = 1, 3
	cfg.RPCBudget = time.Second
	src := `local nk = require('nakama')
nk.register_rpc(function(context, payload)
  local deadline = os.clock() + tonumber(payload)
  while os.clock() < deadline do end
  return payload
end, 'busy')`
	inst, reg := loadWith(t, cfg, map[string]string{"m.lua": src})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := reg.Call(bg, "busy", "0.005"); err != nil || got != "0.005" {
				errs <- errors.New("bad result " + got)
			}
			if n := inst.pool.size(); n > cfg.PoolMax {
				errs <- errors.New("too many VMs")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Hold every VM, then a call must wait and give up with its context.
	var held []*pooled
	for range cfg.PoolMax {
		p, err := inst.pool.get(bg)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, p)
	}
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	if _, err := reg.Call(ctx, "busy", "0"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call on a full pool: %v", err)
	}
	for _, p := range held {
		inst.pool.put(p)
	}
	if got, err := reg.Call(bg, "busy", "0"); err != nil || got != "0" {
		t.Errorf("after release: %q, %v", got, err)
	}
}

func TestClosedInstance(t *testing.T) {
	inst, reg := load(t, map[string]string{"m.lua": "local nk = require('nakama')\n" + rpcBody("return 'x'")})
	inst.Close()
	if _, err := reg.Call(bg, "t", ""); !errors.Is(err, ErrClosed) {
		t.Errorf("err = %v", err)
	}
	if inst.pool.size() != 0 {
		t.Errorf("%d VMs left", inst.pool.size())
	}
}

func TestHooks(t *testing.T) {
	id := runtime.NewUUID().String() + ".node"
	tests := []struct {
		name, body, want string
		err              string
	}{
		{"match id", "return '" + id + "'", id, ""},
		{"nil", "return nil", "", ""},
		{"entries", "assert(entries[1].presence.user_id == 'u' and entries[1].properties.skill == 3) return nil", "", ""},
		{"bad id", "return 'nope'", "", errMatchmakerID.Error()},
		{"bad type", "return 42", "", errMatchmakerType.Error()},
		{"error", "error('broken', 0)", "", errMatchmakerPrefix + "broken"},
	}
	entries := []any{map[string]any{"presence": map[string]any{"user_id": "u"}, "properties": map[string]any{"skill": int64(3)}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reg := load(t, map[string]string{"m.lua": "local nk = require('nakama')\nnk.register_matchmaker_matched(function(context, entries)\n" + tt.body + "\nend)"})
			got, err := reg.Matchmaker(bg, &runtime.CallContext{ExecutionMode: runtime.ModeMatchmaker}, entries)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	_, reg := load(t, map[string]string{"m.lua": `local nk = require('nakama')
nk.register_shutdown(function(context) assert(context.execution_mode == 'shutdown') error('bye', 0) end)`})
	err := reg.Shutdowns[0](bg, &runtime.CallContext{ExecutionMode: runtime.ModeShutdown})
	if err == nil || err.Error() != "bye" {
		t.Errorf("shutdown: %v", err)
	}
}

// TestRPCErrorLog checks that a script error is logged with its traceback,
// module and RPC id, and that an error with a code of the module's own is
// not.
func TestRPCErrorLog(t *testing.T) {
	var buf bytes.Buffer
	cfg := testConfig()
	cfg.Logger = slog.New(runtime.NewLogHandler(slog.NewTextHandler(&buf, nil)))
	src := `local nk = require('nakama')
local function inner() error('boom') end
nk.register_rpc(function() inner() end, 'fails')
nk.register_rpc(function() error({'denied', 7}) end, 'custom')`
	_, reg := loadWith(t, cfg, map[string]string{"m.lua": src})
	ctx := &runtime.CallContext{ExecutionMode: runtime.ModeRPC, TraceID: "tr1"}
	if _, err := reg.RPCs["fails"](bg, ctx, ""); err == nil {
		t.Fatal("no error")
	}
	out := buf.String()
	for _, want := range []string{"level=ERROR", "rpc_id=fails", "module=m", "error=boom", "trace_id=tr1", "m.lua:2: in function", "m.lua:3:"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if _, err := reg.RPCs["custom"](bg, ctx, ""); err == nil {
		t.Fatal("no error")
	}
	if buf.Len() != 0 {
		t.Errorf("custom error logged: %s", buf.String())
	}
}
