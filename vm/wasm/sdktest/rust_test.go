package sdktest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

func TestRustRPC(t *testing.T) {
	wasmBytes := rustModule(t, "rpc_rust")
	_, reg := load(t, newEngine(t), "rpc_rust.wasm", wasmBytes)
	var ids []string
	for id := range reg.rpcs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if want := []string{"echo", "fail", "json_normalize", "sha256", "whoami"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("registered RPCs %v, want %v", ids, want)
	}
	call := func(id, payload string) (string, error) {
		return reg.rpcs[id](context.Background(), &runtime.CallContext{UserID: "user-1"}, payload)
	}
	for _, tc := range []struct{ id, payload, want string }{
		{"echo", "hello", "hello"},
		{"echo", "", ""},
		{"echo", "ünïcødé \x00 bytes", "ünïcødé \x00 bytes"},
		{"whoami", "", "user-1@node1"},
		{"sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		if got, err := call(tc.id, tc.payload); err != nil || got != tc.want {
			t.Errorf("%s(%q) = %q, %v; want %q", tc.id, tc.payload, got, err, tc.want)
		}
	}
	_, err := call("fail", "x")
	var re *runtime.Error
	if !errors.As(err, &re) || re.Code != runtime.PermissionDenied || re.Message != "not allowed: x" {
		t.Errorf("fail: %#v, want PermissionDenied %q", err, "not allowed: x")
	}
	_, err = call("json_normalize", "{nope")
	if !errors.As(err, &re) || re.Code != runtime.InvalidArgument || !strings.HasPrefix(re.Message, "invalid JSON at offset 1") {
		t.Errorf("json_normalize of bad JSON: %#v", err)
	}
}

// TestRustJSONMatchesNK checks that the Rust SDK's JSON writes what the
// server's nk.json_encode writes for the same decoded data, byte for byte.
func TestRustJSONMatchesNK(t *testing.T) {
	wasmBytes := rustModule(t, "rpc_rust")
	_, reg := load(t, newEngine(t), "rpc_rust.wasm", wasmBytes)
	api := nk.New(nk.Deps{})
	nkJSON := func(payload string) string {
		v, err := api.Func("json_decode").Run(&nk.Call{}, []any{payload})
		if err != nil {
			t.Fatalf("json_decode(%s): %v", payload, err)
		}
		s, err := api.Func("json_encode").Run(&nk.Call{}, []any{v[0]})
		if err != nil {
			t.Fatalf("json_encode(%s): %v", payload, err)
		}
		return s[0].(string)
	}
	for _, payload := range []string{
		`{"position":4}`,
		` { "z" : 1 , "a" : [ 1 , 2 ] , "m" : { "y" : true , "b" : false } } `,
		`{"board":[0,1,2,0,0,0,0,0,0],"mark":1,"marks":{"b-user":1,"a-user":2}}`,
		`{"s":"<a href=\"x\">&amp;</a> \u2028\u2029 é😀 \ud83d\ude00 \n\r\t\b\f\u0001\u001f / \\ \u007f"}`,
		`{"n":[0,-0,1.5,-2.25,100,1e2,4.0,1e20,1e21,1.5e300,1e-6,1e-7,-1.25e-10,123456789.125,0.1]}`,
		`{"big":12345678901234567890,"min":-9223372036854775808,"max":9223372036854775807}`,
		`{"nested":{"a":{"b":{"c":[[1],[2,[3]]]}}},"":"empty key","é":"non-ascii key","B":"upper"}`,
		`[1,"two",3.5,true,false]`,
		`"just a string"`,
		`42`,
	} {
		got, err := reg.rpcs["json_normalize"](context.Background(), &runtime.CallContext{}, payload)
		if want := nkJSON(payload); err != nil || got != want {
			t.Errorf("json of %s:\n Rust %s (%v)\n   nk %s", payload, got, err, want)
		}
	}
}

// The tic-tac-toe of modules/tictactoe.lua, in Rust.

