package sdktest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// Hot reload of Rust matches (ABI.md §5.6), through the module manager as
// the server reloads: each Load is a new version of the module set, and
// Upgrade is what a running match calls at its next tick boundary.

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

// newManager returns a module manager over the wasm engine e, and its log.
func newManager(t *testing.T, e *wasm.Engine) (*module.Manager, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	m := module.NewManager(slog.New(slog.NewTextHandler(logs, nil)), e)
	t.Cleanup(m.Close)
	return m, logs
}

// loadVersion loads one module file as a new version of the set.
func loadVersion(t *testing.T, m *module.Manager, path string, b []byte) {
	t.Helper()
	if _, err := m.Load(context.Background(), []module.File{{Name: module.Name(path), Path: path, Data: b}}); err != nil {
		t.Fatal(err)
	}
}

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
	ctx := context.Background()
	wasmBytes := rustModule(t, "arena_rust")
	m, logs := newManager(t, newEngine(t))
	loadVersion(t, m, "arena_rust.wasm", wasmBytes)

	d := &dispatcher{}
	env := matchEnv("arena_rust", d)
	h, err := m.NewHandler(ctx, "arena_rust", env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { h.Close() }()
	setup, err := h.Init(ctx, map[string]any{"capacity": int64(2)})
	if err != nil || setup != (match.Setup{TickRate: 10, Label: "arena"}) {
		t.Fatalf("init: %+v %v", setup, err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	if ok, _, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: bob}); !ok || err != nil {
		t.Fatalf("join attempt: %v %v", ok, err)
	}
	if err := h.Join(ctx, 0, []match.Presence{bob}); err != nil {
		t.Fatal(err)
	}
	if err := h.Loop(ctx, 1, []match.Message{move(bob, "a"), move(bob, "b")}); err != nil {
		t.Fatal(err)
	}
	if out, err := h.Signal(ctx, 1, ""); err != nil || out != "messages=2 restores=0 label=players=1" {
		t.Fatalf("signal: %q %v", out, err)
	}
	if nh, err := m.Upgrade(ctx, h, "arena_rust", env, 2); nh != nil || err != nil {
		t.Fatalf("upgrade without a new version: %v %v", nh, err)
	}

	for version := 1; version <= 2; version++ {
		loadVersion(t, m, "arena_rust.wasm", wasmBytes)
		nh, err := m.Upgrade(ctx, h, "arena_rust", env, int64(1+version))
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
	if ok, _, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: alice}); !ok || err != nil {
		t.Fatalf("join attempt after the reload: %v %v", ok, err)
	}
	if err := h.Join(ctx, 3, []match.Presence{alice}); err != nil {
		t.Fatal(err)
	}
	if ok, reason, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: carol}); ok || reason != "match full" || err != nil {
		t.Fatalf("third join attempt: %v %q %v", ok, reason, err)
	}
	if err := h.Loop(ctx, 4, []match.Message{move(alice, "c")}); err != nil {
		t.Fatal(err)
	}
	got, labels := d.take()
	if want := []sent{{Op: 4, Data: "c", To: "*", Sender: alice.SessionID, Reliable: true}}; len(got) != 1 || got[0] != want[0] {
		t.Fatalf("sent %v, want %v", got, want)
	}
	if len(labels) != 1 || labels[0] != "players=2" {
		t.Fatalf("labels %q", labels)
	}
	if out, err := h.Signal(ctx, 4, ""); err != nil || out != "messages=3 restores=2 label=players=2" {
		t.Fatalf("signal: %q %v", out, err)
	}
	// No match_terminate: the SDK's default keeps the match going until
	// the grace period ends.
	if err := h.Terminate(ctx, 5, 10); err != nil {
		t.Fatalf("terminate: %v, want the match to go on", err)
	}
	if err := h.Loop(ctx, 6, nil); err != nil {
		t.Fatalf("loop after terminate: %v", err)
	}
	if err := h.Leave(ctx, 7, []match.Presence{bob, alice}); !errors.Is(err, match.ErrNilState) {
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
	m, _ := newManager(t, newEngine(t))
	loadVersion(t, m, "tictactoe_rust.wasm", wasmBytes)
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

	loadVersion(t, m, "tictactoe_rust.wasm", wasmBytes)
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
