package wasm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

type cannedReply struct {
	status byte
	value  any
}

// matchGuest serves match handler "arena" with canned replies, overridden
// by export name.
func matchGuest(over map[string]cannedReply) *guest {
	return matchGuestWith(map[string]any{"match_handlers": []any{"arena"}}, over)
}

// matchGuestWith is matchGuest with the init reply reg.
func matchGuestWith(reg map[string]any, over map[string]cannedReply) *guest {
	g := newGuest(1).registers(reg)
	replies := map[string]cannedReply{
		"arbiter_match_create":       {statusOK, nil},
		"arbiter_match_init":         {statusOK, map[string]any{"tick_rate": int64(10), "label": "lbl"}},
		"arbiter_match_join_attempt": {statusOK, map[string]any{"accept": true}},
		"arbiter_match_join":         {statusOK, nil},
		"arbiter_match_leave":        {statusOK, nil},
		"arbiter_match_loop":         {statusOK, nil},
		"arbiter_match_terminate":    {statusOK, nil},
		"arbiter_match_signal":       {statusOK, map[string]any{"data": "pong"}},
	}
	for k, v := range over {
		replies[k] = v
	}
	for _, ex := range []export{exMatchCreate, exMatchInit, exJoinAttempt, exJoin, exLeave, exLoop, exTerminate, exSignal} {
		r := replies[ex.String()]
		if r.status == 0xff { // a raw body
			g.body(ex.String(), r.value.([]byte))
			continue
		}
		g.reply(ex.String(), r.status, r.value)
	}
	return g
}

func errMap(msg string) map[string]any { return map[string]any{"message": msg} }

