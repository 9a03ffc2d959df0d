package lua

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime/match"
)

// returned reads a callback's returned values from the last one back, as
// Nakama pops them off the stack; past the first value it reports none
// (Nakama's sentinel).
type returned struct {
	vals []lua.LValue
	i    int
}

func newReturned(vals []lua.LValue) *returned { return &returned{vals: vals, i: len(vals) - 1} }

// pop returns the next value from the end, or false when none is left.
func (r *returned) pop() (lua.LValue, bool) {
	if r.i < 0 {
		return nil, false
	}
	v := r.vals[r.i]
	r.i--
	return v, true
}

// more reports whether values are left (extra values were returned).
func (r *returned) more() bool { return r.i >= 0 }

// initResult checks what match_init returned: state, tick rate, label.
func (h *handler) initResult() (match.Setup, error) {
	r := newReturned(h.ret)
	label, ok := r.pop()
	s, isStr := label.(lua.LString)
	if !ok || !isStr {
		return match.Setup{}, errInitLabel
	}
	if len(s) > match.MaxLabelBytes {
		return match.Setup{}, errInitLabelLength
	}
	rate, ok := r.pop()
	n, isNum := rate.(lua.LNumber)
	if !ok || !isNum {
		return match.Setup{}, errInitRate
	}
	if int(n) < 1 || int(n) > 60 {
		return match.Setup{}, errInitRateRange
	}
	state, ok := r.pop()
	if !ok {
		return match.Setup{}, errInitState
	}
	if state == lua.LNil {
		return match.Setup{}, match.ErrNilState
	}
	if r.more() {
		return match.Setup{}, errInitTooMany
	}
	h.state = state
	return match.Setup{TickRate: int(n), Label: string(s)}, nil
}

// joinResult checks what match_join_attempt returned: state, accept and
// an optional reason.
func (h *handler) joinResult() (accept bool, reason string, err error) {
	r := newReturned(h.ret)
	last, ok := r.pop()
	if !ok {
		return false, "", errJoinTooFew
	}
	found := false
	switch x := last.(type) {
	case lua.LString:
		reason = string(x)
	case lua.LBool:
		accept, found = bool(x), true
	default:
		return false, "", errJoinResult
	}
	if !found {
		v, ok := r.pop()
		if !ok {
			return false, "", errJoinIncorrect
		}
		b, isBool := v.(lua.LBool)
		if !isBool {
			return false, "", errJoinNotBool
		}
		accept = bool(b)
	}
	state, ok := r.pop()
	if !ok || state == lua.LNil {
		return false, "", match.ErrNilState
	}
	if r.more() {
		return false, "", errJoinTooMany
	}
	h.state = state
	return accept, reason, nil
}

// signalResult checks what match_signal returned: state and a string or
// nil.
func (h *handler) signalResult() (string, error) {
	r := newReturned(h.ret)
	last, _ := r.pop() // none is a nil interface: not a string result
	var data string
	switch x := last.(type) {
	case lua.LString:
		data = string(x)
	case *lua.LNilType:
	default:
		return "", errSignalResult
	}
	state, ok := r.pop()
	if !ok || state == lua.LNil {
		return "", match.ErrNilState
	}
	if r.more() {
		return "", fmt.Errorf(errTooManyValues, "signal")
	}
	h.state = state
	return data, nil
}

// presence returns a presence table: user_id, session_id, username, node
// and, for joins and leaves, reason.
func (h *handler) presence(p match.Presence, withReason bool) *lua.LTable {
	b := h.boxed.get(p)
	t := h.L.CreateTable(0, 5)
	t.RawSetString("user_id", b.userID)
	t.RawSetString("session_id", b.sessionID)
	t.RawSetString("username", b.username)
	t.RawSetString("node", b.node)
	if withReason {
		t.RawSetString("reason", lua.LNumber(p.Reason))
	}
	return t
}

// messages returns match_loop's messages: {sender, op_code, data,
// reliable, receive_time_ms}, data nil when the message has none.
func (h *handler) messages(msgs []match.Message) *lua.LTable {
	t := h.L.CreateTable(len(msgs), 0)
	for i := range msgs {
		m := &msgs[i]
		mt := h.L.CreateTable(0, 5)
		mt.RawSetString("sender", h.presence(m.Sender, false))
		mt.RawSetString("op_code", lua.LNumber(m.OpCode))
		if m.Data != nil {
			mt.RawSetString("data", lua.LString(m.Data))
		}
		mt.RawSetString("reliable", lua.LBool(m.Reliable))
		mt.RawSetString("receive_time_ms", lua.LNumber(m.ReceiveTimeMs))
		t.RawSetInt(i+1, mt)
	}
	return t
}

// boxedPresence holds a presence's strings as Lua values: a string becomes
// a Lua value by an allocation, which the presence tables made for every
// message from the same player then share (strings are immutable).
type boxedPresence struct {
	userID, sessionID, username, node lua.LValue
}

// maxBoxed bounds the presences a match keeps boxed.
const maxBoxed = 1024

// boxCache holds the boxed presences of a match's players, by session.
type boxCache map[string]*boxedPresence

func (c *boxCache) get(p match.Presence) *boxedPresence {
	if b := (*c)[p.SessionID]; b != nil && b.is(p) {
		return b
	}
	if *c == nil || len(*c) >= maxBoxed {
		*c = boxCache{}
	}
	b := &boxedPresence{lua.LString(p.UserID), lua.LString(p.SessionID), lua.LString(p.Username), lua.LString(p.Node)}
	(*c)[p.SessionID] = b
	return b
}

func (b *boxedPresence) is(p match.Presence) bool {
	return b.userID.(lua.LString) == lua.LString(p.UserID) && b.username.(lua.LString) == lua.LString(p.Username) &&
		b.node.(lua.LString) == lua.LString(p.Node)
}
