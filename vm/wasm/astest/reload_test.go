package astest

import (
	"context"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/vm/wasm/reloadtest"
)

// Hot reload of AssemblyScript matches (ABI.md §5.6), through the module
// manager as the server reloads: each Load is a new version of the module
// set, and Upgrade is what a running match calls at its next tick boundary.
// The migrate test is vm/wasm/reloadtest's, shared with the Rust SDK's.

func matchEnv(name string, d match.Dispatcher) match.Env {
	return match.Env{MatchID: "m1.node1", Node: "node1", Module: name, Dispatcher: d,
		Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node1", MatchID: "m1.node1", MatchNode: "node1"}}
}

func TestReloadPolicies(t *testing.T) {
	for file, want := range map[string]module.Policy{"arena_as.wasm": module.PolicyMigrate, "tictactoe_as.wasm": module.PolicyKeep} {
		inst, _ := load(t, file)
		name := strings.TrimSuffix(file, ".wasm")
		if p, ok := inst.(module.Policies).MatchPolicy(name); !ok || p != want {
			t.Errorf("%s: policy %q %v, want %q", name, p, ok, want)
		}
	}
}

// TestReloadMigrate moves a running arena (examples/arena, policy migrate)
// to two new versions of its module: its players, capacity and message
// count carry over, and the old instances are released.
func TestReloadMigrate(t *testing.T) {
	reloadtest.Migrate(t, reloadtest.Arena{Engine: newEngine(t), Path: "arena_as.wasm", Wasm: example(t, "arena_as.wasm"),
		Env: matchEnv, Move: move, Players: [3]match.Presence{px, po, p3}})
}

// TestReloadRefused checks that data the new code refuses leaves the match
// on its old code.
func TestReloadRefused(t *testing.T) {
	inst, _ := load(t, "arena_as.wasm")
	_, err := inst.(match.Restorer).Restore(context.Background(), "arena_as", matchEnv("arena_as", &recorder{}), 1, []byte("junk"))
	if err == nil || !strings.Contains(err.Error(), "arena: bad snapshot") {
		t.Fatalf("restore from junk: %v, want the module's refusal", err)
	}
}

// TestReloadKeep reloads the tic-tac-toe (no policy: keep) in the middle of
// a game: the match stays on its version and plays on with its state, and a
// handler that does not implement snapshot refuses to hand its state over
// without breaking.
func TestReloadKeep(t *testing.T) {
	ctx := context.Background()
	wasmBytes := example(t, "tictactoe_as.wasm")
	m, _ := reloadtest.NewManager(t, newEngine(t))
	reloadtest.Load(t, m, "tictactoe_as.wasm", wasmBytes)
	d := &recorder{}
	env := matchEnv("tictactoe_as", d)
	h, err := m.NewHandler(ctx, "tictactoe_as", env)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	g := &game{t: t, h: h, d: d, env: env}
	setup, err := h.Init(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	g.start()
	g.mustLoop(2, move(px, `{"position":4}`))
	g.expect("before the reload", toAll(opUpdate, `{"board":[0,0,0,0,1,0,0,0,0],"mark":2}`))

	reloadtest.Load(t, m, "tictactoe_as.wasm", wasmBytes)
	if nh, err := m.Upgrade(ctx, h, "tictactoe_as", env, 3); nh != nil || err != nil {
		t.Fatalf("upgrade of a keep match: %v %v, want no move", nh, err)
	}
	_, err = h.(match.Snapshotter).Snapshot(ctx, 3)
	if err == nil || !strings.Contains(err.Error(), "does not implement snapshot") {
		t.Fatalf("snapshot: %v, want the SDK's refusal", err)
	}
	// The game goes on where it was.
	g.mustLoop(3, move(po, `{"position":0}`))
	g.expect("after the reload", toAll(opUpdate, `{"board":[2,0,0,0,1,0,0,0,0],"mark":1}`))
	if st := m.Stats(); st.Migrations != 0 {
		t.Fatalf("stats %+v", st)
	}
}
