package arbiter

import "github.com/arbiterhq/arbiter/sdk/go/abi"

// Match is the logic of an authoritative match, as in Nakama's Go runtime:
// each callback receives the state the previous one returned and returns
// the next; returning a nil state ends the match. The state is any Go
// value and stays in the match's instance: nothing is serialised. A panic
// ends the match with an error.
type Match interface {
	// MatchInit returns the initial state, the tick rate (1 to 60) and the
	// label (at most 2048 bytes).
	MatchInit(ctx *Context, params map[string]any) (state any, tickRate int, label string)
	// MatchJoinAttempt accepts or rejects a player; reason is shown to a
	// rejected player.
	MatchJoinAttempt(ctx *Context, d Dispatcher, tick int64, state any, p Presence, metadata map[string]string) (next any, accept bool, reason string)
	MatchJoin(ctx *Context, d Dispatcher, tick int64, state any, ps []Presence) any
	MatchLeave(ctx *Context, d Dispatcher, tick int64, state any, ps []Presence) any
	MatchLoop(ctx *Context, d Dispatcher, tick int64, state any, msgs []Message) any
	MatchTerminate(ctx *Context, d Dispatcher, tick int64, state any, graceSeconds int) any
	// MatchSignal answers match_signal with data.
	MatchSignal(ctx *Context, d Dispatcher, tick int64, state any, data string) (next any, reply string)
}

// Dispatcher acts on the match during a callback.
type Dispatcher interface {
	// BroadcastMessage sends data to presences (nil: everyone) now.
	BroadcastMessage(opCode int64, data []byte, presences []Presence, sender *Presence, reliable bool) error
	// BroadcastMessageDeferred sends after the callback returns.
	BroadcastMessageDeferred(opCode int64, data []byte, presences []Presence, sender *Presence, reliable bool) error
	// MatchKick removes presences; MatchLeave follows.
	MatchKick(presences []Presence) error
	// MatchLabelUpdate sets the label.
	MatchLabelUpdate(label string) error
}

// current is the match of this instance.
var current struct {
	m     Match
	state any
	ctx   *Context // the match context last sent
}

// matchCall runs a match callback: it reads the input (field for the
// callback's own keys), keeps the context when one came, and runs fn with
// the tick; fn returns the next state (nil ends the match) and writes the
// reply's value, if any, with result.
func matchCall(b []byte, field func(key []byte), fn func(tick int64) (state any, result func())) []byte {
	return serve(b, field, func(tick int64, ctx *Context) []byte {
		if current.m == nil {
			return errorReply(statusError, "arbiter: no match in this instance", 0)
		}
		if ctx != nil {
			current.ctx = ctx
		}
		state, result := fn(tick)
		if state == nil {
			return replyStatus(statusNilState)
		}
		current.state = state
		if result == nil {
			return replyStatus(statusOK)
		}
		out.Reset()
		out.Byte(statusOK)
		result()
		return out.Bytes()
	})
}

func callMatchCreate(b []byte) []byte {
	var name string
	return serve(b, func(k []byte) {
		if string(k) == "name" {
			name, _ = in.ReadString()
		}
	}, func(_ int64, ctx *Context) []byte {
		newMatch := matches[name]
		if newMatch == nil {
			return errorReply(statusNotFound, "match handler not found: "+name, CodeNotFound)
		}
		current.m, current.state = newMatch(), nil
		current.ctx = orEmpty(ctx)
		return replyStatus(statusOK)
	})
}

func callMatchInit(b []byte) []byte {
	var params map[string]any
	return matchCall(b, func(k []byte) {
		if string(k) == "params" {
			params, _ = in.Value().(map[string]any)
		}
	}, func(int64) (any, func()) {
		state, rate, label := current.m.MatchInit(current.ctx, params)
		return state, func() {
			out.Map(2)
			out.Key("label")
			out.String(label)
			out.Key("tick_rate")
			out.Int(int64(rate))
		}
	})
}

