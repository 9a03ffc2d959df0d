package astest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// Hot reload of AssemblyScript matches (ABI.md §5.6), through the module
// manager as the server reloads: each Load is a new version of the module
// set, and Upgrade is what a running match calls at its next tick boundary.

// logBuffer collects a manager's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newManager returns a module manager over a new wasm engine, and its log.
func newManager(t *testing.T) (*module.Manager, *logBuffer) {
	t.Helper()
	ctx := context.Background()
	e, err := wasm.New(ctx, wasm.Config{API: nk.New(nk.Deps{Node: "node1"}), Node: "node1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	logs := &logBuffer{}
	m := module.NewManager(slog.New(slog.NewTextHandler(logs, nil)), e)
	t.Cleanup(m.Close) // before the engine closes
	return m, logs
}

// loadVersion loads one example module as a new version of the set.
func loadVersion(t *testing.T, m *module.Manager, file string) {
	t.Helper()
	f := module.File{Name: module.Name(file), Path: file, Data: example(t, file)}
	if _, err := m.Load(context.Background(), []module.File{f}); err != nil {
		t.Fatal(err)
	}
}

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
	ctx := context.Background()
	m, logs := newManager(t)
	loadVersion(t, m, "arena_as.wasm")

	d := &recorder{}
	env := matchEnv("arena_as", d)
	h, err := m.NewHandler(ctx, "arena_as", env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { h.Close() }()
	setup, err := h.Init(ctx, map[string]any{"capacity": int64(2)})
	if err != nil || setup != (match.Setup{TickRate: 10, Label: "arena"}) {
		t.Fatalf("init: %+v %v", setup, err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	if ok, _, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: px}); !ok || err != nil {
		t.Fatalf("join attempt: %v %v", ok, err)
	}
	if err := h.Join(ctx, 0, []match.Presence{px}); err != nil {
		t.Fatal(err)
	}
	env.Context.MatchLabel = "players=1" // as the registry does on UpdateLabel
	if err := h.Loop(ctx, 1, []match.Message{move(px, "a"), move(px, "b")}); err != nil {
		t.Fatal(err)
	}
	if out, err := h.Signal(ctx, 1, ""); err != nil || out != "messages=2 restores=0 label=players=1" {
		t.Fatalf("signal: %q %v", out, err)
	}
	if nh, err := m.Upgrade(ctx, h, "arena_as", env, 2); nh != nil || err != nil {
		t.Fatalf("upgrade without a new version: %v %v", nh, err)
	}

	for version := 1; version <= 2; version++ {
		loadVersion(t, m, "arena_as.wasm")
		nh, err := m.Upgrade(ctx, h, "arena_as", env, int64(1+version))
		if err != nil || nh == nil {
			t.Fatalf("upgrade to version %d: %v %v", version+1, nh, err)
		}
		h.Close() // as the match does once it has the new handler
		h = nh
	}
	d.take()
	if out, err := h.Signal(ctx, 3, ""); err != nil || out != "messages=2 restores=2 label=players=1" {
		t.Fatalf("signal after two reloads: %q %v, want the state carried over", out, err)
	}
	// The capacity and the player carried over: one more fits, then the
	// match is full.
	if ok, _, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: po}); !ok || err != nil {
		t.Fatalf("join attempt after the reload: %v %v", ok, err)
	}
	if err := h.Join(ctx, 3, []match.Presence{po}); err != nil {
		t.Fatal(err)
	}
	if ok, reason, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: p3}); ok || reason != "match full" || err != nil {
		t.Fatalf("third join attempt: %v %q %v", ok, reason, err)
	}
	if err := h.Loop(ctx, 4, []match.Message{move(po, "c")}); err != nil {
		t.Fatal(err)
	}
	want := []sent{{kind: "label", data: "players=2"}, {kind: "broadcast", op: opMove, data: "c", sender: "s-o", reliable: true}}
	if got := d.take(); len(got) != len(want) || got[0].String() != want[0].String() || got[1].String() != want[1].String() {
		t.Fatalf("dispatcher calls:\n%s", diff(got, want))
	}
	env.Context.MatchLabel = "players=2"
	if out, err := h.Signal(ctx, 4, ""); err != nil || out != "messages=3 restores=2 label=players=2" {
		t.Fatalf("signal: %q %v", out, err)
	}
	// No terminate: the SDK's default keeps the match going until the grace
	// period ends.
	if err := h.Terminate(ctx, 5, 10); err != nil {
		t.Fatalf("terminate: %v, want the match to go on", err)
	}
	if err := h.Loop(ctx, 6, nil); err != nil {
		t.Fatalf("loop after terminate: %v", err)
	}
	if err := h.Leave(ctx, 7, []match.Presence{px, po}); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("the last players leave: %v, want ErrNilState", err)
	}
	if n := strings.Count(logs.String(), `msg="match migrated to the new code"`); n != 2 {
		t.Fatalf("the log shows %d migrations, want 2:\n%s", n, logs)
	}
	// The versions the match left were released.
	if st := m.Stats(); st.Migrations != 2 || st.MigrationFailures != 0 || st.LiveSets != 1 {
		t.Fatalf("stats %+v, want 2 migrations and only the current set live", st)
	}
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
	m, _ := newManager(t)
	loadVersion(t, m, "tictactoe_as.wasm")
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

	loadVersion(t, m, "tictactoe_as.wasm")
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
