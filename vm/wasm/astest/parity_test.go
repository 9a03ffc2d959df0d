package astest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/vm/lua"
)

// step is one call of a scripted match; its outcome is compared between
// the Lua tic-tac-toe and the AssemblyScript one.
type step struct {
	call     string // "attempt", "join", "leave", "loop", "signal", "terminate"
	tick     int64
	presence []match.Presence
	msgs     []match.Message
}

// outcome is what a step did: its result and the dispatcher calls.
type outcome struct {
	result string
	calls  []sent
}

// Presences with UUIDs, which the Lua dispatcher requires.
var (
	ux = match.Presence{UserID: "7b0a6f52-6d3e-4c1d-9a51-8f2f3c1e0a01", SessionID: "5f3e2a10-0c4b-4f7e-8a9d-1b2c3d4e5f01", Username: "xavier", Node: "node1"}
	uo = match.Presence{UserID: "3c9d8e7f-1a2b-4c3d-8e4f-5a6b7c8d9e02", SessionID: "5f3e2a10-0c4b-4f7e-8a9d-1b2c3d4e5f02", Username: "olga", Node: "node1"}
	u3 = match.Presence{UserID: "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e503", SessionID: "5f3e2a10-0c4b-4f7e-8a9d-1b2c3d4e5f03", Username: "third", Node: "node1"}
)

func ps(p ...match.Presence) []match.Presence { return p }

func msgs(m ...match.Message) []match.Message { return m }

// parityScripts cover every rule of the game: each runs in a new match.
var parityScripts = map[string][]step{
	"win": {
		{call: "attempt", presence: ps(ux)},
		{call: "join", presence: ps(ux)},
		{call: "loop", tick: 1, msgs: msgs(move(ux, `{"position":4}`))},
		{call: "attempt", tick: 2, presence: ps(uo)},
		{call: "join", tick: 2, presence: ps(uo)},
		{call: "attempt", tick: 2, presence: ps(u3)},
		{call: "loop", tick: 3, msgs: msgs(
			move(uo, `{"position":4}`), move(ux, `{"position":4}`), move(uo, `{"position":4}`),
			move(uo, `{"position":9}`), move(uo, `{"position":-1}`), move(uo, `{"position":1.5}`),
			move(uo, `{"position":"1"}`), move(uo, `[4]`), move(uo, `not json`), move(uo, ``),
			move(u3, `{"position":0}`),
			match.Message{Sender: uo, OpCode: 7, Data: []byte(`{"position":0}`)},
			move(uo, `{"position":0.0}`))},
		{call: "loop", tick: 4, msgs: msgs(move(ux, `{"position":2}`), move(uo, ` {"position" : 1e0} `))},
		{call: "loop", tick: 6, msgs: msgs(move(ux, `{"position":6}`), move(uo, `{"position":3}`))},
		{call: "attempt", tick: 7, presence: ps(u3)},
		{call: "attempt", tick: 7, presence: ps(ux)},
		{call: "signal", tick: 7},
		{call: "loop", tick: 10},
		{call: "loop", tick: 11},
	},
	"draw": {
		{call: "join", presence: ps(ux, uo)},
		{call: "loop", tick: 1, msgs: msgs(
			move(ux, `{"position":0}`), move(uo, `{"position":1}`), move(ux, `{"position":2}`),
			move(uo, `{"position":4}`), move(ux, `{"position":3}`), move(uo, `{"position":5}`),
			move(ux, `{"position":7}`), move(uo, `{"position":6}`), move(ux, `{"position":8}`),
			move(uo, `{"position":8}`))},
		{call: "loop", tick: 6},
	},
	"forfeit and rejoin": {
		{call: "join", presence: ps(ux)},
		{call: "leave", tick: 1, presence: ps(ux)},
		{call: "join", tick: 2, presence: ps(ux)},
		{call: "join", tick: 2, presence: ps(uo)},
		{call: "loop", tick: 3, msgs: msgs(move(ux, `{"position":8}`))},
		{call: "leave", tick: 4, presence: ps(ux)},
		{call: "leave", tick: 4, presence: ps(uo)},
		{call: "attempt", tick: 5, presence: ps(ux)},
		{call: "attempt", tick: 5, presence: ps(u3)},
		{call: "terminate", tick: 5},
	},
	"column win": {
		{call: "join", presence: ps(uo)},
		{call: "join", tick: 1, presence: ps(ux)},
		{call: "loop", tick: 2, msgs: msgs(
			move(uo, `{"position":1}`), move(ux, `{"position":0}`), move(uo, `{"position":4}`),
			move(ux, `{"position":2}`), move(uo, `{"position":7}`))},
	},
}

