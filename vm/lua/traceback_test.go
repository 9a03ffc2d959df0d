package lua

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// failingCounter is a match module whose match_loop (defined on line 10)
// fails on line 13 at tick 1, in a helper at tick 2 and in a helper it
// tail-calls at tick 3.
const failingCounter = `local nk = require('nakama')
local M = {}
local function helper(x)
  error('bad ' .. x)
end
function M.match_init(context, params) return {}, 1, '' end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages)
  if tick == 1 then
    local missing = nil
    return missing.count
  end
  if tick == 2 then helper('two') end
  if tick == 3 then return helper('three') end
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace) return state end
return M
`

// TestTracebackLabelsCallbacks checks that the function Go called is
// labelled by where it is defined, as Lua labels a function called from C,
// not as the main chunk (gopher-lua's label for a frame without a caller).
func TestTracebackLabelsCallbacks(t *testing.T) {
	tests := []struct {
		tick int64
		want []string
	}{
		{1, []string{"\tcounter.lua:13: in function <counter.lua:10>\n"}},
		{2, []string{"\tcounter.lua:4: in function 'helper'\n", "\tcounter.lua:15: in function <counter.lua:10>\n"}},
		// match_loop's frame became helper's: the tail call's function.
		{3, []string{"\tcounter.lua:4: in function <counter.lua:3>\n\t(tailcall): ?\n"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		cfg := testConfig()
		cfg.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
		inst, _ := loadWith(t, cfg, map[string]string{"counter.lua": failingCounter})
		h, err := inst.NewHandler(context.Background(), "counter", vmtest.Env("counter", &vmtest.Dispatcher{}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Init(bg, nil); err != nil {
			t.Fatal(err)
		}
		if err := h.Loop(bg, tt.tick, nil); err == nil {
			t.Fatalf("tick %d: match_loop did not fail", tt.tick)
		}
		h.Close()
		var line struct{ Traceback string }
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("tick %d: log %q: %v", tt.tick, buf.String(), err)
		}
		out := line.Traceback
		if strings.Contains(out, "main chunk") {
			t.Errorf("tick %d: a callback is labelled the main chunk:\n%s", tt.tick, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("tick %d: traceback lacks %q:\n%s", tt.tick, w, out)
			}
		}
	}
}

// TestTracebackLabelsRPC checks the label of an RPC function's frame.
func TestTracebackLabelsRPC(t *testing.T) {
	var buf bytes.Buffer
	cfg := testConfig()
	cfg.Logger = slog.New(runtime.NewLogHandler(slog.NewTextHandler(&buf, nil)))
	_, reg := loadWith(t, cfg, map[string]string{"m.lua": `local nk = require('nakama')
nk.register_rpc(function(context, payload)
  error('boom')
end, 'fails')`})
	if _, err := reg.RPCs["fails"](bg, vmtestRPCContext(), ""); err == nil {
		t.Fatal("no error")
	}
	out := buf.String()
	if !strings.Contains(out, `m.lua:3: in function <m.lua:2>`) || strings.Contains(out, "main chunk") {
		t.Errorf("traceback of the RPC:\n%s", out)
	}
}

// TestTracebackLabelsMainChunk checks that a module's top-level code, run
// by require, is the main chunk (gopher-lua labels it "function <b.lua:0>").
func TestTracebackLabelsMainChunk(t *testing.T) {
	prog, err := compile(vmtest.Files(map[string]string{"b.lua": "local x = 1\nerror('top')\n"}))
	if err != nil {
		t.Fatal(err)
	}
	v := newEngine(testConfig()).newVM(prog, DefaultRegistrySize)
	defer v.close()
	_, err = v.requireModule(context.Background(), "b")
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		t.Fatalf("require: %v, want a Lua error", err)
	}
	if !strings.Contains(ae.StackTrace, "\tb.lua:2: in main chunk\n") || strings.Contains(ae.StackTrace, "<b.lua:0>") {
		t.Errorf("traceback of top-level code:\n%s", ae.StackTrace)
	}
}

func TestRelabel(t *testing.T) {
	v := &vm{}
	tests := []struct{ in, want string }{
		{"stack traceback:\n\t[G]: ?", "stack traceback:\n\t[G]: ?"},
		{"stack traceback:\n\tx.lua:3: in function 'f'\n\tx.lua:9: in main chunk\n\t[G]: ?",
			"stack traceback:\n\tx.lua:3: in function 'f'\n\tx.lua:9: in ?\n\t[G]: ?"}, // no function, no program
		{"stack traceback:\n\tx.lua:2: in function <x.lua:0>\n\t[G]: in function 'require'\n\t[G]: ?",
			"stack traceback:\n\tx.lua:2: in main chunk\n\t[G]: in function 'require'\n\t[G]: ?"},
		{"stack traceback:\n\tx.lua:2: in function <x.lua:10>\n\t[G]: ?", "stack traceback:\n\tx.lua:2: in function <x.lua:10>\n\t[G]: ?"},
	}
	for _, tt := range tests {
		if got := v.relabel(tt.in, nil); got != tt.want {
			t.Errorf("relabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