var (
	// Real ids are UUIDs (Lua modules require them). Bob joins first (X);
	// Alice's user id sorts before his in the marks.
	bob   = match.Presence{UserID: "b0b00000-0000-4000-8000-000000000001", SessionID: "00000000-0000-4000-8000-000000000b0b", Username: "bob", Node: "node1"}
	alice = match.Presence{UserID: "a11ce000-0000-4000-8000-000000000002", SessionID: "00000000-0000-4000-8000-00000000a11c", Username: "alice", Node: "node1"}
	carol = match.Presence{UserID: "ca401000-0000-4000-8000-000000000003", SessionID: "00000000-0000-4000-8000-00000000ca01", Username: "carol", Node: "node1"}
)

const (
	labelOpen   = `{"game":"tictactoe","open":1}`
	labelClosed = `{"game":"tictactoe","open":0}`
	startJSON   = `{"board":[0,0,0,0,0,0,0,0,0],"mark":1,"marks":{"a11ce000-0000-4000-8000-000000000002":2,"b0b00000-0000-4000-8000-000000000001":1}}`
)

func move(p match.Presence, data string) match.Message {
	return match.Message{Sender: p, OpCode: 4, Data: []byte(data), Reliable: true, ReceiveTimeMs: 1}
}

func toAll(op int64, data string) sent { return sent{Op: op, Data: data, To: "*", Reliable: true} }

func rejected(p match.Presence, reason string) sent {
	return sent{Op: 5, Data: `{"reason":"` + reason + `"}`, To: p.SessionID, Reliable: true}
}

