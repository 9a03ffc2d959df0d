// Package reloadtest holds the hot-reload test (sdk/ABI.md §5.6) that the
// guest SDK test packages (vm/wasm/astest, vm/wasm/sdktest) run on their
// build of the arena example, through the module manager as the server
// reloads: each Load is a new version of the module set, and Upgrade is
// what a running match calls at its next tick boundary. It is for tests
// only.
package reloadtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/test/testlog"
)

// NewManager returns a module manager over engine e, closed when t ends
// (before e, if e was made first), and its text log.
func NewManager(t testing.TB, e module.Engine) (*module.Manager, *testlog.Buffer) {
	t.Helper()
	logs := &testlog.Buffer{}
	m := module.NewManager(slog.New(slog.NewTextHandler(logs, nil)), e)
	t.Cleanup(m.Close)
	return m, logs
}

// Load loads one module file as a new version of m's set.
func Load(t testing.TB, m *module.Manager, path string, b []byte) {
	t.Helper()
	if _, err := m.Load(context.Background(), []module.File{{Name: module.Name(path), Path: path, Data: b}}); err != nil {
		t.Fatal(err)
	}
}

// Arena is an SDK's build of the arena example (examples/arena): policy
// migrate, a capacity from the match parameters, moves (op code 4)
// broadcast to all, and a signal that answers
// "messages=N restores=N label=L".
type Arena struct {
	Engine module.Engine // loads the module
	Path   string        // the module file, e.g. "arena_as.wasm"
	Wasm   []byte        // its code
	// Env returns the environment of a new match of module over d.
	Env func(module string, d match.Dispatcher) match.Env
	// Move returns a move message (op code 4) from p.
	Move func(p match.Presence, data string) match.Message
	// Players are three presences: the first plays before the reloads,
	// the second joins after them, and the third finds the match full.
	Players [3]match.Presence
}

// Migrate moves a running arena to two new versions of its module: its
// players, capacity and message count carry over, and the old instances
// are released.
func Migrate(t *testing.T, a Arena) {
	ctx := context.Background()
	name := module.Name(a.Path)
	m, logs := NewManager(t, a.Engine)
	Load(t, m, a.Path, a.Wasm)
	p1, p2, p3 := a.Players[0], a.Players[1], a.Players[2]

	d := &dispatcher{}
	env := a.Env(name, d)
	d.ctx = env.Context
	h, err := m.NewHandler(ctx, name, env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { h.Close() }()
	setup, err := h.Init(ctx, map[string]any{"capacity": int64(2)})
	if err != nil || setup != (match.Setup{TickRate: 10, Label: "arena"}) {
		t.Fatalf("init: %+v %v", setup, err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	if ok, _, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: p1}); !ok || err != nil {
		t.Fatalf("join attempt: %v %v", ok, err)
	}
	if err := h.Join(ctx, 0, []match.Presence{p1}); err != nil {
		t.Fatal(err)
	}
	if err := h.Loop(ctx, 1, []match.Message{a.Move(p1, "a"), a.Move(p1, "b")}); err != nil {
		t.Fatal(err)
	}
	if out, err := h.Signal(ctx, 1, ""); err != nil || out != "messages=2 restores=0 label=players=1" {
		t.Fatalf("signal: %q %v", out, err)
	}
	if nh, err := m.Upgrade(ctx, h, name, env, 2); nh != nil || err != nil {
		t.Fatalf("upgrade without a new version: %v %v", nh, err)
	}

	for version := 1; version <= 2; version++ {
		Load(t, m, a.Path, a.Wasm)
		nh, err := m.Upgrade(ctx, h, name, env, int64(1+version))
		if err != nil || nh == nil {
			t.Fatalf("upgrade to version %d: %v %v", version+1, nh, err)
		}
		h.Close() // as the match does once it has the new handler
		h = nh
	}
	d.calls = nil
	if out, err := h.Signal(ctx, 3, ""); err != nil || out != "messages=2 restores=2 label=players=1" {
		t.Fatalf("signal after two reloads: %q %v, want the state carried over", out, err)
	}
	// The capacity and the player carried over: one more fits, then the
	// match is full.
	if ok, _, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: p2}); !ok || err != nil {
		t.Fatalf("join attempt after the reload: %v %v", ok, err)
	}
	if err := h.Join(ctx, 3, []match.Presence{p2}); err != nil {
		t.Fatal(err)
	}
	if ok, reason, err := h.JoinAttempt(ctx, 3, match.JoinAttempt{Presence: p3}); ok || reason != "match full" || err != nil {
		t.Fatalf("third join attempt: %v %q %v", ok, reason, err)
	}
	if err := h.Loop(ctx, 4, []match.Message{a.Move(p2, "c")}); err != nil {
		t.Fatal(err)
	}
	want := []string{"label players=2", fmt.Sprintf("broadcast op=4 data=%q to=* sender=%s reliable=true", "c", p2.SessionID)}
	if !slices.Equal(d.calls, want) {
		t.Fatalf("dispatcher calls:\n%s\nwant:\n%s", strings.Join(d.calls, "\n"), strings.Join(want, "\n"))
	}
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
	if err := h.Leave(ctx, 7, []match.Presence{p1, p2}); !errors.Is(err, match.ErrNilState) {
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

// dispatcher records what a handler asks of it, one line a call, and
// updates the match context's label as the match registry does.
type dispatcher struct {
	ctx   *runtime.CallContext
	calls []string
}

var _ match.Dispatcher = (*dispatcher)(nil)

func (d *dispatcher) record(kind string, op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) {
	s := fmt.Sprintf("%s op=%d data=%q to=%s", kind, op, data, sessions(to))
	if sender != nil {
		s += " sender=" + sender.SessionID
	}
	d.calls = append(d.calls, s+fmt.Sprintf(" reliable=%v", reliable))
}

func (d *dispatcher) Broadcast(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	d.record("broadcast", op, data, to, sender, reliable)
	return nil
}

func (d *dispatcher) BroadcastDeferred(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	d.record("deferred", op, data, to, sender, reliable)
	return nil
}

func (d *dispatcher) Kick(ps []match.Presence) error {
	d.calls = append(d.calls, "kick "+sessions(ps))
	return nil
}

func (d *dispatcher) UpdateLabel(label string) error {
	d.calls = append(d.calls, "label "+label)
	if d.ctx != nil {
		d.ctx.MatchLabel = label
	}
	return nil
}

// sessions lists the session ids of ps, or "*" for nil (everyone).
func sessions(ps []match.Presence) string {
	if ps == nil {
		return "*"
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.SessionID
	}
	return strings.Join(ids, ",")
}
