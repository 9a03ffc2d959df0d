package nk

import (
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

const customMode = int64(session.ModeCustomFirst)

func TestStreamJoinListLeave(t *testing.T) {
	e := newEnv(t)
	alice, bob := runtime.NewUUID().String(), runtime.NewUUID().String()
	sa, ca := e.connect(alice, "alice")
	sb, _ := e.connect(bob, "bob")
	st := obj("mode", customMode, "label", "room")

	if got := e.call(t, "stream_user_join", alice, sa.ID, st)[0]; got != true {
		t.Fatalf("join = %v", got)
	}
	if got := e.call(t, "stream_user_join", alice, sa.ID, st)[0]; got != false {
		t.Fatalf("second join = %v, want false", got)
	}
	e.call(t, "stream_user_join", bob, sb.ID, st, true, false, "busy")

	// alice saw bob's join? No: bob is hidden, so no event.
	for _, env := range ca.envelopes(t) {
		if ev := env.GetStreamPresenceEvent(); ev != nil && len(ev.Joins) > 0 && ev.Joins[0].UserId == bob {
			t.Fatal("hidden join reported")
		}
	}
	all := e.call(t, "stream_user_list", st)[0].([]any)
	if len(all) != 2 {
		t.Fatalf("list = %v", all)
	}
	visible := e.call(t, "stream_user_list", st, false)[0].([]any)
	if len(visible) != 1 || visible[0].(map[string]any)["user_id"] != alice {
		t.Fatalf("visible = %v", visible)
	}
	hidden := e.call(t, "stream_user_list", st, true, false)[0].([]any)
	want := map[string]any{
		"user_id": bob, "session_id": sb.ID, "node": testNode, "hidden": true,
		"persistence": false, "username": "bob", "status": "busy",
	}
	if len(hidden) != 1 {
		t.Fatalf("hidden = %v", hidden)
	}
	for k, v := range want {
		if hidden[0].(map[string]any)[k] != v {
			t.Errorf("hidden[%s] = %v, want %v", k, hidden[0].(map[string]any)[k], v)
		}
	}
	if got := e.call(t, "stream_user_get", bob, sb.ID, st)[0].(map[string]any); got["status"] != "busy" || got["hidden"] != true {
		t.Fatalf("get = %v", got)
	}
	e.call(t, "stream_user_update", bob, sb.ID, st, false, true, "free")
	if got := e.call(t, "stream_user_get", bob, sb.ID, st)[0].(map[string]any); got["status"] != "free" || got["hidden"] != false {
		t.Fatalf("get after update = %v", got)
	}
	if got := e.call(t, "stream_count", st)[0]; got != int64(2) {
		t.Fatalf("count = %v", got)
	}
	e.call(t, "stream_user_leave", bob, sb.ID, st)
	e.call(t, "stream_user_leave", bob, sb.ID, st) // not there: nothing happens
	if got := e.call(t, "stream_user_get", bob, sb.ID, st)[0]; got != nil {
		t.Fatalf("get after leave = %v", got)
	}
	e.call(t, "stream_close", st)
	if got := e.call(t, "stream_count", st)[0]; got != int64(0) {
		t.Fatalf("count after close = %v", got)
	}
}

func TestStreamJoinErrors(t *testing.T) {
	e := newEnv(t)
	user := runtime.NewUUID().String()
	s, _ := e.connect(user, "u")
	other := runtime.NewUUID().String()
	st := obj("mode", customMode)
	tests := []struct {
		args []any
		want string
	}{
		{[]any{"", s.ID, st}, "bad argument #1 to stream_user_join (expects user id)"},
		{[]any{"x", s.ID, st}, "bad argument #1 to stream_user_join (expects valid user id)"},
		{[]any{user, "", st}, "bad argument #2 to stream_user_join (expects session id)"},
		{[]any{user, "x", st}, "bad argument #2 to stream_user_join (expects valid session id)"},
		{[]any{user, s.ID, "st"}, "bad argument #3 to stream_user_join (table expected, got string)"},
		{[]any{user, s.ID, obj("mode", "8")}, "bad argument #3 to stream_user_join (stream mode must be a number)"},
		{[]any{user, s.ID, obj("mode", int64(256))}, "bad argument #3 to stream_user_join (stream mode must be between 0 and 255)"},
		{[]any{user, s.ID, obj("subject", int64(1))}, "bad argument #3 to stream_user_join (stream subject must be a string)"},
		{[]any{user, s.ID, obj("subject", "x")}, "bad argument #3 to stream_user_join (stream subject must be a valid identifier)"},
		{[]any{user, s.ID, obj("subcontext", true)}, "bad argument #3 to stream_user_join (stream subcontext must be a string)"},
		{[]any{user, s.ID, obj("subcontext", "")}, "bad argument #3 to stream_user_join (stream subcontext must be a valid identifier)"},
		{[]any{user, s.ID, obj("label", int64(1))}, "bad argument #3 to stream_user_join (stream label must be a string)"},
		{[]any{user, runtime.NewUUID().String(), st}, "bad argument #2 to stream_user_join (session id does not exist)"},
		{[]any{other, s.ID, st}, "bad argument #2 to stream_user_join (session id does not exist)"},
	}
	for _, tt := range tests {
		e.wantErr(t, tt.want, "stream_user_join", tt.args...)
	}
	s.MarkClosed()
	e.wantErr(t, "tracker rejected new presence, session is closing", "stream_user_join", user, s.ID, st)
	e.wantErr(t, "tracker rejected updated presence, session is closing", "stream_user_update", user, s.ID, st)
	e.wantErr(t, "bad argument #1 to stream_count (stream label must be a string)", "stream_count", obj("label", false))
	e.wantErr(t, "bad argument #1 to stream_user_list (stream mode must be a number)", "stream_user_list", obj("mode", true))
}

func TestStreamSend(t *testing.T) {
	e := newEnv(t)
	subject := runtime.NewUUID().String()
	st := obj("mode", customMode, "subject", subject, "label", "l")
	var conns []*fakeConn
	var ids []string
	for i := range 3 {
		user := runtime.NewUUID().String()
		s, c := e.connect(user, "u"+FormatNumber(int64(i)))
		e.call(t, "stream_user_join", user, s.ID, st, i == 2) // the third is hidden
		conns, ids = append(conns, c), append(ids, s.ID)
	}
	outsider, outsiderConn := e.connect(runtime.NewUUID().String(), "x")
	for _, c := range conns {
		c.frames = nil
	}

	e.call(t, "stream_send", st, "hello")
	for i, c := range conns {
		d := c.streamData(t)
		if len(d) != 1 || d[0].Data != "hello" || !d[0].Reliable || d[0].Stream.Subject != subject ||
			d[0].Stream.Mode != int32(customMode) || d[0].Stream.Label != "l" || d[0].Sender != nil {
			t.Fatalf("conn %d got %v", i, d)
		}
	}
	// To listed sessions only: duplicates once, other nodes skipped, any
	// session of this node (even one not on the stream), as Nakama sends.
	e.call(t, "stream_send", st, "", []any{
		obj("session_id", ids[0]), obj("session_id", ids[0], "node", testNode),
		obj("session_id", ids[1], "node", "elsewhere"), obj("session_id", outsider.ID),
	}, false)
	if d := conns[0].streamData(t); len(d) != 2 || d[1].Data != "" || d[1].Reliable {
		t.Fatalf("conn 0 got %v", d)
	}
	if d := conns[1].streamData(t); len(d) != 1 {
		t.Fatalf("conn 1 got %d messages", len(d))
	}
	if d := outsiderConn.streamData(t); len(d) != 1 {
		t.Fatalf("outsider got %d messages", len(d))
	}
	tests := []struct {
		args []any
		want string
	}{
		{[]any{st, nil}, "bad argument #2 to stream_send (string expected, got nil)"},
		{[]any{st, "d", []any{"x"}}, "bad argument #3 to stream_send (expects a valid set of presences)"},
		{[]any{st, "d", []any{obj("session_id", int64(1))}}, "bad argument #3 to stream_send (presence session id must be a string)"},
		{[]any{st, "d", []any{obj("session_id", "x")}}, "bad argument #3 to stream_send (presence session id must be a valid identifier)"},
		{[]any{st, "d", []any{obj("session_id", ids[0], "node", int64(1))}}, "bad argument #3 to stream_send (presence node must be a string)"},
		{[]any{obj("mode", "x"), "d"}, "bad argument #1 to stream_send (stream mode must be a number)"},
	}
	for _, tt := range tests {
		e.wantErr(t, tt.want, "stream_send", tt.args...)
	}
}

func TestSessionDisconnect(t *testing.T) {
	e := newEnv(t)
	user := runtime.NewUUID().String()
	s, c := e.connect(user, "u")
	watcher, wc := e.connect(runtime.NewUUID().String(), "w")
	st := obj("mode", customMode)
	e.call(t, "stream_user_join", user, s.ID, st)
	e.call(t, "stream_user_join", watcher.UserID, watcher.ID, st)
	wc.frames = nil

	e.call(t, "session_disconnect", s.ID, int64(3))
	if c.closed == "" || !s.Closed() {
		t.Fatal("session not closed")
	}
	if got := e.call(t, "stream_count", st)[0]; got != int64(1) {
		t.Fatalf("count = %v, want the watcher only", got)
	}
	var left bool
	for _, env := range wc.envelopes(t) {
		if ev := env.GetStreamPresenceEvent(); ev != nil && len(ev.Leaves) == 1 && ev.Leaves[0].SessionId == s.ID {
			left = true
		}
	}
	if !left {
		t.Fatal("watcher saw no leave")
	}
	e.call(t, "session_disconnect", runtime.NewUUID().String()) // unknown: nothing happens
	e.wantErr(t, "bad argument #1 to session_disconnect (expects session id)", "session_disconnect", "")
	e.wantErr(t, "bad argument #1 to session_disconnect (expects valid session id)", "session_disconnect", "x")
	e.wantErr(t, "bad argument #2 to session_disconnect (invalid disconnect reason, must be a value 0-4)", "session_disconnect", s.ID, int64(5))
	e.wantErr(t, "bad argument #2 to session_disconnect (invalid disconnect reason, must be a value 0-4)", "session_disconnect", s.ID, int64(-1))
}

// The leave reason reaches presence handlers; 0 means disconnect.
func TestSessionDisconnectReason(t *testing.T) {
	e := newEnv(t)
	const mode = session.ModeCustomFirst + 1
	var mu sync.Mutex
	var reasons []uint8
	e.tracker.Handle(mode, func(ev session.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ev.Leaves {
			reasons = append(reasons, p.Meta.Reason)
		}
	})
	for _, reason := range []int64{2, 0} {
		user := runtime.NewUUID().String()
		s, _ := e.connect(user, "u")
		e.call(t, "stream_user_join", user, s.ID, obj("mode", int64(mode)))
		e.call(t, "session_disconnect", s.ID, reason)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reasons) != 2 || reasons[0] != session.ReasonUpdate || reasons[1] != session.ReasonDisconnect {
		t.Fatalf("reasons = %v, want [2 4]", reasons)
	}
}