func TestMatchReturnRules(t *testing.T) {
	type outcome struct {
		setup  match.Setup
		accept bool
		reason string
		signal string
		err    error  // errors.Is
		msg    string // contained in the error
	}
	join := match.JoinAttempt{Presence: match.Presence{UserID: "u", SessionID: "s"}, Metadata: map[string]string{"k": "v"},
		Context: &runtime.CallContext{UserID: "u", MatchID: "m1.node"}}
	run := map[string]func(h match.Handler) outcome{
		"init": func(h match.Handler) outcome {
			s, err := h.Init(context.Background(), map[string]any{"p": int64(1)})
			return outcome{setup: s, err: err}
		},
		"join_attempt": func(h match.Handler) outcome {
			a, r, err := h.JoinAttempt(context.Background(), 3, join)
			return outcome{accept: a, reason: r, err: err}
		},
		"join": func(h match.Handler) outcome {
			return outcome{err: h.Join(context.Background(), 3, []match.Presence{{SessionID: "s"}})}
		},
		"loop": func(h match.Handler) outcome {
			return outcome{err: h.Loop(context.Background(), 3, []match.Message{{OpCode: 1, Data: []byte("x")}})}
		},
		"terminate": func(h match.Handler) outcome { return outcome{err: h.Terminate(context.Background(), 3, 5)} },
		"signal": func(h match.Handler) outcome {
			s, err := h.Signal(context.Background(), 3, "ping")
			return outcome{signal: s, err: err}
		},
	}
	tests := []struct {
		name string
		call string
		over map[string]cannedReply
		want outcome
	}{
		{"init ok", "init", nil, outcome{setup: match.Setup{TickRate: 10, Label: "lbl"}}},
		{"init nil state", "init", map[string]cannedReply{"arbiter_match_init": {statusNilState, nil}}, outcome{err: match.ErrNilState}},
		{"init error", "init", map[string]cannedReply{"arbiter_match_init": {statusError, errMap("bad init")}}, outcome{msg: "bad init"}},
		{"init without tick rate", "init", map[string]cannedReply{"arbiter_match_init": {statusOK, map[string]any{}}}, outcome{msg: "tick rate"}},
		{"init label not string", "init", map[string]cannedReply{"arbiter_match_init": {statusOK, map[string]any{"tick_rate": int64(1), "label": int64(2)}}}, outcome{msg: "label string"}},
		{"join attempt accepted", "join_attempt", nil, outcome{accept: true}},
		{"join attempt rejected", "join_attempt", map[string]cannedReply{"arbiter_match_join_attempt": {statusOK, map[string]any{"accept": false, "reason": "full"}}}, outcome{reason: "full"}},
		{"join attempt no bool", "join_attempt", map[string]cannedReply{"arbiter_match_join_attempt": {statusOK, map[string]any{"accept": "yes"}}}, outcome{msg: "non-boolean"}},
		{"join attempt nil state", "join_attempt", map[string]cannedReply{"arbiter_match_join_attempt": {statusNilState, nil}}, outcome{err: match.ErrNilState}},
		{"join ok", "join", nil, outcome{}},
		{"join nil state", "join", map[string]cannedReply{"arbiter_match_join": {statusNilState, nil}}, outcome{err: match.ErrNilState}},
		{"loop ok", "loop", nil, outcome{}},
		{"loop nil state", "loop", map[string]cannedReply{"arbiter_match_loop": {statusNilState, nil}}, outcome{err: match.ErrNilState}},
		{"loop error", "loop", map[string]cannedReply{"arbiter_match_loop": {statusError, errMap("crash")}}, outcome{msg: "crash"}},
		{"loop trap", "loop", map[string]cannedReply{"arbiter_match_loop": {0xff, opUnreachable}}, outcome{msg: "unreachable"}},
		{"terminate nil state", "terminate", map[string]cannedReply{"arbiter_match_terminate": {statusNilState, nil}}, outcome{err: match.ErrNilState}},
		{"signal reply", "signal", nil, outcome{signal: "pong"}},
		{"signal nil reply", "signal", map[string]cannedReply{"arbiter_match_signal": {statusOK, nil}}, outcome{}},
		{"signal non-string", "signal", map[string]cannedReply{"arbiter_match_signal": {statusOK, map[string]any{"data": int64(1)}}}, outcome{msg: "non-string"}},
	}
	e := newEngine(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := mustLoad(t, e, "m.wasm", matchGuest(tc.over).bytes())
			h, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			got := run[tc.call](h)
			switch {
			case tc.want.err != nil:
				if !errors.Is(got.err, tc.want.err) {
					t.Fatalf("err = %v, want %v", got.err, tc.want.err)
				}
			case tc.want.msg != "":
				wantErr(t, got.err, tc.want.msg)
			case got.err != nil:
				t.Fatal(got.err)
			}
			got.err, tc.want.err = nil, nil
			tc.want.msg = ""
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNewHandlerNotFound(t *testing.T) {
	e := newEngine(t, Config{})
	l, _ := mustLoad(t, e, "m.wasm", matchGuest(map[string]cannedReply{
		"arbiter_match_create": {statusNotFound, errMap("no such handler")}}).bytes())
	for _, name := range []string{"nope", "arena"} {
		if _, err := l.NewHandler(context.Background(), name, matchEnv(nil)); !errors.Is(err, match.ErrModuleNotFound) {
			t.Fatalf("%s: err = %v, want ErrModuleNotFound", name, err)
		}
	}
}

func TestMatchEndlessLoop(t *testing.T) {
	e := newEngine(t, Config{})
	l, _ := mustLoad(t, e, "m.wasm", matchGuest(map[string]cannedReply{
		"arbiter_match_loop": {0xff, cat(opInfinite, opUnreachable)}}).bytes())
	stuck, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	start := time.Now()
	err, over := withBudget(50*time.Millisecond, func(ctx context.Context) error { return stuck.Loop(ctx, 0, nil) })
	if !isDeadline(err) || !over {
		t.Fatalf("err = %v over = %v, want a deadline error", err, over)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stopped after %s", d)
	}
	if err := stuck.Join(context.Background(), 1, nil); err == nil {
		t.Fatal("a stopped instance answered")
	}
	other, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Join(context.Background(), 1, nil); err != nil {
		t.Fatalf("another match: %v", err)
	}
}

func TestMatchDispatcherImports(t *testing.T) {
	e := newEngine(t, Config{})
	g := newGuest(1).registers(map[string]any{"rpcs": []any{"x"}})
	presences, _ := abi.Encode([]any{map[string]any{"session_id": "s1"}})
	g.forward("arbiter_rpc", "match_broadcast", func(g *guest) []byte {
		return cat(i64c(4), g.ptrLen([]byte("hello")), i32c(0), i32c(0), i32c(0), i32c(0), i32c(flagReliable|flagDeferred))
	})
	g.forward("arbiter_shutdown", "match_kick", func(g *guest) []byte { return g.ptrLen(presences) })
	l, _ := mustLoad(t, e, "d.wasm", g.bytes())
	m := l.modules[0]
	d := &fakeDispatcher{}
	word, _, err := runExport(t, m, exRPC, nil, d)
	if err != nil || word != 0 || len(d.calls) != 1 || d.calls[0] != "deferred:hello" {
		t.Fatalf("broadcast: word %#x err %v calls %v", word, err, d.calls)
	}
	word, _, _ = runExport(t, m, exShutdown, nil, d)
	if word != 0 || d.calls[1] != "kick" {
		t.Fatalf("kick: word %#x calls %v", word, d.calls)
	}
	word, pending, _ := runExport(t, m, exRPC, nil, nil)
	if word>>32 != statusNotAllowed {
		t.Fatalf("outside a match: status %d", word>>32)
	}
	v, _ := abi.Decode(pending)
	if msg, _ := errorOf(v); msg != "the match dispatcher is only available in match callbacks" {
		t.Fatalf("message %q", msg)
	}
	d.err = errors.New("match stopped")
	word, pending, _ = runExport(t, m, exRPC, nil, d)
	v, _ = abi.Decode(pending)
	if msg, _ := errorOf(v); word>>32 != statusError || msg != "match stopped" {
		t.Fatalf("error: status %d %q", word>>32, msg)
	}
}
