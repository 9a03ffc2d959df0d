package lua

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// matchModule returns a match module whose callbacks have the given bodies
// (default: return the state, or state, 1, "" for match_init).
func matchModule(bodies map[string]string) string {
	defaults := map[string]string{
		"match_init":         "return {}, 1, ''",
		"match_join_attempt": "return state, true",
		"match_join":         "return state",
		"match_leave":        "return state",
		"match_loop":         "return state",
		"match_terminate":    "return state",
		"match_signal":       "return state, data",
	}
	params := map[string]string{
		"match_init":         "context, params",
		"match_join_attempt": "context, dispatcher, tick, state, presence, metadata",
		"match_signal":       "context, dispatcher, tick, state, data",
	}
	var b strings.Builder
	b.WriteString("local nk = require('nakama')\nlocal M = {}\n")
	for _, name := range callbackNames {
		body, ok := bodies[name]
		if !ok {
			body = defaults[name]
		}
		p, ok := params[name]
		if !ok {
			p = "context, dispatcher, tick, state, arg"
		}
		fmt.Fprintf(&b, "function M.%s(%s)\n%s\nend\n", name, p, body)
	}
	b.WriteString("return M\n")
	return b.String()
}

// newMatch returns the handler of a match module with the given bodies,
// after match_init.
func newMatch(t testing.TB, bodies map[string]string) (*handler, *vmtest.Dispatcher) {
	t.Helper()
	h, d := handlerOf(t, map[string]string{"game.lua": matchModule(bodies)}, "game")
	if _, err := h.Init(bg, nil); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return h, d
}

func TestNewHandlerErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"not a table", "return 1", errMatchNotTable.Error()},
		{"nothing", "", errMatchNotTable.Error()},
		{"missing init", "return {}", "match_init not found or not a function"},
		{"signal not a function", strings.Replace(matchModule(nil), "return M", "M.match_signal = 1 return M", 1), "match_signal not found or not a function"},
		{"error", "error('top')", errMatchLoadPrefix + "game.lua:1: top"},
		{"missing require", "require('nothere')", errMatchLoadPrefix + "game.lua:1: module nothere not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, _ := load(t, map[string]string{"game.lua": "return {}", "other.lua": ""})
			inst.prog.byName["game"].proto = compileString(t, "game.lua", tt.src)
			_, err := inst.NewHandler(bg, "game", vmtest.Env("game", &vmtest.Dispatcher{}))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	inst, _ := load(t, map[string]string{"game.lua": "return {}"})
	if _, err := inst.NewHandler(bg, "nothere", vmtest.Env("nothere", nil)); !errors.Is(err, match.ErrModuleNotFound) {
		t.Errorf("unknown module: %v", err)
	}
}