func callMatchJoinAttempt(b []byte) []byte {
	var p Presence
	var md map[string]string
	return serve(b, func(k []byte) {
		switch string(k) {
		case "presence":
			p = readPresence()
		case "metadata":
			md = readStrings(&in)
		}
	}, func(tick int64, ctx *Context) []byte {
		if current.m == nil {
			return errorReply(statusError, "arbiter: no match in this instance", 0)
		}
		if md == nil {
			md = map[string]string{}
		}
		// The joining user's context; the match context stays.
		state, accept, reason := current.m.MatchJoinAttempt(orEmpty(ctx), dispatcher{}, tick, current.state, p, md)
		if state == nil {
			return replyStatus(statusNilState)
		}
		current.state = state
		out.Reset()
		out.Byte(statusOK)
		out.Map(2)
		out.Key("accept")
		out.Bool(accept)
		out.Key("reason")
		out.String(reason)
		return out.Bytes()
	})
}

func callMatchJoin(b []byte) []byte {
	var ps []Presence
	return matchCall(b, presencesField(&ps), func(tick int64) (any, func()) {
		return current.m.MatchJoin(current.ctx, dispatcher{}, tick, current.state, orNone(ps)), nil
	})
}

func callMatchLeave(b []byte) []byte {
	var ps []Presence
	return matchCall(b, presencesField(&ps), func(tick int64) (any, func()) {
		return current.m.MatchLeave(current.ctx, dispatcher{}, tick, current.state, orNone(ps)), nil
	})
}

func presencesField(ps *[]Presence) func(k []byte) {
	return func(k []byte) {
		if isPresences(k) {
			*ps = readPresences()
		}
	}
}

func orNone(ps []Presence) []Presence {
	if ps == nil {
		return []Presence{}
	}
	return ps
}

func callMatchLoop(b []byte) []byte {
	var msgs []Message
	return matchCall(b, func(k []byte) {
		if isMessages(k) {
			msgs = readMessages()
		}
	}, func(tick int64) (any, func()) {
		if msgs == nil {
			msgs = []Message{}
		}
		return current.m.MatchLoop(current.ctx, dispatcher{}, tick, current.state, msgs), nil
	})
}

func callMatchTerminate(b []byte) []byte {
	var grace int64
	return matchCall(b, func(k []byte) {
		if string(k) == "grace_seconds" {
			grace, _ = in.ReadInt()
		}
	}, func(tick int64) (any, func()) {
		return current.m.MatchTerminate(current.ctx, dispatcher{}, tick, current.state, int(grace)), nil
	})
}

func callMatchSignal(b []byte) []byte {
	var data string
	return matchCall(b, func(k []byte) {
		if string(k) == "data" {
			data, _ = in.ReadString()
		}
	}, func(tick int64) (any, func()) {
		state, res := current.m.MatchSignal(current.ctx, dispatcher{}, tick, current.state, data)
		return state, func() {
			out.Map(1)
			out.Key("data")
			out.String(res)
		}
	})
}

// dispatcher calls the host's match imports.
type dispatcher struct{}

func (dispatcher) BroadcastMessage(op int64, data []byte, ps []Presence, sender *Presence, reliable bool) error {
	return broadcast(op, data, ps, sender, reliable, false)
}

func (dispatcher) BroadcastMessageDeferred(op int64, data []byte, ps []Presence, sender *Presence, reliable bool) error {
	return broadcast(op, data, ps, sender, reliable, true)
}

func broadcast(op int64, data []byte, ps []Presence, sender *Presence, reliable, deferred bool) error {
	// The recipients and the sender share the scratch encoder: the host
	// reads both during the call.
	scratch.Reset()
	if ps != nil {
		encodePresences(&scratch, ps)
	}
	toEnd := scratch.Len()
	if sender != nil {
		_ = sender.MarshalABI(&scratch)
	}
	enc := scratch.Bytes()
	to, from := enc[:toEnd], enc[toEnd:]
	flags := uint32(0)
	if reliable {
		flags |= abi.FlagReliable
	}
	if deferred {
		flags |= abi.FlagDeferred
	}
	return resultError(hostBroadcast(op, data, to, from, flags))
}

func encodePresences(e *abi.Encoder, ps []Presence) {
	e.List(len(ps))
	for _, p := range ps {
		_ = p.MarshalABI(e)
	}
}

func (dispatcher) MatchKick(ps []Presence) error {
	if len(ps) == 0 {
		return nil
	}
	scratch.Reset()
	encodePresences(&scratch, ps)
	return resultError(hostKick(scratch.Bytes()))
}

func (dispatcher) MatchLabelUpdate(label string) error { return resultError(hostLabel(label)) }