func board(b [9]int) string {
	s := make([]string, 9)
	for k, v := range b {
		s[k] = fmt.Sprint(v)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func update(b [9]int, mark int) sent {
	return toAll(2, fmt.Sprintf(`{"board":%s,"mark":%d}`, board(b), mark))
}

func done(b [9]int, winner int, line string) sent {
	if line == "" {
		return toAll(3, fmt.Sprintf(`{"board":%s,"winner":%d}`, board(b), winner))
	}
	return toAll(3, fmt.Sprintf(`{"board":%s,"winner":%d,"winner_positions":%s}`, board(b), winner, line))
}

// game drives one tic-tac-toe match.
type game struct {
	t   *testing.T
	h   match.Handler
	d   *dispatcher
	env match.Env
	ctx context.Context
}

func newGame(t *testing.T) *game {
	t.Helper()
	wasmBytes := rustModule(t, "tictactoe_rust")
	inst, _ := load(t, newEngine(t), "tictactoe_rust.wasm", wasmBytes)
	g := &game{t: t, d: &dispatcher{}, ctx: context.Background()}
	g.env = matchEnv("tictactoe_rust", g.d)
	h, err := inst.NewHandler(g.ctx, "tictactoe_rust", g.env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g.h = h
	setup, err := h.Init(g.ctx, nil)
	if err != nil || setup != (match.Setup{TickRate: 5, Label: labelOpen}) {
		t.Fatalf("init: %+v %v", setup, err)
	}
	g.env.Context.MatchTickRate, g.env.Context.MatchLabel = setup.TickRate, setup.Label
	return g
}

// expect checks what the match sent and the labels it set since the last
// check.
func (g *game) expect(what string, wantSent []sent, wantLabels ...string) {
	g.t.Helper()
	got, labels := g.d.take()
	if len(got) != len(wantSent) {
		g.t.Errorf("%s: sent %d messages, want %d", what, len(got), len(wantSent))
	}
	for k := 0; k < len(got) || k < len(wantSent); k++ {
		switch {
		case k >= len(got):
			g.t.Errorf("%s: message %d missing, want %v", what, k, wantSent[k])
		case k >= len(wantSent):
			g.t.Errorf("%s: message %d unexpected: %v", what, k, got[k])
		case got[k] != wantSent[k]:
			g.t.Errorf("%s: message %d\n got %v\nwant %v", what, k, got[k], wantSent[k])
		}
	}
	if !reflect.DeepEqual(labels, wantLabels) && (len(labels) > 0 || len(wantLabels) > 0) {
		g.t.Errorf("%s: labels %q, want %q", what, labels, wantLabels)
	}
}

func (g *game) attempt(tick int64, p match.Presence, wantOK bool, wantReason string) {
	g.t.Helper()
	user := *g.env.Context
	user.UserID, user.Username, user.SessionID = p.UserID, p.Username, p.SessionID
	ok, reason, err := g.h.JoinAttempt(g.ctx, tick, match.JoinAttempt{Presence: p, Metadata: map[string]string{"k": "v"}, Context: &user})
	if err != nil || ok != wantOK || reason != wantReason {
		g.t.Fatalf("join attempt of %s: %v %q %v; want %v %q", p.UserID, ok, reason, err, wantOK, wantReason)
	}
}

func (g *game) join(tick int64, ps ...match.Presence) {
	g.t.Helper()
	for k := range ps {
		ps[k].Reason = 1
	}
	if err := g.h.Join(g.ctx, tick, ps); err != nil {
		g.t.Fatalf("join: %v", err)
	}
}

func (g *game) loop(tick int64, msgs ...match.Message) error {
	return g.h.Loop(g.ctx, tick, msgs)
}

func (g *game) mustLoop(tick int64, msgs ...match.Message) {
	g.t.Helper()
	if err := g.loop(tick, msgs...); err != nil {
		g.t.Fatalf("loop at tick %d: %v", tick, err)
	}
}

func TestRustTicTacToeWin(t *testing.T) {
	g := newGame(t)
	g.attempt(0, bob, true, "")
	g.join(0, bob)
	g.expect("first join", nil, labelOpen)

	g.mustLoop(1, move(bob, `{"position":4}`))
	g.expect("move before the start", []sent{rejected(bob, "game not started")})

	g.attempt(1, alice, true, "")
	g.join(1, alice)
	g.expect("second join", []sent{toAll(1, startJSON)}, labelClosed)

	g.attempt(1, carol, false, "match full")
	// Bob comes back on a new session: accepted, and he keeps his mark.
	bob2 := bob
	bob2.SessionID = "00000000-0000-4000-8000-000000000b02"
	g.attempt(1, bob2, true, "")
	g.join(1, bob2)
	g.expect("rejoin", nil, labelClosed)

	g.mustLoop(2,
		move(alice, `{"position":0}`),
		match.Message{Sender: bob2, OpCode: 9, Data: []byte("x")},
		move(bob2, `{"position":9}`),
		move(bob2, `{"position":"4"}`),
		move(bob2, `{"position":4.5}`),
		move(bob2, `{"position":-1}`),
		move(bob2, `nonsense`),
		move(bob2, ``),
		move(bob2, `[4]`),
		move(bob2, `{"position":null}`),
		move(bob2, `{"position":4} trailing`),
		move(bob2, `{"position":1e400}`),
		move(bob2, `{"position":true}`),
		move(bob2, `{"Position":4}`),
		move(bob2, `4`),
		move(carol, `{"position":4}`),
		move(bob2, `{"position":4}`),
		move(alice, `{ "position" : 4 }`),
		move(alice, `{"position":0}`),
	)
	g.expect("tick 2", []sent{
		rejected(alice, "not your turn"),
		rejected(bob2, "unknown op code"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(bob2, "invalid position"),
		rejected(carol, "not your turn"),
		update([9]int{0, 0, 0, 0, 1, 0, 0, 0, 0}, 2),
		rejected(alice, "position taken"),
		update([9]int{2, 0, 0, 0, 1, 0, 0, 0, 0}, 1),
	})

	g.mustLoop(3,
		move(bob2, `{"position":2.0}`),
		move(alice, `{"position":1e0}`),
		move(bob2, `{"position":6,"extra":[1,{"a":null}]}`),
		move(alice, `{"position":8}`),
	)
	g.expect("tick 3", []sent{
		update([9]int{2, 0, 1, 0, 1, 0, 0, 0, 0}, 2),
		update([9]int{2, 2, 1, 0, 1, 0, 0, 0, 0}, 1),
		done([9]int{2, 2, 1, 0, 1, 0, 1, 0, 0}, 1, "[2,4,6]"),
		rejected(alice, "game over"),
	}, labelClosed)

	g.attempt(4, carol, false, "match full")
	g.attempt(4, alice, true, "")
	if got, err := g.h.Signal(g.ctx, 4, "ping"); err != nil || got != "ping" {
		t.Fatalf("signal: %q %v", got, err)
	}
	g.mustLoop(7) // 4 ticks after the end
	if err := g.loop(8); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("loop 5 ticks after the end: %v, want ErrNilState", err)
	}
	g.expect("end", nil)
}

func TestRustTicTacToeDraw(t *testing.T) {
	g := newGame(t)
	g.attempt(0, bob, true, "")
	g.attempt(0, alice, true, "")
	g.join(0, bob, alice)
	g.expect("join", []sent{toAll(1, startJSON)}, labelClosed)

	var b [9]int
	var want []sent
	var msgs []match.Message
	mark := 1
	for k, pos := range []int{0, 1, 2, 4, 3, 5, 7, 6, 8} {
		p := bob
		if mark == 2 {
			p = alice
		}
		msgs = append(msgs, move(p, fmt.Sprintf(`{"position":%d}`, pos)))
		b[pos] = mark
		mark = 3 - mark
		if k < 8 {
			want = append(want, update(b, mark))
		}
	}
	want = append(want, done(b, 0, ""))
	g.mustLoop(1, msgs...)
	g.expect("draw", want, labelClosed)
	if err := g.h.Terminate(g.ctx, 2, 10); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("terminate: %v, want ErrNilState", err)
	}
}

func TestRustTicTacToeForfeit(t *testing.T) {
	g := newGame(t)
	g.attempt(0, bob, true, "")
	g.join(0, bob)
	g.attempt(0, alice, true, "")
	g.join(0, alice)
	g.expect("joins", []sent{toAll(1, startJSON)}, labelOpen, labelClosed)
	g.mustLoop(1, move(bob, `{"position":4}`))
	g.expect("move", []sent{update([9]int{0, 0, 0, 0, 1, 0, 0, 0, 0}, 2)})

	left := bob
	left.Reason = 3
	if err := g.h.Leave(g.ctx, 5, []match.Presence{left}); err != nil {
		t.Fatal(err)
	}
	g.expect("forfeit", []sent{done([9]int{0, 0, 0, 0, 1, 0, 0, 0, 0}, 2, "")}, labelClosed)
	if err := g.h.Leave(g.ctx, 6, []match.Presence{alice}); err != nil {
		t.Fatal(err)
	}
	g.expect("second leave", nil)
	g.attempt(6, carol, false, "match full")
	g.attempt(6, bob, true, "")
	g.mustLoop(9)
	if err := g.loop(10); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("loop 5 ticks after the forfeit: %v, want ErrNilState", err)
	}
}

func TestRustTicTacToeIdle(t *testing.T) {
	g := newGame(t)
	// Nobody joins: the match ends after a minute of ticks.
	g.mustLoop(300)
	if err := g.loop(301); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("idle loop: %v, want ErrNilState", err)
	}

	// A player who leaves before the start stays in the game (as in Lua):
	// no forfeit, no label change, and the match does not time out.
	g = newGame(t)
	g.attempt(0, bob, true, "")
	g.join(0, bob)
	if err := g.h.Leave(g.ctx, 1, []match.Presence{bob}); err != nil {
		t.Fatal(err)
	}
	g.mustLoop(400)
	g.expect("leave before the start", nil, labelOpen)
}

func TestRustTicTacToeDispatcherError(t *testing.T) {
	g := newGame(t)
	g.attempt(0, bob, true, "")
	g.attempt(0, alice, true, "")
	g.join(0, bob, alice)
	g.d.take()
	g.d.stopped = true
	err := g.loop(1, move(bob, `{"position":4}`))
	if err == nil || errors.Is(err, match.ErrNilState) || !strings.Contains(err.Error(), "match stopped") {
		t.Fatalf("loop with a failing dispatcher: %v, want the dispatcher's error", err)
	}
}
