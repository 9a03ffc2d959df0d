package lua

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// counterModule is a match module that counts ticks in state.n and whose
// signal answers "<version>:<n>"; extra is put into its table, init adds
// to the initial state.
func counterModule(version, extra, init string) string {
	return `
local M = {` + extra + `}
function M.match_init(context, params)
  local state = {n = 0}
  ` + init + `
  return state, 10, "label-` + version + `"
end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages)
  state.n = state.n + 1
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace) return nil end
function M.match_signal(context, dispatcher, tick, state, data)
  if data == "ctx" then return state, tostring(context.match_label) .. "/" .. tostring(context.match_tick_rate) end
  return state, "` + version + `:" .. state.n
end
return M
`
}

func TestReloadPolicy(t *testing.T) {
	inst, _ := load(t, map[string]string{
		"kept.lua":     counterModule("v1", "", ""),
		"moved.lua":    counterModule("v1", `reload = "migrate"`, ""),
		"explicit.lua": counterModule("v1", `reload = "keep"`, ""),
		"lib.lua":      `return {reload = "whatever"}`, // not a match module: ignored
	})
	for name, want := range map[string]module.Policy{"kept": module.PolicyKeep, "moved": module.PolicyMigrate,
		"explicit": module.PolicyKeep, "lib": module.PolicyKeep} {
		if got, ok := inst.MatchPolicy(name); !ok || got != want {
			t.Errorf("%s: policy %q %v, want %q", name, got, ok, want)
		}
	}
	if _, ok := inst.MatchPolicy("nope"); ok {
		t.Error("a module that does not exist has a policy")
	}

	for _, bad := range []string{`reload = "sometimes"`, `reload = true`} {
		src := counterModule("v1", "\n\n"+bad, "")
		_, err := newEngine(testConfig()).Load(bg, vmtest.Files(map[string]string{"games/bad.lua": src}), vmtest.NewRegistrations())
		var le *module.LoadError
		if !errors.As(err, &le) || le.Path != "games/bad.lua" || le.Line != 4 || !strings.Contains(err.Error(), "reload policy must be") {
			t.Fatalf("%s: error %v, want games/bad.lua:4 naming the policy", bad, err)
		}
	}
}