// play runs a script on a new match of factory's handler name.
func play(t *testing.T, f match.Factory, name string, script []step) []outcome {
	t.Helper()
	ctx := context.Background()
	d := &recorder{}
	env := match.Env{MatchID: "m1.node1", Node: "node1", Module: name, Dispatcher: d,
		Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node1", MatchID: "m1.node1", MatchNode: "node1"}}
	h, err := f.NewHandler(ctx, name, env)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	setup, err := h.Init(ctx, map[string]any{})
	out := []outcome{{result: fmt.Sprintf("init %+v %v", setup, err), calls: d.take()}}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	errText := func(err error) string {
		if errors.Is(err, match.ErrNilState) {
			return "nil state"
		}
		if err != nil {
			return "error"
		}
		return "ok"
	}
	for _, s := range script {
		var r string
		switch s.call {
		case "attempt":
			user := *env.Context
			user.UserID, user.SessionID, user.Username = s.presence[0].UserID, s.presence[0].SessionID, s.presence[0].Username
			ok, reason, err := h.JoinAttempt(ctx, s.tick, match.JoinAttempt{Presence: s.presence[0], Metadata: map[string]string{}, Context: &user})
			r = fmt.Sprintf("%v %q %s", ok, reason, errText(err))
		case "join":
			r = errText(h.Join(ctx, s.tick, s.presence))
		case "leave":
			r = errText(h.Leave(ctx, s.tick, s.presence))
		case "loop":
			r = errText(h.Loop(ctx, s.tick, s.msgs))
		case "signal":
			reply, err := h.Signal(ctx, s.tick, "ping")
			r = fmt.Sprintf("%q %s", reply, errText(err))
		case "terminate":
			r = errText(h.Terminate(ctx, s.tick, 5))
		}
		calls := d.take()
		for _, c := range calls {
			if c.kind == "label" {
				env.Context.MatchLabel = c.data
			}
		}
		out = append(out, outcome{result: s.call + " " + r, calls: calls})
	}
	return out
}

// TestParityWithLua plays the same scripts against modules/tictactoe.lua
// (in the Lua engine) and the AssemblyScript tic-tac-toe and requires the
// same results and the same dispatcher calls, byte for byte.
func TestParityWithLua(t *testing.T) {
	asInst, _ := load(t, "tictactoe_as.wasm")
	src, err := os.ReadFile("../../../modules/tictactoe.lua")
	if err != nil {
		t.Fatal(err)
	}
	le := lua.New(lua.Config{API: nk.New(nk.Deps{})})
	luaInst, err := le.Load(context.Background(), []module.File{{Name: "tictactoe", Path: "tictactoe.lua", Data: src}}, &registrations{rpcs: map[string]module.RPCFunc{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(luaInst.Close)
	for name, script := range parityScripts {
		t.Run(name, func(t *testing.T) {
			want := play(t, luaInst, "tictactoe", script)
			got := play(t, asInst, "tictactoe_as", script)
			for i := range want {
				if i >= len(got) || !reflect.DeepEqual(got[i], want[i]) {
					var g outcome
					if i < len(got) {
						g = got[i]
					}
					t.Fatalf("step %d differs:\n lua: %s\n%s\n as:  %s\n%s", i, want[i].result, diff(want[i].calls, nil), g.result, diff(g.calls, nil))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d steps, want %d", len(got), len(want))
			}
			calls := 0
			for _, o := range want {
				calls += len(o.calls)
			}
			t.Logf("%d steps, %d dispatcher calls identical", len(want), calls)
		})
	}
}
