package lua

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// dispatcher returns the match's dispatcher table, whose functions are
// called with '.' and check their arguments as Nakama does before calling
// env.Dispatcher. It is a lazy copy (sharedlibs.go) of one shared table:
// the functions are the same for every match and find theirs through the
// calling state, so a match does not pay for a table of four closures.
func (h *handler) dispatcher() *lua.LTable {
	t := h.L.CreateTable(0, 0)
	t.Metatable = libs().dispatcher.meta
	return t
}

// dispatcherFuncs are the shared dispatcher's functions.
var dispatcherFuncs = map[string]lua.LGFunction{
	"broadcast_message":          func(L *lua.LState) int { return matchOf(L).broadcast(L) },
	"broadcast_message_deferred": func(L *lua.LState) int { return matchOf(L).broadcastDeferred(L) },
	"match_kick":                 func(L *lua.LState) int { return matchOf(L).kick(L) },
	"match_label_update":         func(L *lua.LState) int { return matchOf(L).labelUpdate(L) },
}

// matchOf returns the match whose VM L is.
func matchOf(L *lua.LState) *handler {
	h := vmOf(L).match
	if h == nil {
		L.RaiseError("the dispatcher is only usable in its match")
	}
	return h
}

// broadcastArgs are the checked arguments of broadcast_message.
type broadcastArgs struct {
	opCode   int64
	data     []byte
	to       []match.Presence
	sender   *match.Presence
	reliable bool
}

type sendFunc func(opCode int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error

// broadcast is dispatcher.broadcast_message(op_code, data, presences,
// sender, reliable).
func (h *handler) broadcast(L *lua.LState) int { return h.send(L, h.env.Dispatcher.Broadcast) }

// broadcastDeferred is dispatcher.broadcast_message_deferred, which sends
// once the current callback returns.
func (h *handler) broadcastDeferred(L *lua.LState) int {
	return h.send(L, h.env.Dispatcher.BroadcastDeferred)
}

func (h *handler) send(L *lua.LState, fn sendFunc) int {
	b, ok := checkBroadcast(L)
	if !ok {
		return 0
	}
	if err := fn(b.opCode, b.data, b.to, b.sender, b.reliable); err != nil {
		L.RaiseError("%s", err.Error())
	}
	return 0
}

// checkBroadcast checks broadcast arguments; ok is false when there is no
// one to send to (an empty presence list).
func checkBroadcast(L *lua.LState) (b broadcastArgs, ok bool) {
	b.opCode = L.CheckInt64(1)
	switch d := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LString:
		b.data = []byte(d)
	default:
		L.ArgError(2, "expects data to be a string or nil")
	}
	filter := L.OptTable(3, nil)
	if filter != nil {
		if filter.Len() == 0 {
			return b, false
		}
		b.to = targets(L, filter)
		if len(b.to) == 0 {
			return b, false
		}
	}
	if s := L.OptTable(4, nil); s != nil {
		b.sender = sender(L, s)
	}
	if len(b.to) == 1 {
		checkSingleTarget(L, filter)
	}
	b.reliable = L.OptBool(5, true)
	return b, true
}

// targets checks the presences a broadcast goes to.
func targets(L *lua.LState, filter *lua.LTable) []match.Presence {
	var to []match.Presence
	for k, v := filter.Next(lua.LNil); k != lua.LNil; k, v = filter.Next(k) {
		t, ok := v.(*lua.LTable)
		if !ok {
			L.ArgError(3, "expects a valid set of presences")
		}
		var p match.Presence
		for fk, fv := t.Next(lua.LNil); fk != lua.LNil; fk, fv = t.Next(fk) {
			switch fk.String() {
			case "session_id":
				p.SessionID = checkID(L, 3, fv, "expects each presence to have a valid session_id")
			case "node":
				p.Node = checkString(L, 3, fv, "expects node to be string")
			case "user_id":
				p.UserID = fv.String()
			case "username":
				p.Username = fv.String()
			}
		}
		if p.SessionID == "" || p.SessionID == nilUUID || p.Node == "" {
			L.ArgError(3, "expects each presence to have a valid session_id and node")
		}
		to = append(to, p)
	}
	return to
}

// checkSingleTarget checks the user id of a broadcast's only target.
func checkSingleTarget(L *lua.LState, filter *lua.LTable) {
	v := filter.RawGetInt(1)
	if v == lua.LNil {
		L.ArgError(3, "expects each presence to be non-nil")
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		L.ArgError(3, "expects each presence to be a table")
	}
	uid, ok := t.RawGetString("user_id").(lua.LString)
	if !ok || !runtime.ValidUUID(string(uid)) {
		L.ArgError(3, "expects each presence to have a valid user_id")
	}
}

// sender checks the presence a broadcast shows as its sender.
func sender(L *lua.LState, t *lua.LTable) *match.Presence {
	p := &match.Presence{}
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		switch k.String() {
		case "user_id":
			p.UserID = checkID(L, 4, v, "expects presence to have a valid user_id")
		case "session_id":
			p.SessionID = checkID(L, 4, v, "expects presence to have a valid session_id")
		case "username":
			p.Username = checkString(L, 4, v, "expects username to be string")
		}
	}
	if p.UserID == "" || p.SessionID == "" || p.Username == "" {
		L.ArgError(4, "expects presence to have a valid user_id, session_id, and username")
	}
	return p
}

const nilUUID = "00000000-0000-0000-0000-000000000000"

// checkID returns v's text when it is a UUID, else raises msg.
func checkID(L *lua.LState, n int, v lua.LValue, msg string) string {
	s := v.String()
	if !runtime.ValidUUID(s) {
		L.ArgError(n, msg)
	}
	return s
}

func checkString(L *lua.LState, n int, v lua.LValue, msg string) string {
	s, ok := v.(lua.LString)
	if !ok {
		L.ArgError(n, msg)
	}
	return string(s)
}

// kick is dispatcher.match_kick(presences).
func (h *handler) kick(L *lua.LState) int {
	in := L.OptTable(1, nil)
	if in == nil || in.Len() == 0 {
		return 0
	}
	var ps []match.Presence
	for k, v := in.Next(lua.LNil); k != lua.LNil; k, v = in.Next(k) {
		t, ok := v.(*lua.LTable)
		if !ok {
			L.ArgError(1, "expects a valid set of presences")
		}
		ps = append(ps, kickTarget(L, t))
	}
	if err := h.env.Dispatcher.Kick(ps); err != nil {
		L.RaiseError("%s", err.Error())
	}
	return 0
}

func kickTarget(L *lua.LState, t *lua.LTable) match.Presence {
	var p match.Presence
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		switch k.String() {
		case "user_id":
			p.UserID = checkID(L, 1, v, "expects each presence to have a valid user_id")
		case "session_id":
			p.SessionID = checkID(L, 1, v, "expects each presence to have a valid session_id")
		case "node":
			p.Node = checkString(L, 1, v, "expects node to be string")
		case "username":
			p.Username = v.String()
		}
	}
	if p.UserID == "" || p.UserID == nilUUID || p.SessionID == "" || p.SessionID == nilUUID || p.Node == "" {
		L.ArgError(1, "expects each presence to have a valid user_id, session_id, and node")
	}
	return p
}

// labelUpdate is dispatcher.match_label_update(label): the context shows
// the new label at once.
func (h *handler) labelUpdate(L *lua.LState) int {
	label := L.OptString(1, "")
	if err := h.env.Dispatcher.UpdateLabel(label); err != nil {
		L.RaiseError("%s", err.Error())
	}
	h.ctx.RawSetString("match_label", lua.LString(label))
	return 0
}
