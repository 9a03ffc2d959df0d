package lua

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// TestDispatcherValidation checks each argument check of the dispatcher,
// with Nakama's messages.
func TestDispatcherValidation(t *testing.T) {
	u, s := runtime.NewUUID().String(), runtime.NewUUID().String()
	p := fmt.Sprintf("{user_id = '%s', session_id = '%s', username = 'ann', node = 'test'}", u, s)
	tests := []struct{ name, code, want string }{
		{"op code", "dispatcher.broadcast_message('x')", "bad argument #1 to broadcast_message (number expected, got string)"},
		{"data type", "dispatcher.broadcast_message(1, {})", "bad argument #2 to broadcast_message (expects data to be a string or nil)"},
		{"presences type", "dispatcher.broadcast_message(1, 'd', 5)", "bad argument #3 to broadcast_message (table expected, got number)"},
		{"presence not table", "dispatcher.broadcast_message(1, 'd', {1})", "expects a valid set of presences"},
		{"bad session", "dispatcher.broadcast_message(1, 'd', {{session_id = 'x', node = 'n'}})", "expects each presence to have a valid session_id"},
		{"node type", "dispatcher.broadcast_message(1, 'd', {{session_id = '" + s + "', node = 1}})", "expects node to be string"},
		{"missing node", "dispatcher.broadcast_message(1, 'd', {{session_id = '" + s + "'}})", "expects each presence to have a valid session_id and node"},
		{"nil session", "dispatcher.broadcast_message(1, 'd', {{session_id = '00000000-0000-0000-0000-000000000000', node = 'n'}})", "expects each presence to have a valid session_id and node"},
		{"single without user", "dispatcher.broadcast_message(1, 'd', {{session_id = '" + s + "', node = 'n'}})", "expects each presence to have a valid user_id"},
		{"sender user", "dispatcher.broadcast_message(1, 'd', nil, {user_id = 'x'})", "bad argument #4 to broadcast_message (expects presence to have a valid user_id)"},
		{"sender session", "dispatcher.broadcast_message(1, 'd', nil, {session_id = 'x'})", "expects presence to have a valid session_id"},
		{"sender username", "dispatcher.broadcast_message(1, 'd', nil, {username = 1})", "expects username to be string"},
		{"sender incomplete", "dispatcher.broadcast_message(1, 'd', nil, {user_id = '" + u + "'})", "expects presence to have a valid user_id, session_id, and username"},
		{"reliable type", "dispatcher.broadcast_message(1, 'd', nil, nil, 'yes')", "bad argument #5 to broadcast_message (boolean expected, got string)"},
		{"deferred", "dispatcher.broadcast_message_deferred(1, {})", "bad argument #2 to broadcast_message_deferred (expects data to be a string or nil)"},
		{"kick not table", "dispatcher.match_kick({1})", "bad argument #1 to match_kick (expects a valid set of presences)"},
		{"kick user", "dispatcher.match_kick({{user_id = 'x'}})", "expects each presence to have a valid user_id"},
		{"kick node", "dispatcher.match_kick({{node = 1}})", "expects node to be string"},
		{"kick incomplete", "dispatcher.match_kick({{user_id = '" + u + "'}})", "expects each presence to have a valid user_id, session_id, and node"},
		{"label type", "dispatcher.match_label_update({})", "bad argument #1 to match_label_update (string expected, got table)"},
		{"label long", "dispatcher.match_label_update(string.rep('x', 2049))", "error updating match label: match label too long, must be 0-2048 bytes"},
		{"ok", "dispatcher.broadcast_message(1, 'd', {" + p + "}, " + p + ", false)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newMatch(t, map[string]string{"match_loop": tt.code + "\nreturn state"})
			err := h.Loop(bg, 0, nil)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDispatcherCalls checks what reaches the match's Dispatcher.
func TestDispatcherCalls(t *testing.T) {
	a, b := vmtest.Presence("a"), vmtest.Presence("b")
	pa, pb := luaPresence(a), luaPresence(b)
	code := `dispatcher.broadcast_message(1, 'all')
dispatcher.broadcast_message(2, nil, {` + pa + `, ` + pb + `}, ` + pa + `, false)
dispatcher.broadcast_message(3, 'none', {})
dispatcher.broadcast_message_deferred(4, 'later', {` + pb + `})
dispatcher.match_kick({` + pa + `})
dispatcher.match_kick({})
dispatcher.match_kick(nil)
dispatcher.match_label_update()
return state`
	h, d := newMatch(t, map[string]string{"match_loop": code})
	if err := h.Loop(bg, 0, nil); err != nil {
		t.Fatal(err)
	}
	if len(d.Sent) != 2 || len(d.Deferred) != 1 || len(d.Kicked) != 1 || len(d.Labels) != 1 {
		t.Fatalf("sent %d, deferred %d, kicked %d, labels %d", len(d.Sent), len(d.Deferred), len(d.Kicked), len(d.Labels))
	}
	all, two, later := d.Sent[0], d.Sent[1], d.Deferred[0]
	if all.OpCode != 1 || string(all.Data) != "all" || all.To != nil || all.Sender != nil || !all.Reliable {
		t.Errorf("broadcast to all: %+v", all)
	}
	if two.OpCode != 2 || two.Data != nil || len(two.To) != 2 || two.Reliable || two.Sender == nil || two.Sender.UserID != a.UserID {
		t.Errorf("broadcast to two: %+v", two)
	}
	if later.OpCode != 4 || len(later.To) != 1 || later.To[0].SessionID != b.SessionID {
		t.Errorf("deferred: %+v", later)
	}
	if d.Kicked[0].SessionID != a.SessionID || d.Kicked[0].UserID != a.UserID {
		t.Errorf("kicked %+v", d.Kicked[0])
	}
	if d.Labels[0] != "" {
		t.Errorf("label %q", d.Labels[0])
	}
	d.Stopped = true
	if err := h.Loop(bg, 1, nil); err == nil || !strings.Contains(err.Error(), "match stopped") {
		t.Errorf("broadcast on a stopped match: %v", err)
	}
}

// luaPresence writes p as a Lua presence table.
func luaPresence(p match.Presence) string {
	return fmt.Sprintf("{user_id = '%s', session_id = '%s', username = '%s', node = '%s'}", p.UserID, p.SessionID, p.Username, p.Node)
}

// TestSharedDispatcher checks that every match's dispatcher, a lazy copy of
// one shared table, reaches its own match; that iterating it lists its
// functions; and that a key one match sets stays in that match.
func TestSharedDispatcher(t *testing.T) {
	loop := `local n = 0
for k, v in pairs(dispatcher) do
  if type(v) == 'function' then n = n + 1 end
end
assert(n == 4, 'functions: ' .. n)
assert(dispatcher.mine == state.mine, 'saw another match key')
dispatcher.mine = state.name
dispatcher.broadcast_message(1, state.name)
return state`
	h1, d1 := newMatch(t, map[string]string{"match_init": "return {name = 'one'}, 1, ''", "match_loop": loop})
	h2, d2 := newMatch(t, map[string]string{"match_init": "return {name = 'two'}, 1, ''", "match_loop": loop})
	for i := range 2 {
		for _, h := range []*handler{h1, h2} {
			if err := h.Loop(bg, int64(i), nil); err != nil {
				t.Fatalf("tick %d: %v", i, err)
			}
			if i == 0 {
				// From now on the match expects its own key back.
				st := h.state.(*lua.LTable)
				st.RawSetString("mine", st.RawGetString("name"))
			}
		}
	}
	for _, c := range []struct {
		d    *vmtest.Dispatcher
		want string
	}{{d1, "one"}, {d2, "two"}} {
		if len(c.d.Sent) != 2 || string(c.d.Sent[0].Data) != c.want || string(c.d.Sent[1].Data) != c.want {
			t.Errorf("match %s sent %+v", c.want, c.d.Sent)
		}
	}
}
