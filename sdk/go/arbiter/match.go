package arbiter

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

// matchCall decodes a match callback's input, keeps its context and runs
// fn with the match's state; a nil state returned ends the match.
func matchCall(in []byte, fn func(m map[string]any, tick int64) (any, any)) []byte {
	return serve(in, func(m map[string]any) []byte {
		if current.m == nil {
			return errorReply(statusError, "arbiter: no match in this instance", 0)
		}
		if c, ok := m["context"]; ok {
			current.ctx = contextOf(c)
		}
		tick, _ := m["tick"].(int64)
		state, result := fn(m, tick)
		if state == nil {
			return reply(statusNilState, nil)
		}
		current.state = state
		return reply(statusOK, result)
	})
}

func callMatchCreate(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		name, _ := m["name"].(string)
		newMatch := matches[name]
		if newMatch == nil {
			return errorReply(statusNotFound, "match handler not found: "+name, CodeNotFound)
		}
		current.m, current.state = newMatch(), nil
		current.ctx = contextOf(m["context"])
		return reply(statusOK, nil)
	})
}

func callMatchInit(in []byte) []byte {
	return matchCall(in, func(m map[string]any, _ int64) (any, any) {
		params, _ := m["params"].(map[string]any)
		state, rate, label := current.m.MatchInit(current.ctx, params)
		return state, map[string]any{"tick_rate": int64(rate), "label": label}
	})
}

func callMatchJoinAttempt(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		if current.m == nil {
			return errorReply(statusError, "arbiter: no match in this instance", 0)
		}
		tick, _ := m["tick"].(int64)
		md := stringMap(m["metadata"])
		state, accept, reason := current.m.MatchJoinAttempt(contextOf(m["context"]), dispatcher{}, tick,
			current.state, presenceOf(m["presence"]), md)
		if state == nil {
			return reply(statusNilState, nil)
		}
		current.state = state
		return reply(statusOK, map[string]any{"accept": accept, "reason": reason})
	})
}

func callMatchJoin(in []byte) []byte {
	return matchCall(in, func(m map[string]any, tick int64) (any, any) {
		return current.m.MatchJoin(current.ctx, dispatcher{}, tick, current.state, presencesOf(m["presences"])), nil
	})
}

func callMatchLeave(in []byte) []byte {
	return matchCall(in, func(m map[string]any, tick int64) (any, any) {
		return current.m.MatchLeave(current.ctx, dispatcher{}, tick, current.state, presencesOf(m["presences"])), nil
	})
}

func callMatchLoop(in []byte) []byte {
	return matchCall(in, func(m map[string]any, tick int64) (any, any) {
		return current.m.MatchLoop(current.ctx, dispatcher{}, tick, current.state, messagesOf(m["messages"])), nil
	})
}

func callMatchTerminate(in []byte) []byte {
	return matchCall(in, func(m map[string]any, tick int64) (any, any) {
		grace, _ := m["grace_seconds"].(int64)
		return current.m.MatchTerminate(current.ctx, dispatcher{}, tick, current.state, int(grace)), nil
	})
}

func callMatchSignal(in []byte) []byte {
	return matchCall(in, func(m map[string]any, tick int64) (any, any) {
		data, _ := m["data"].(string)
		state, res := current.m.MatchSignal(current.ctx, dispatcher{}, tick, current.state, data)
		return state, map[string]any{"data": res}
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
	var to, from []byte
	if ps != nil {
		to = encodePresences(ps)
	}
	if sender != nil {
		from, _ = Encode(sender)
	}
	flags := uint32(0)
	if reliable {
		flags |= 1
	}
	if deferred {
		flags |= 2
	}
	return resultError(hostBroadcast(op, data, to, from, flags))
}

func encodePresences(ps []Presence) []byte {
	var e encoder
	e.header(tagList, len(ps))
	for _, p := range ps {
		_ = e.value(p, 1)
	}
	return e.b
}

func (dispatcher) MatchKick(ps []Presence) error {
	if len(ps) == 0 {
		return nil
	}
	return resultError(hostKick(encodePresences(ps)))
}

func (dispatcher) MatchLabelUpdate(label string) error { return resultError(hostLabel(label)) }
