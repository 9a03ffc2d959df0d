package wasm

import (
	"context"
	"errors"
	"fmt"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// NewHandler creates a match of handler name on a new instance of the
// module: it implements match.Factory.
func (m *Module) NewHandler(ctx context.Context, name string, env match.Env) (match.Handler, error) {
	h, err := m.newHandler(ctx, name, env)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// newHandler makes the instance of a match and runs arbiter_match_create.
func (m *Module) newHandler(ctx context.Context, name string, env match.Env) (*handler, error) {
	if !contains(m.regs.handlers, name) {
		return nil, match.ErrModuleNotFound
	}
	i, _, err := m.newInstance(ctx, false)
	if err != nil {
		return nil, err
	}
	h := &handler{i: i, env: env}
	if h.env.Context == nil {
		h.env.Context = &runtime.CallContext{ExecutionMode: runtime.ModeMatch, MatchID: env.MatchID, MatchNode: env.Node}
	}
	ctx, cancel := context.WithTimeout(ctx, m.e.cfg.InitBudget)
	defer cancel()
	err = h.callTick(ctx, exMatchCreate, -1, nil, func(e *abi.Encoder) {
		h.header(e, 2, false, false)
		e.Key("name")
		e.String(name)
		e.Key("match_id")
		e.String(env.MatchID)
	})
	if err != nil {
		i.close()
		if ge := (*guestError)(nil); errors.As(err, &ge) && ge.status == statusNotFound {
			return nil, match.ErrModuleNotFound
		}
		return nil, err
	}
	return h, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// handler is a match whose state lives in its own instance: it implements
// match.Handler. The match goroutine makes every call.
type handler struct {
	i   *instance
	env match.Env
	v   any // the value of the last reply

	// The match context last sent, by the fields that change.
	sent      bool
	sentLabel string
	sentRate  int
	closed    bool
}

// callTick runs a match export: the input is a map of the entries fill
// writes (its header counted by header) plus tick (unless -1) and context
// (when it changed, or always with user, the join attempt's user context).
func (h *handler) callTick(ctx context.Context, ex export, tick int64, user *runtime.CallContext, fill func(e *abi.Encoder)) error {
	if h.closed || h.i.broken {
		return errors.New("match instance is closed")
	}
	c := h.env.Context
	if user != nil {
		c = user
	}
	i := h.i
	i.begin(c, nil, h.env.Dispatcher)
	defer i.end()
	i.in.Reset()
	fill(&i.in) // writes the map header for its own entries plus ours
	if tick >= 0 {
		i.in.Key("tick")
		i.in.Int(tick)
	}
	if user != nil || h.contextChanged() {
		i.in.Key("context")
		if err := i.in.Value(c.Map()); err != nil {
			return err
		}
		if user == nil {
			h.sent, h.sentLabel, h.sentRate = true, c.MatchLabel, c.MatchTickRate
		}
	}
	status, v, err := i.invoke(ctx, ex, i.in.Bytes())
	h.v = v
	switch {
	case err != nil:
		return err
	case status == statusNilState:
		return match.ErrNilState
	}
	return nil
}

// contextChanged reports whether the match context differs from the one
// last sent.
func (h *handler) contextChanged() bool {
	c := h.env.Context
	return !h.sent || c.MatchLabel != h.sentLabel || c.MatchTickRate != h.sentRate
}

// header writes the header of a map of n entries plus tick and context.
func (h *handler) header(e *abi.Encoder, n int, tick bool, user bool) {
	if tick {
		n++
	}
	if user || h.contextChanged() {
		n++
	}
	e.Map(n)
}

// Init implements match.Handler.
func (h *handler) Init(ctx context.Context, params map[string]any) (match.Setup, error) {
	var encErr error
	err := h.callTick(ctx, exMatchInit, -1, nil, func(e *abi.Encoder) {
		h.header(e, 1, false, false)
		e.Key("params")
		if params == nil {
			e.Nil()
			return
		}
		encErr = e.Value(params)
	})
	if err = errors.Join(encErr, err); err != nil {
		return match.Setup{}, err
	}
	r, _ := h.v.(map[string]any)
	rate, ok := nk.AsInt(r["tick_rate"])
	if !ok {
		return match.Setup{}, errors.New("match_init returned unexpected second value, must be a tick rate number")
	}
	label, ok := r["label"].(string)
	if !ok && r["label"] != nil {
		return match.Setup{}, errors.New("match_init returned unexpected third value, must be a label string")
	}
	return match.Setup{TickRate: int(rate), Label: label}, nil
}

// JoinAttempt implements match.Handler.
func (h *handler) JoinAttempt(ctx context.Context, tick int64, j match.JoinAttempt) (bool, string, error) {
	user := j.Context
	if user == nil {
		user = h.env.Context
	}
	err := h.callTick(ctx, exJoinAttempt, tick, user, func(e *abi.Encoder) {
		h.header(e, 2, true, true)
		e.Key("presence")
		putPresence(e, j.Presence, false)
		e.Key("metadata")
		e.Map(len(j.Metadata))
		for _, k := range abi.SortedKeys(j.Metadata) {
			e.Key(k)
			e.String(j.Metadata[k])
		}
	})
	if err != nil {
		return false, "", err
	}
	r, _ := h.v.(map[string]any)
	accept, ok := r["accept"].(bool)
	if !ok {
		return false, "", errors.New("Match join attempt returned non-boolean join result, stopping match")
	}
	reason, ok := r["reason"].(string)
	if !ok && r["reason"] != nil {
		return false, "", errors.New("Match join attempt returned non-string reject reason, stopping match")
	}
	return accept, reason, nil
}

// Join implements match.Handler.
func (h *handler) Join(ctx context.Context, tick int64, ps []match.Presence) error {
	return h.presences(ctx, exJoin, tick, ps)
}

// Leave implements match.Handler.
func (h *handler) Leave(ctx context.Context, tick int64, ps []match.Presence) error {
	return h.presences(ctx, exLeave, tick, ps)
}

func (h *handler) presences(ctx context.Context, ex export, tick int64, ps []match.Presence) error {
	return h.callTick(ctx, ex, tick, nil, func(e *abi.Encoder) {
		h.header(e, 1, true, false)
		e.Key("presences")
		e.List(len(ps))
		for _, p := range ps {
			putPresence(e, p, true)
		}
	})
}

// Loop implements match.Handler.
func (h *handler) Loop(ctx context.Context, tick int64, msgs []match.Message) error {
	return h.callTick(ctx, exLoop, tick, nil, func(e *abi.Encoder) {
		h.header(e, 1, true, false)
		e.Key("messages")
		e.List(len(msgs))
		for k := range msgs {
			msg := &msgs[k]
			e.Map(5)
			e.Key("sender")
			putPresence(e, msg.Sender, false)
			e.Key("op_code")
			e.Int(msg.OpCode)
			e.Key("data")
			e.Raw(msg.Data)
			e.Key("reliable")
			e.Bool(msg.Reliable)
			e.Key("receive_time_ms")
			e.Int(msg.ReceiveTimeMs)
		}
	})
}

// Terminate implements match.Handler.
func (h *handler) Terminate(ctx context.Context, tick int64, graceSeconds int) error {
	return h.callTick(ctx, exTerminate, tick, nil, func(e *abi.Encoder) {
		h.header(e, 1, true, false)
		e.Key("grace_seconds")
		e.Int(int64(graceSeconds))
	})
}

// Signal implements match.Handler.
func (h *handler) Signal(ctx context.Context, tick int64, data string) (string, error) {
	err := h.callTick(ctx, exSignal, tick, nil, func(e *abi.Encoder) {
		h.header(e, 1, true, false)
		e.Key("data")
		e.String(data)
	})
	if err != nil {
		return "", err
	}
	r, _ := h.v.(map[string]any)
	switch x := r["data"].(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", fmt.Errorf("Match signal returned non-string result, stopping match")
}

// Close implements match.Handler.
func (h *handler) Close() {
	if !h.closed {
		h.closed = true
		h.i.close()
	}
}

func putPresence(e *abi.Encoder, p match.Presence, reason bool) {
	n := 4
	if reason {
		n = 5
	}
	e.Map(n)
	e.Key("user_id")
	e.String(p.UserID)
	e.Key("session_id")
	e.String(p.SessionID)
	e.Key("username")
	e.String(p.Username)
	e.Key("node")
	e.String(p.Node)
	if reason {
		e.Key("reason")
		e.Int(int64(p.Reason))
	}
}
