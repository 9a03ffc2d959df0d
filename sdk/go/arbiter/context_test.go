//go:build !wasip1

package arbiter

import (
	"reflect"
	"testing"
)

// The context is read into its fields without a generic map; Raw decodes
// the map on demand, unknown keys included.
func TestContextFields(t *testing.T) {
	raw := map[string]any{
		"env": map[string]any{"K": "V"}, "execution_mode": "rpc", "node": "n1", "version": "v",
		"headers": map[string]any{"H": []any{"a", "b"}}, "query_params": map[string]any{"q": []any{"1"}},
		"user_id": "u1", "username": "one", "vars": map[string]any{"x": "y"}, "user_session_exp": int64(99),
		"session_id": "s1", "lang": "en", "client_ip": "1.2.3.4", "client_port": "5", "match_id": "m.n",
		"match_node": "n1", "match_label": "L", "match_tick_rate": int64(5), "trace_id": "t",
		"future_key": []any{map[string]any{"deep": true}},
	}
	var got *Context
	RegisterRPC("ctx", func(ctx *Context, payload string) (string, error) { got = ctx; return "", nil })
	t.Cleanup(func() { delete(rpcs, "ctx") })
	if s, _ := decodeReply(t, callRPC(encodeInput(t, map[string]any{"id": "ctx", "context": raw}))); s != statusOK {
		t.Fatalf("status %d", s)
	}
	want := &Context{Env: map[string]string{"K": "V"}, ExecutionMode: "rpc", Node: "n1", Version: "v",
		Headers: map[string][]string{"H": {"a", "b"}}, QueryParams: map[string][]string{"q": {"1"}},
		UserID: "u1", Username: "one", Vars: map[string]string{"x": "y"}, UserSessionExp: 99, SessionID: "s1",
		Lang: "en", ClientIP: "1.2.3.4", ClientPort: "5", MatchID: "m.n", MatchNode: "n1", MatchLabel: "L",
		MatchTickRate: 5, TraceID: "t"}
	want.raw = got.raw
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("context\n got %#v\nwant %#v", got, want)
	}
	if !reflect.DeepEqual(got.Raw(), raw) {
		t.Fatalf("Raw() = %#v", got.Raw())
	}

	// No context: empty maps, not nil ones.
	decodeReply(t, callRPC(encodeInput(t, map[string]any{"id": "ctx"})))
	if got.Env == nil || got.Headers == nil || got.QueryParams == nil || got.Vars == nil || len(got.Raw()) != 0 {
		t.Fatalf("empty context: %#v", got)
	}
}

// recorder keeps what MatchLoop and MatchJoin received.
type recorder struct {
	counter
	msgs []Message
	ps   []Presence
}

func (r *recorder) MatchLoop(ctx *Context, d Dispatcher, tick int64, s any, msgs []Message) any {
	r.msgs = msgs
	return s
}

func (r *recorder) MatchJoin(ctx *Context, d Dispatcher, tick int64, s any, ps []Presence) any {
	r.ps = ps
	return s
}

// Inputs are read field by field: unknown keys and values of other types
// are skipped, whatever their shape.
func TestMatchInputs(t *testing.T) {
	withStub(t)
	r := &recorder{}
	RegisterMatch("rec", func() Match { return r })
	t.Cleanup(func() { delete(matches, "rec") })
	decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "rec"})))
	decodeReply(t, callMatchInit(encodeInput(t, map[string]any{"params": map[string]any{"a": int64(1)}})))

	sender := map[string]any{"user_id": "u1", "session_id": "s1", "username": "one", "node": "n", "extra": []any{int64(1)}}
	in := encodeInput(t, map[string]any{"tick": int64(3), "unknown": map[string]any{"x": []any{nil, 1.5}}, "messages": []any{
		map[string]any{"sender": sender, "op_code": int64(4), "data": []byte(`{"position":4}`), "reliable": true,
			"receive_time_ms": int64(1700000000000), "new_field": "x"},
		map[string]any{"op_code": "not an int", "data": int64(7)},
		"not a map",
	}})
	if s, _ := decodeReply(t, callMatchLoop(in)); s != statusOK {
		t.Fatalf("loop: %d", s)
	}
	want := []Message{
		{Sender: Presence{UserID: "u1", SessionID: "s1", Username: "one", Node: "n"}, OpCode: 4,
			Data: []byte(`{"position":4}`), Reliable: true, ReceiveTimeMs: 1700000000000},
		{Data: []byte{}},
		{Data: []byte{}},
	}
	if !reflect.DeepEqual(r.msgs, want) {
		t.Fatalf("messages\n got %#v\nwant %#v", r.msgs, want)
	}

	ps := []any{map[string]any{"user_id": "u1", "session_id": "s1", "reason": int64(1)}, map[string]any{"session_id": "s2"}}
	if s, _ := decodeReply(t, callMatchJoin(encodeInput(t, map[string]any{"tick": int64(4), "presences": ps}))); s != statusOK {
		t.Fatalf("join: %d", s)
	}
	if want := []Presence{{UserID: "u1", SessionID: "s1", Reason: 1}, {SessionID: "s2"}}; !reflect.DeepEqual(r.ps, want) {
		t.Fatalf("presences %#v", r.ps)
	}

	// A truncated input is MALFORMED; the match goes on.
	if s, _ := decodeReply(t, callMatchLoop(in[:len(in)-3])); s != statusMalformed {
		t.Fatalf("truncated input: %d", s)
	}
}

// Broadcasts encode their recipients and sender without maps.
func TestBroadcastEncoding(t *testing.T) {
	h := &recordingHost{}
	hostStub = h
	t.Cleanup(func() { hostStub = nil })
	p := Presence{UserID: "u", SessionID: "s", Username: "n", Node: "x"}
	if err := (dispatcher{}).BroadcastMessage(5, []byte("d"), []Presence{p}, &p, true); err != nil {
		t.Fatal(err)
	}
	to, _ := Decode(h.args[1])
	from, _ := Decode(h.args[2])
	pm := map[string]any{"user_id": "u", "session_id": "s", "username": "n", "node": "x"}
	if !reflect.DeepEqual(to, []any{pm}) || !reflect.DeepEqual(from, pm) || h.args[3][0] != 1 {
		t.Fatalf("to %#v from %#v flags %v", to, from, h.args[3])
	}
	if err := (dispatcher{}).BroadcastMessageDeferred(5, nil, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	if len(h.args[1]) != 0 || len(h.args[2]) != 0 || h.args[3][0] != 2 {
		t.Fatalf("to everyone, no sender, deferred: %v", h.args)
	}
}

type recordingHost struct {
	stubHost
	args [][]byte
}

func (h *recordingHost) Dispatch(op string, args ...[]byte) (uint32, []byte) {
	h.args = nil
	for _, a := range args {
		h.args = append(h.args, append([]byte(nil), a...))
	}
	return statusOK, nil
}
