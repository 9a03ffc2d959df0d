package sdktest

import (
	"context"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/vm/wasm/reloadtest"
)

// Hot reload of Rust matches (ABI.md §5.6), through the module manager as
// the server reloads: each Load is a new version of the module set, and
// Upgrade is what a running match calls at its next tick boundary. The
// migrate test is vm/wasm/reloadtest's, shared with the AssemblyScript SDK's.

func TestRustReloadPolicies(t *testing.T) {
	e := newEngine(t)
	for file, want := range map[string]module.Policy{"arena_rust": module.PolicyMigrate, "tictactoe_rust": module.PolicyKeep} {
		inst, _ := load(t, e, file+".wasm", rustModule(t, file))
		if p, ok := inst.(module.Policies).MatchPolicy(file); !ok || p != want {
			t.Errorf("%s: policy %q %v, want %q", file, p, ok, want)
		}
	}
}

// TestRustReloadMigrate moves a running arena (examples/arena, policy
// migrate) to two new versions of its module: its players, capacity and
// message count carry over, and the old instances are released.
func TestRustReloadMigrate(t *testing.T) {
	wasmBytes := rustModule(t, "arena_rust") // before newEngine, which caches in the build's directory
	reloadtest.Migrate(t, reloadtest.Arena{Engine: newEngine(t), Path: "arena_rust.wasm", Wasm: wasmBytes,
		Env: newMatchEnv, Move: move, Players: [3]match.Presence{bob, alice, carol}})
}

// TestRustReloadRefused checks that a snapshot the new code refuses leaves
// the match on its old code.
func TestRustReloadRefused(t *testing.T) {
	ctx := context.Background()
	inst, _ := load(t, newEngine(t), "arena_rust.wasm", rustModule(t, "arena_rust"))
	_, err := inst.(match.Restorer).Restore(ctx, "arena_rust", matchEnv("arena_rust", &dispatcher{}), 1, []byte("junk"))
	if err == nil || !strings.Contains(err.Error(), "arena: bad snapshot") {
		t.Fatalf("restore from junk: %v, want the module's refusal", err)
	}
}

// TestRustReloadKeep reloads the tic-tac-toe (no policy: keep) in the middle
// of a game: the match stays on its version and plays on with its state,
// and a handler that does not implement match_snapshot refuses to hand its
// state over without breaking.
func TestRustReloadKeep(t *testing.T) {
	ctx := context.Background()
	wasmBytes := rustModule(t, "tictactoe_rust")
	m, _ := reloadtest.NewManager(t, newEngine(t))
	reloadtest.Load(t, m, "tictactoe_rust.wasm", wasmBytes)
	g := &game{t: t, d: &dispatcher{}, ctx: ctx}
	g.env = matchEnv("tictactoe_rust", g.d)
	h, err := m.NewHandler(ctx, "tictactoe_rust", g.env)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	g.h = h
	setup, err := h.Init(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	g.env.Context.MatchTickRate, g.env.Context.MatchLabel = setup.TickRate, setup.Label
	g.attempt(0, bob, true, "")
	g.attempt(0, alice, true, "")
	g.join(0, bob, alice)
	g.mustLoop(1, move(bob, `{"position":4}`))
	g.expect("before the reload", []sent{toAll(1, startJSON), update([9]int{0, 0, 0, 0, 1, 0, 0, 0, 0}, 2)}, labelClosed)

	reloadtest.Load(t, m, "tictactoe_rust.wasm", wasmBytes)
	if nh, err := m.Upgrade(ctx, h, "tictactoe_rust", g.env, 2); nh != nil || err != nil {
		t.Fatalf("upgrade of a keep match: %v %v, want no move", nh, err)
	}
	_, err = h.(match.Snapshotter).Snapshot(ctx, 2)
	if err == nil || !strings.Contains(err.Error(), "does not implement match_snapshot") {
		t.Fatalf("snapshot: %v, want the SDK's refusal", err)
	}
	// The game goes on where it was.
	g.mustLoop(2, move(alice, `{"position":0}`))
	g.expect("after the reload", []sent{update([9]int{2, 0, 0, 0, 1, 0, 0, 0, 0}, 1)})
	if st := m.Stats(); st.Migrations != 0 {
		t.Fatalf("stats %+v", st)
	}
}