func TestSnapshotValues(t *testing.T) {
	cases := []struct {
		name string
		init string
		want any
		err  string
	}{
		{"scalars", `state.s = "x"; state.f = 1.5; state.b = false; state.i = -3`,
			map[string]any{"n": int64(0), "s": "x", "f": 1.5, "b": false, "i": int64(-3)}, ""},
		{"list with holes", `state.board = {"X", nil, "O"}; state.empty = {}`,
			map[string]any{"n": int64(0), "board": []any{"X", nil, "O"}, "empty": map[string]any{}}, ""},
		{"nested", `state.players = {{name = "a", score = 2}, {name = "b"}}`,
			map[string]any{"n": int64(0), "players": []any{map[string]any{"name": "a", "score": int64(2)}, map[string]any{"name": "b"}}}, ""},
		{"function", `state.cb = function() end`, nil, "state.cb is a function"},
		{"cycle", `state.self = state`, nil, "state.self is the same table as state"},
		{"shared", `local p = {name = "a"}; state.list = {p}; state.by_id = {a = p}`, nil, "state.list[1] is the same table as state.by_id.a"},
		{"metatable", `state.obj = setmetatable({}, {})`, nil, "state.obj has a metatable"},
		{"mixed keys", `state.t = {1, 2, x = 3}`, nil, "state.t mixes string keys and list indexes"},
		{"fraction key", `state.t = {[1.5] = true}`, nil, "state.t has the key 1.5"},
		{"boolean key", `state.t = {[true] = 1}`, nil, "state.t has a boolean key"},
		{"sparse", `state.t = {[1] = 1, [100000] = 2}`, nil, "too sparse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, _ := handlerOf(t, map[string]string{"m.lua": counterModule("v1", "", c.init)}, "m")
			if _, err := h.Init(bg, nil); err != nil {
				t.Fatal(err)
			}
			got, err := h.Snapshot(bg, 0)
			switch {
			case c.err != "":
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				if err := h.Loop(bg, 0, nil); err != nil {
					t.Fatalf("the handler broke after a failed snapshot: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(got, c.want):
				t.Fatalf("snapshot %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	inst, _ := load(t, map[string]string{"m.lua": counterModule("v2", `reload = "migrate"`, "")})
	env := vmtest.Env("m", &vmtest.Dispatcher{})
	env.Context.MatchLabel, env.Context.MatchTickRate = "kept-label", 7
	h, err := inst.Restore(bg, "m", env, 12, map[string]any{"n": int64(41), "board": []any{"X", nil, "O"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Loop(bg, 12, nil); err != nil {
		t.Fatal(err)
	}
	if out, _ := h.Signal(bg, 13, ""); out != "v2:42" {
		t.Fatalf("signal %q, want v2:42 (the state carried on)", out)
	}
	if out, _ := h.Signal(bg, 13, "ctx"); out != "kept-label/7" {
		t.Fatalf("context %q, want the match's label and tick rate", out)
	}
	snap, err := h.(match.Snapshotter).Snapshot(bg, 13)
	if err != nil || !reflect.DeepEqual(snap.(map[string]any)["board"], []any{"X", nil, "O"}) {
		t.Fatalf("round trip: %#v %v", snap, err)
	}
	if _, err := inst.Restore(bg, "nope", env, 0, map[string]any{}); !errors.Is(err, match.ErrModuleNotFound) {
		t.Fatalf("unknown module: %v", err)
	}
	if _, err := inst.Restore(bg, "m", env, 0, nil); err == nil {
		t.Fatal("restored from nothing")
	}
	if _, err := inst.Restore(bg, "m", env, 0, struct{}{}); err == nil {
		t.Fatal("restored from a value outside the neutral model")
	}
}

// TestMigrateThroughManager moves a Lua match to new code with the module
// manager, and keeps one whose state cannot be handed over.
func TestMigrateThroughManager(t *testing.T) {
	ctx := context.Background()
	m := module.NewManager(nil, newEngine(testConfig()))
	t.Cleanup(m.Close)
	load := func(version, init string) {
		t.Helper()
		src := map[string]string{"m.lua": counterModule(version, `reload = "migrate"`, init)}
		if _, err := m.Load(ctx, vmtest.Files(src)); err != nil {
			t.Fatal(err)
		}
	}
	start := func() match.Handler {
		t.Helper()
		env := vmtest.Env("m", &vmtest.Dispatcher{})
		h, err := m.NewHandler(ctx, "m", env)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Init(ctx, nil); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := h.Loop(ctx, int64(i), nil); err != nil {
				t.Fatal(err)
			}
		}
		return h
	}

	load("v1", "")
	h := start()
	load("v2", "")
	nh, err := m.Upgrade(ctx, h, "m", vmtest.Env("m", &vmtest.Dispatcher{}), 3)
	if err != nil || nh == nil {
		t.Fatalf("upgrade: %v %v", nh, err)
	}
	h.Close()
	defer nh.Close()
	if out, _ := nh.Signal(ctx, 3, ""); out != "v2:3" {
		t.Fatalf("migrated match answers %q, want v2:3", out)
	}

	load("v3", "state.cb = function() end")
	stuck := start()
	defer stuck.Close()
	load("v4", "")
	if nh, err := m.Upgrade(ctx, stuck, "m", vmtest.Env("m", &vmtest.Dispatcher{}), 3); nh != nil || err == nil || !strings.Contains(err.Error(), "state.cb is a function") {
		t.Fatalf("upgrade of an unconvertible state: %v %v", nh, err)
	}
	if out, _ := stuck.Signal(ctx, 3, ""); out != "v3:3" {
		t.Fatalf("kept match answers %q, want v3:3", out)
	}
	if st := m.Stats(); st.Migrations != 1 || st.MigrationFailures != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTrimClosesThePool(t *testing.T) {
	inst, reg := load(t, map[string]string{"m.lua": "local nk = require('nakama')\n" + rpcBody("return 'x'")})
	if out, err := reg.Call(bg, "t", ""); err != nil || out != "x" {
		t.Fatalf("a call before Trim: %q %v", out, err)
	}
	inst.Trim()
	if _, err := reg.Call(bg, "t", ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("a call after Trim: %v", err)
	}
	if inst.pool.size() != 0 {
		t.Fatalf("%d VMs live after Trim", inst.pool.size())
	}
}
