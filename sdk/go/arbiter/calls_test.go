//go:build !wasip1

package arbiter

import (
	"reflect"
	"testing"
)

// stubHost answers host calls in native tests.
type stubHost struct {
	calls []string
}

func (h *stubHost) NK(name string, args []byte) (uint32, []byte) {
	h.calls = append(h.calls, "nk:"+name)
	if name == "fail" {
		b, _ := Encode(map[string]any{"message": "nope", "code": int64(CodeNotFound)})
		return statusError, b
	}
	v, _ := Decode(args)
	b, _ := Encode(v) // echo the arguments as results
	return statusOK, b
}

func (h *stubHost) Dispatch(op string, args ...[]byte) (uint32, []byte) {
	h.calls = append(h.calls, op+":"+string(args[0]))
	return statusOK, nil
}

func (h *stubHost) Log(level int32, msg string, fields []byte) { h.calls = append(h.calls, "log:"+msg) }

func withStub(t *testing.T) *stubHost {
	h := &stubHost{}
	hostStub = h
	t.Cleanup(func() { hostStub = nil })
	return h
}

func decodeReply(t *testing.T, r []byte) (byte, any) {
	t.Helper()
	if len(r) == 1 {
		return r[0], nil
	}
	v, err := Decode(r[1:])
	if err != nil {
		t.Fatal(err)
	}
	return r[0], v
}

func encodeInput(t *testing.T, m map[string]any) []byte {
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCall(t *testing.T) {
	withStub(t)
	res, err := Call("echo", "a", 1)
	if err != nil || !reflect.DeepEqual(res, []any{"a", int64(1)}) {
		t.Fatalf("Call: %v %v", res, err)
	}
	_, err = Call("fail")
	if e, ok := err.(*Error); !ok || e.Message != "nope" || e.Code != CodeNotFound {
		t.Fatalf("Call error: %#v", err)
	}
	hostStub = nil
	if _, err := Call("echo"); err == nil {
		t.Fatal("no host, no error")
	}
}

func TestRPCAndInit(t *testing.T) {
	RegisterRPC("Hello", func(ctx *Context, payload string) (string, error) {
		if payload == "bad" {
			return "", NewError("bad payload", CodeInvalidArgument)
		}
		return "hi " + ctx.UserID + " " + payload, nil
	})
	t.Cleanup(func() { delete(rpcs, "Hello") })
	status, v := decodeReply(t, callInit(encodeInput(t, map[string]any{"load": true})))
	if status != statusOK || !reflect.DeepEqual(v.(map[string]any)["rpcs"], []any{"Hello"}) {
		t.Fatalf("init: %d %#v", status, v)
	}
	ctx := map[string]any{"user_id": "u1"}
	status, v = decodeReply(t, callRPC(encodeInput(t, map[string]any{"id": "Hello", "payload": "x", "context": ctx})))
	if status != statusOK || v != "hi u1 x" {
		t.Fatalf("rpc: %d %#v", status, v)
	}
	status, v = decodeReply(t, callRPC(encodeInput(t, map[string]any{"id": "Hello", "payload": "bad"})))
	if status != statusError || v.(map[string]any)["code"] != int64(CodeInvalidArgument) {
		t.Fatalf("rpc error: %d %#v", status, v)
	}
	if status, _ = decodeReply(t, callRPC(encodeInput(t, map[string]any{"id": "nope"}))); status != statusNotFound {
		t.Fatalf("unknown rpc: %d", status)
	}
	if status, _ = decodeReply(t, callRPC([]byte{0x09})); status != statusMalformed {
		t.Fatalf("malformed input: %d", status)
	}
}

type counter struct{}

func (counter) MatchInit(ctx *Context, params map[string]any) (any, int, string) {
	return new(int), 5, "c"
}
func (counter) MatchJoinAttempt(ctx *Context, d Dispatcher, tick int64, s any, p Presence, md map[string]string) (any, bool, string) {
	return s, md["ok"] == "1", "no"
}
func (counter) MatchJoin(ctx *Context, d Dispatcher, tick int64, s any, ps []Presence) any { return s }
func (counter) MatchLeave(ctx *Context, d Dispatcher, tick int64, s any, ps []Presence) any {
	return nil
}
func (counter) MatchLoop(ctx *Context, d Dispatcher, tick int64, s any, msgs []Message) any {
	n := s.(*int)
	*n += len(msgs)
	for _, m := range msgs {
		_ = d.BroadcastMessage(m.OpCode, m.Data, nil, nil, true)
	}
	return n
}
func (counter) MatchTerminate(ctx *Context, d Dispatcher, tick int64, s any, g int) any { return nil }
func (counter) MatchSignal(ctx *Context, d Dispatcher, tick int64, s any, data string) (any, string) {
	if data == "panic" {
		panic("oops")
	}
	return s, ctx.MatchLabel
}

func TestMatchCallbacks(t *testing.T) {
	h := withStub(t)
	RegisterMatch("counter", func() Match { return counter{} })
	t.Cleanup(func() { delete(matches, "counter") })
	if s, _ := decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "nope"}))); s != statusNotFound {
		t.Fatalf("unknown handler: %d", s)
	}
	decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "counter", "context": map[string]any{"match_label": "L1"}})))
	s, v := decodeReply(t, callMatchInit(encodeInput(t, map[string]any{})))
	if s != statusOK || !reflect.DeepEqual(v, map[string]any{"tick_rate": int64(5), "label": "c"}) {
		t.Fatalf("init: %d %#v", s, v)
	}
	s, v = decodeReply(t, callMatchJoinAttempt(encodeInput(t, map[string]any{"tick": int64(1), "metadata": map[string]any{"ok": "0"}})))
	if s != statusOK || !reflect.DeepEqual(v, map[string]any{"accept": false, "reason": "no"}) {
		t.Fatalf("join attempt: %d %#v", s, v)
	}
	msg := map[string]any{"op_code": int64(2), "data": []byte("d"), "sender": map[string]any{"session_id": "s"}}
	s, _ = decodeReply(t, callMatchLoop(encodeInput(t, map[string]any{"tick": int64(1), "messages": []any{msg, msg}})))
	if s != statusOK || *current.state.(*int) != 2 || len(h.calls) != 2 || h.calls[0] != "broadcast:d" {
		t.Fatalf("loop: %d %v %v", s, current.state, h.calls)
	}
	if _, v = decodeReply(t, callMatchSignal(encodeInput(t, map[string]any{"tick": int64(2)}))); v.(map[string]any)["data"] != "L1" {
		t.Fatalf("kept context: %#v", v)
	}
	decodeReply(t, callMatchSignal(encodeInput(t, map[string]any{"context": map[string]any{"match_label": "L2"}})))
	if _, v = decodeReply(t, callMatchSignal(encodeInput(t, map[string]any{}))); v.(map[string]any)["data"] != "L2" {
		t.Fatalf("new context: %#v", v)
	}
	if s, v = decodeReply(t, callMatchSignal(encodeInput(t, map[string]any{"data": "panic"}))); s != statusError || v.(map[string]any)["message"] != "panic: oops" {
		t.Fatalf("panic: %d %#v", s, v)
	}
	if s, _ = decodeReply(t, callMatchLeave(encodeInput(t, map[string]any{"presences": []any{}}))); s != statusNilState {
		t.Fatalf("nil state: %d", s)
	}
}