func TestInitResults(t *testing.T) {
	long := strings.Repeat("x", match.MaxLabelBytes+1)
	tests := []struct {
		name, body string
		want       match.Setup
		err        error
	}{
		{"ok", "return {}, 10, 'lbl'", match.Setup{TickRate: 10, Label: "lbl"}, nil},
		{"fractional rate", "return {}, 5.9, ''", match.Setup{TickRate: 5}, nil},
		{"params", "assert(params.a == 1) return {}, 1, ''", match.Setup{TickRate: 1}, nil},
		{"no label", "return {}, 10", match.Setup{}, errInitLabel},
		{"label not string", "return {}, 10, 5", match.Setup{}, errInitLabel},
		{"nothing", "return", match.Setup{}, errInitLabel},
		{"long label", "return {}, 10, '" + long + "'", match.Setup{}, errInitLabelLength},
		{"rate not number", "return {}, 'x', ''", match.Setup{}, errInitRate},
		{"only label", "return ''", match.Setup{}, errInitRate},
		{"rate 0", "return {}, 0, ''", match.Setup{}, errInitRateRange},
		{"rate 61", "return {}, 61, ''", match.Setup{}, errInitRateRange},
		{"no state", "return 10, ''", match.Setup{}, errInitState},
		{"nil state", "return nil, 10, ''", match.Setup{}, match.ErrNilState},
		{"too many", "return 1, {}, 10, ''", match.Setup{}, errInitTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := handlerOf(t, map[string]string{"game.lua": matchModule(map[string]string{"match_init": tt.body})}, "game")
			got, err := h.Init(bg, map[string]any{"a": int64(1)})
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestJoinAttemptResults(t *testing.T) {
	tests := []struct {
		name, body string
		accept     bool
		reason     string
		err        error
	}{
		{"accept", "return state, true", true, "", nil},
		{"reject with reason", "return state, false, 'full'", false, "full", nil},
		{"accept with reason", "return state, true, 'welcome'", true, "welcome", nil},
		{"nothing", "return", false, "", errJoinTooFew},
		{"number", "return state, 1", false, "", errJoinResult},
		{"only reason", "return 'why'", false, "", errJoinIncorrect},
		{"reason after non-bool", "return state, 1, 'why'", false, "", errJoinNotBool},
		{"no state", "return true", false, "", match.ErrNilState},
		{"nil state", "return nil, true", false, "", match.ErrNilState},
		{"too many", "return 1, state, true", false, "", errJoinTooMany},
		{"sees joiner", "assert(presence.username == 'ann' and metadata.k == 'v' and context.user_id == presence.user_id and context.match_id ~= nil) return state, true", true, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newMatch(t, map[string]string{"match_join_attempt": tt.body})
			p := vmtest.Presence("ann")
			j := match.JoinAttempt{Presence: p, Metadata: map[string]string{"k": "v"},
				Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, UserID: p.UserID, Username: "ann", MatchID: h.env.MatchID}}
			accept, reason, err := h.JoinAttempt(bg, 0, j)
			if !errors.Is(err, tt.err) || accept != tt.accept || reason != tt.reason {
				t.Errorf("got %v %q %v; want %v %q %v", accept, reason, err, tt.accept, tt.reason, tt.err)
			}
		})
	}
}

// TestStateCallbacks checks join, leave, loop and terminate results.
func TestStateCallbacks(t *testing.T) {
	tests := []struct {
		name, body string
		err        string
	}{
		{"state", "return state", ""},
		{"other state", "return {}", ""},
		{"nothing", "return", match.ErrNilState.Error()},
		{"nil", "return nil", match.ErrNilState.Error()},
		{"nil after state", "return state, nil", match.ErrNilState.Error()},
		{"too many", "return state, 1", "Match %s returned too many values, stopping match"},
		{"error", "error('bad', 0)", "bad"},
	}
	calls := map[string]func(h *handler) error{
		"join":      func(h *handler) error { return h.Join(bg, 1, []match.Presence{vmtest.Presence("a")}) },
		"leave":     func(h *handler) error { return h.Leave(bg, 1, []match.Presence{vmtest.Presence("a")}) },
		"loop":      func(h *handler) error { return h.Loop(bg, 1, nil) },
		"terminate": func(h *handler) error { return h.Terminate(bg, 1, 30) },
	}
	for cb, call := range calls {
		for _, tt := range tests {
			t.Run(cb+"/"+tt.name, func(t *testing.T) {
				h, _ := newMatch(t, map[string]string{"match_" + cb: tt.body})
				err := call(h)
				want := tt.err
				if strings.Contains(want, "%s") {
					want = fmt.Sprintf(want, cb)
				}
				if (err == nil) != (want == "") || (err != nil && err.Error() != want) {
					t.Errorf("err = %v, want %q", err, want)
				}
			})
		}
	}
}

func TestSignalResults(t *testing.T) {
	tests := []struct{ name, body, want, err string }{
		{"echo", "return state, data", "ping", ""},
		{"nil data", "return state, nil", "", ""},
		{"state only", "return state", "", errSignalResult.Error()},
		{"nothing", "return", "", errSignalResult.Error()},
		{"number", "return state, 1", "", errSignalResult.Error()},
		{"nil state", "return nil, 'x'", "", match.ErrNilState.Error()},
		{"only data", "return 'x'", "", match.ErrNilState.Error()},
		{"too many", "return 1, state, 'x'", "", "Match signal returned too many values, stopping match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newMatch(t, map[string]string{"match_signal": tt.body})
			got, err := h.Signal(bg, 0, "ping")
			if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
				t.Errorf("got %q, %v; want %q, %q", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestMatchValues checks the values callbacks receive: state kept between
// calls, tick, presences with reason, messages, context.
func TestMatchValues(t *testing.T) {
	h, d := newMatch(t, map[string]string{
		"match_init": "assert(context.match_label == nil and context.env.K == 'V') return {n = 0}, 5, 'start'",
		"match_join": `assert(context.match_label == 'start' and context.match_tick_rate == 5 and context.execution_mode == 'match')
local p = arg[1]
assert(p.username == "a", "u") assert(p.node == "test", "n") assert(p.reason == 1, "r" .. tostring(p.reason)) assert(#p.user_id == 36, "id")
state.n = state.n + 1 return state`,
		"match_loop": `state.n = state.n + 1
assert(tick == 7, 'tick ' .. tick)
local m = arg[1]
assert(#arg == 2 and m.op_code == 3 and m.data == 'hi' and m.reliable == true and m.receive_time_ms == 99)
assert(m.sender.username == 'a' and m.sender.reason == nil and arg[2].data == nil)
dispatcher.match_label_update('n=' .. state.n)
assert(context.match_label == 'n=' .. state.n)
return state`,
		"match_signal": "return state, tostring(state.n) .. context.match_label",
	})
	a := vmtest.Presence("a")
	a.Reason = 1
	if err := h.Join(bg, 0, []match.Presence{a}); err != nil {
		t.Fatal(err)
	}
	msgs := []match.Message{
		{Sender: a, OpCode: 3, Data: []byte("hi"), Reliable: true, ReceiveTimeMs: 99},
		{Sender: a, OpCode: 4},
	}
	if err := h.Loop(bg, 7, msgs); err != nil {
		t.Fatal(err)
	}
	if got, err := h.Signal(bg, 8, ""); err != nil || got != "2n=2" {
		t.Errorf("signal = %q, %v", got, err)
	}
	if len(d.Labels) != 1 || d.Labels[0] != "n=2" {
		t.Errorf("labels = %v", d.Labels)
	}
	// A label set by the engine shows in the context at the next call.
	h.env.Context.MatchLabel = "engine"
	if got, _ := h.Signal(bg, 8, ""); got != "2engine" {
		t.Errorf("signal after engine label = %q", got)
	}
}

// TestMatchVMIsolation checks that each match runs the module's top-level
// code in a VM of its own: globals are per match and writable, and
// registrations in match VMs do nothing.
func TestMatchVMIsolation(t *testing.T) {
	src := "counter = (counter or 0) + 1\nnk.register_rpc(function() end, 'from_match')\n" +
		matchModule(map[string]string{"match_signal": "counter = counter + 1 return state, tostring(counter)"})
	src = strings.Replace(src, "local nk = require('nakama')\n", "", 1)
	src = "local nk = require('nakama')\n" + src
	inst, reg := load(t, map[string]string{"game.lua": src})
	for i := range 2 {
		h, err := inst.NewHandler(bg, "game", vmtest.Env("game", &vmtest.Dispatcher{}))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := h.Signal(bg, 0, ""); err != nil || got != "2" {
			t.Errorf("match %d: counter = %q, %v", i, got, err)
		}
		h.Close()
	}
	if len(reg.RPCs) != 1 {
		t.Errorf("rpcs = %v", reg.RPCs)
	}
}

// TestMatchBudget checks that an endless match_loop stops within its
// budget with an error the engine recognizes.
func TestMatchBudget(t *testing.T) {
	h, _ := newMatch(t, map[string]string{"match_loop": "while true do end"})
	start := time.Now()
	err := withBudget(50*time.Millisecond, func(ctx context.Context) error { return h.Loop(ctx, 0, nil) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
}

func TestMatchLoadBudget(t *testing.T) {
	cfg := testConfig()
	cfg.LoadBudget = 50 * time.Millisecond
	inst, _ := loadWith(t, cfg, map[string]string{"game.lua": "if START then while true do end end return {}"})
	inst.prog.byName["game"].proto = compileString(t, "game.lua", "while true do end")
	_, err := inst.NewHandler(bg, "game", vmtest.Env("game", nil))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

// TestMatchMemoryLimit checks that a match whose state grows past the
// limit fails with ErrMemoryLimit, and one that stays small does not.
func TestMatchMemoryLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MatchMemoryLimit = 256 << 10
	inst, _ := loadWith(t, cfg, map[string]string{"game.lua": matchModule(map[string]string{
		"match_init": "return {items = {}}, 10, ''",
		"match_loop": "for i = 1, 1000 do table.insert(state.items, string.rep('x', 64) .. i) end return state",
		"match_join": "return state",
	})})
	h, err := inst.NewHandler(bg, "game", vmtest.Env("game", &vmtest.Dispatcher{}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Init(bg, nil); err != nil {
		t.Fatal(err)
	}
	h.(*handler).mem.interval = 0 // estimate after every call
	for i := range 100 {
		if err := h.Join(bg, 0, nil); err != nil {
			t.Fatalf("small calls failed at %d: %v", i, err)
		}
	}
	var last error
	for i := 0; i < 20 && last == nil; i++ {
		last = h.Loop(bg, int64(i), nil)
	}
	if last == nil {
		t.Fatal("the match grew past its limit without failing")
	}
	if !errors.Is(last, ErrMemoryLimit) || !strings.Contains(last.Error(), "256 KiB") {
		t.Errorf("err = %v", last)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{4 << 20: "4 MiB", 256 << 10: "256 KiB", 1000: "1000 bytes"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q", n, got)
		}
	}
}
