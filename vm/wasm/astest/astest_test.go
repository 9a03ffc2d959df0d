package astest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

func TestEchoRPC(t *testing.T) {
	_, r := load(t, "echo_as.wasm")
	tests := []struct {
		id, payload, want string
		code              runtime.Code // an error's code, 0 for none
		msg               string       // an error's message
	}{
		{id: "echo_as", payload: "hello", want: "hello"},
		{id: "echo_as", payload: "", want: ""},
		{id: "echo_as", payload: "héllo ✓ 😀", want: "héllo ✓ 😀"},
		{id: "echo_as_json", payload: ` {"b": [1, 2.5, true, null, -0.001, 1e21], "a": "<x>", "c": {"z": {}, "y": []}} `,
			want: `{"a":"\u003cx\u003e","b":[1,2.5,true,null,-0.001,1e+21],"c":{"y":[],"z":{}}}`},
		{id: "echo_as_json", payload: `"caf\u00e9 \ud83d\ude00 \n"`, want: `"café 😀 \n"`},
		{id: "echo_as_json", payload: `{"a":1,}`, code: runtime.InvalidArgument,
			msg: "invalid JSON: invalid character looking for beginning of object key string at offset 7"},
		{id: "echo_as_hex", payload: "6869c3a9", want: "hié"},
		{id: "echo_as_hex", payload: "", code: runtime.Internal, msg: "bad argument #1 to base16_decode (expects string)"},
		{id: "echo_as_hex", payload: "zz", code: runtime.Internal, msg: "not a valid base16 string: encoding/hex: invalid byte: U+007A 'z'"},
	}
	for _, tc := range tests {
		t.Run(tc.id+"/"+tc.payload, func(t *testing.T) {
			fn := r.rpcs[tc.id]
			if fn == nil {
				t.Fatalf("RPC %s not registered (have %v)", tc.id, r.rpcs)
			}
			got, err := fn(context.Background(), rpcContext(), tc.payload)
			if tc.msg != "" {
				var re *runtime.Error
				if !errors.As(err, &re) || re.Code != tc.code || re.Message != tc.msg {
					t.Fatalf("err = %#v, want code %d %q", err, tc.code, tc.msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// sent is one dispatcher call, recorded.
type sent struct {
	kind     string // "broadcast", "deferred", "kick", "label"
	op       int64
	data     string // the data, or the label
	to       []string
	sender   string
	reliable bool
}

func (s sent) String() string {
	return fmt.Sprintf("%s op=%d to=%v sender=%q reliable=%v %s", s.kind, s.op, s.to, s.sender, s.reliable, s.data)
}

// recorder is a match.Dispatcher that records what the match asks of it.
type recorder struct {
	calls []sent
}

func sessions(ps []match.Presence) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.SessionID
	}
	return out
}

func (r *recorder) record(kind string, op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) {
	s := sent{kind: kind, op: op, data: string(data), to: sessions(to), reliable: reliable}
	if sender != nil {
		s.sender = sender.SessionID
	}
	r.calls = append(r.calls, s)
}

func (r *recorder) Broadcast(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	r.record("broadcast", op, data, to, sender, reliable)
	return nil
}

func (r *recorder) BroadcastDeferred(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	r.record("deferred", op, data, to, sender, reliable)
	return nil
}

func (r *recorder) Kick(ps []match.Presence) error {
	r.calls = append(r.calls, sent{kind: "kick", to: sessions(ps)})
	return nil
}

func (r *recorder) UpdateLabel(label string) error {
	r.calls = append(r.calls, sent{kind: "label", data: label})
	return nil
}

// take returns the calls recorded since the last take.
func (r *recorder) take() []sent {
	c := r.calls
	r.calls = nil
	return c
}

// Helpers to write the expected calls.
func toAll(op int64, data string) sent {
	return sent{kind: "broadcast", op: op, data: data, reliable: true}
}

func toOne(session string, op int64, data string) sent {
	return sent{kind: "broadcast", op: op, data: data, to: []string{session}, reliable: true}
}

func label(open int) sent {
	return sent{kind: "label", data: fmt.Sprintf(`{"game":"tictactoe","open":%d}`, open)}
}

func rejected(session, reason string) sent {
	return toOne(session, 5, `{"reason":"`+reason+`"}`)
}

const (
	opStart    = 1
	opUpdate   = 2
	opDone     = 3
	opMove     = 4
	opRejected = 5
)

var (
	px = match.Presence{UserID: "u-x", SessionID: "s-x", Username: "xavier", Node: "node1"}
	po = match.Presence{UserID: "u-o", SessionID: "s-o", Username: "olga", Node: "node1"}
	p3 = match.Presence{UserID: "u-3", SessionID: "s-3", Username: "third", Node: "node1"}
)

func move(p match.Presence, data string) match.Message {
	return match.Message{Sender: p, OpCode: opMove, Data: []byte(data), Reliable: true, ReceiveTimeMs: 1700000000000}
}

// game is one tic-tac-toe match driven through match.Handler.
type game struct {
	t   *testing.T
	h   match.Handler
	d   *recorder
	env match.Env
}

func newGame(t *testing.T) *game {
	t.Helper()
	inst, _ := load(t, "tictactoe_as.wasm")
	d := &recorder{}
	env := match.Env{MatchID: "m1.node1", Node: "node1", Module: "tictactoe_as", Dispatcher: d,
		Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node1", MatchID: "m1.node1", MatchNode: "node1"}}
	h, err := inst.NewHandler(context.Background(), "tictactoe_as", env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g := &game{t: t, h: h, d: d, env: env}
	setup, err := h.Init(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (match.Setup{TickRate: 5, Label: `{"game":"tictactoe","open":1}`}); setup != want {
		t.Fatalf("init = %+v, want %+v", setup, want)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	return g
}

// expect checks the dispatcher calls made since the last check.
func (g *game) expect(what string, want ...sent) {
	g.t.Helper()
	got := g.d.take()
	if len(got) != len(want) {
		g.t.Fatalf("%s: %d dispatcher calls, want %d:\n%s", what, len(got), len(want), diff(got, want))
	}
	for i := range got {
		if got[i].String() != want[i].String() {
			g.t.Fatalf("%s: dispatcher calls differ:\n%s", what, diff(got, want))
		}
	}
	// The label the registry would now report.
	for _, s := range want {
		if s.kind == "label" {
			g.env.Context.MatchLabel = s.data
		}
	}
}

func diff(got, want []sent) string {
	var b strings.Builder
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		mark := "  "
		if g != w {
			mark = "! "
		}
		fmt.Fprintf(&b, "%sgot:  %s\n  want: %s\n", mark, g, w)
	}
	return b.String()
}

func (g *game) attempt(tick int64, p match.Presence, wantAccept bool, wantReason string) {
	g.t.Helper()
	user := *g.env.Context
	user.UserID, user.Username, user.SessionID = p.UserID, p.Username, p.SessionID
	ok, reason, err := g.h.JoinAttempt(context.Background(), tick, match.JoinAttempt{Presence: p, Metadata: map[string]string{"k": "v"}, Context: &user})
	if err != nil || ok != wantAccept || reason != wantReason {
		g.t.Fatalf("join attempt of %s: %v %q %v, want %v %q", p.UserID, ok, reason, err, wantAccept, wantReason)
	}
}

func (g *game) join(tick int64, ps ...match.Presence) {
	g.t.Helper()
	for i := range ps {
		ps[i].Reason = 1
	}
	if err := g.h.Join(context.Background(), tick, ps); err != nil {
		g.t.Fatal(err)
	}
}

func (g *game) loop(tick int64, msgs ...match.Message) error {
	g.t.Helper()
	return g.h.Loop(context.Background(), tick, msgs)
}

func (g *game) mustLoop(tick int64, msgs ...match.Message) {
	g.t.Helper()
	if err := g.loop(tick, msgs...); err != nil {
		g.t.Fatalf("loop at tick %d: %v", tick, err)
	}
}

// start joins X and O and checks the START message.
func (g *game) start() {
	g.t.Helper()
	g.attempt(0, px, true, "")
	g.join(0, px)
	g.expect("X joins", label(1))
	g.attempt(1, po, true, "")
	g.join(1, po)
	g.expect("O joins",
		toAll(opStart, `{"board":[0,0,0,0,0,0,0,0,0],"mark":1,"marks":{"u-o":2,"u-x":1}}`),
		label(0))
}

func TestTicTacToeWin(t *testing.T) {
	g := newGame(t)
	g.attempt(0, px, true, "")
	g.join(0, px)
	g.expect("X joins", label(1))
	g.mustLoop(1, move(px, `{"position":4}`))
	g.expect("move before start", rejected("s-x", "game not started"))

	g.attempt(2, po, true, "")
	g.join(2, po)
	g.expect("O joins",
		toAll(opStart, `{"board":[0,0,0,0,0,0,0,0,0],"mark":1,"marks":{"u-o":2,"u-x":1}}`),
		label(0))
	g.attempt(2, p3, false, "match full")
	back := px
	back.SessionID = "s-x2" // X comes back on another session
	g.attempt(2, back, true, "")

	g.mustLoop(3,
		move(po, `{"position":4}`),
		move(px, `{"position":4}`),
		move(po, `{"position":4}`),
		move(po, `{"position":9}`),
		move(po, `{"position":-1}`),
		move(po, `{"position":1.5}`),
		move(po, `{"position":"1"}`),
		move(po, `[4]`),
		move(po, `not json`),
		match.Message{Sender: po, OpCode: 7, Data: []byte(`{"position":0}`)},
		move(po, `{"position":0.0}`),
	)
	g.expect("tick 3",
		rejected("s-o", "not your turn"),
		toAll(opUpdate, `{"board":[0,0,0,0,1,0,0,0,0],"mark":2}`),
		rejected("s-o", "position taken"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "invalid position"),
		rejected("s-o", "unknown op code"),
		toAll(opUpdate, `{"board":[2,0,0,0,1,0,0,0,0],"mark":1}`),
	)
	g.mustLoop(4, move(px, `{"position":2}`), move(po, ` { "position" : 1 } `))
	g.expect("tick 4",
		toAll(opUpdate, `{"board":[2,0,1,0,1,0,0,0,0],"mark":2}`),
		toAll(opUpdate, `{"board":[2,2,1,0,1,0,0,0,0],"mark":1}`),
	)
	g.mustLoop(5)
	g.expect("tick 5")
	g.mustLoop(6, move(px, `{"position":6}`), move(po, `{"position":3}`))
	g.expect("X wins",
		toAll(opDone, `{"board":[2,2,1,0,1,0,1,0,0],"winner":1,"winner_positions":[2,4,6]}`),
		label(0),
		rejected("s-o", "game over"),
	)
	g.attempt(7, p3, false, "match full")
	if got, err := g.h.Signal(context.Background(), 7, "ping"); err != nil || got != "ping" {
		t.Fatalf("signal = %q, %v", got, err)
	}
	for tick := int64(7); tick < 11; tick++ {
		g.mustLoop(tick)
	}
	if err := g.loop(11); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("loop 5 ticks after the end: %v, want ErrNilState", err)
	}
	g.expect("end")
}

func TestTicTacToeDraw(t *testing.T) {
	g := newGame(t)
	g.start()
	moves := []struct {
		p   match.Presence
		pos int
	}{{px, 0}, {po, 1}, {px, 2}, {po, 4}, {px, 3}, {po, 5}, {px, 7}, {po, 6}}
	var msgs []match.Message
	for _, m := range moves {
		msgs = append(msgs, move(m.p, fmt.Sprintf(`{"position":%d}`, m.pos)))
	}
	g.mustLoop(2, msgs...)
	if n := len(g.d.take()); n != len(moves) {
		t.Fatalf("%d calls, want %d updates", n, len(moves))
	}
	g.mustLoop(3, move(px, `{"position":8}`))
	g.expect("draw",
		toAll(opDone, `{"board":[1,2,1,1,2,2,2,1,1],"winner":0}`),
		label(0))
	if err := g.loop(8); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("loop: %v, want ErrNilState", err)
	}
}

func TestTicTacToeForfeit(t *testing.T) {
	g := newGame(t)
	g.start()
	g.mustLoop(2, move(px, `{"position":4}`))
	g.expect("X plays", toAll(opUpdate, `{"board":[0,0,0,0,1,0,0,0,0],"mark":2}`))
	left := po
	left.Reason = 3
	if err := g.h.Leave(context.Background(), 3, []match.Presence{left}); err != nil {
		t.Fatal(err)
	}
	g.expect("O leaves",
		toAll(opDone, `{"board":[0,0,0,0,1,0,0,0,0],"winner":1}`),
		label(0))
	if err := g.h.Leave(context.Background(), 4, []match.Presence{px}); err != nil {
		t.Fatal(err)
	}
	g.expect("X leaves after the end")
	g.attempt(4, p3, false, "match full")
	if err := g.h.Terminate(context.Background(), 5, 10); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("terminate: %v, want ErrNilState", err)
	}
}

// TestTicTacToeRejoin: a player who left before the start can come back,
// and a returning player keeps their mark.
func TestTicTacToeRejoin(t *testing.T) {
	g := newGame(t)
	g.join(0, px)
	g.expect("X joins", label(1))
	if err := g.h.Leave(context.Background(), 1, []match.Presence{px}); err != nil {
		t.Fatal(err)
	}
	g.expect("X leaves before the start")
	back := px
	back.SessionID = "s-x2"
	g.attempt(2, back, true, "")
	g.join(2, back)
	g.expect("X comes back", label(1))
	g.join(3, po)
	g.expect("O joins",
		toAll(opStart, `{"board":[0,0,0,0,0,0,0,0,0],"mark":1,"marks":{"u-o":2,"u-x":1}}`),
		label(0))
	g.mustLoop(4, move(back, `{"position":8}`))
	g.expect("X plays from the new session", toAll(opUpdate, `{"board":[0,0,0,0,0,0,0,0,1],"mark":2}`))
}

// TestTicTacToeEmpty: a match nobody joins ends after a minute.
func TestTicTacToeEmpty(t *testing.T) {
	g := newGame(t)
	g.mustLoop(300)
	if err := g.loop(301); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("loop: %v, want ErrNilState", err)
	}
}
