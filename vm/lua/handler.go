package lua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// The match callbacks, in the order Nakama checks that they exist.
const (
	cbInit = iota
	cbJoinAttempt
	cbJoin
	cbLeave
	cbLoop
	cbTerminate
	cbSignal
	numCallbacks
)

var callbackNames = [numCallbacks]string{
	"match_init", "match_join_attempt", "match_join", "match_leave",
	"match_loop", "match_terminate", "match_signal",
}

// handler is a match's game logic: the match module running in a small VM
// of its own, holding the match state as a Lua value between calls. It
// implements match.Handler; the match's goroutine makes every call.
type handler struct {
	*vm
	env   match.Env
	fns   [numCallbacks]*lua.LFunction
	ctx   *lua.LTable // the match's context table, kept between calls
	disp  *lua.LTable // the dispatcher table
	state lua.LValue
	// engLabel and engRate are the engine's label and tick rate as last
	// seen, to show its changes in ctx.
	engLabel string
	engRate  int
	log      *slog.Logger
	mem      memCheck
	boxed    boxCache
}

var _ match.Handler = (*handler)(nil)

// NewHandler implements match.Factory: it creates a VM for the match, runs
// the module's top-level code in it (require(name)) and checks that the
// module returned a table of the seven match callbacks.
func (in *Instance) NewHandler(ctx context.Context, name string, env match.Env) (match.Handler, error) {
	h, err := in.newHandler(ctx, name, env)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// newHandler creates the VM of a match and binds its callbacks.
func (in *Instance) newHandler(ctx context.Context, name string, env match.Env) (*handler, error) {
	if in.prog.byName[name] == nil {
		return nil, match.ErrModuleNotFound
	}
	e := in.eng
	h := &handler{vm: e.newVM(in.prog, matchRegistrySize), env: env}
	h.match = h // the shared dispatcher functions find the match here
	h.lazyNK = true
	// The match's id and module reach its logs through the callbacks'
	// contexts (runtime.LogFields) and nk's call attributes.
	h.log = in.log
	h.mem.limit, h.mem.interval = e.cfg.MatchMemoryLimit, memCheckInterval
	h.setCall(env.Context, name, h.log, nil) // register_* do nothing, as in Nakama's match VMs
	lctx, cancel := context.WithTimeout(ctx, e.cfg.LoadBudget)
	defer cancel()
	mod, err := h.requireModule(lctx, name)
	if err == nil {
		err = h.bindCallbacks(mod)
	} else if lctx.Err() != nil {
		err = fmt.Errorf("%s%w", errMatchLoadPrefix, ErrBudget)
	} else {
		err = errors.New(errMatchLoadPrefix + errorMessage(err))
	}
	if err != nil {
		h.close()
		return nil, err
	}
	if env.Context != nil {
		h.engLabel, h.engRate = env.Context.MatchLabel, env.Context.MatchTickRate
	}
	h.ctx = h.matchContext()
	h.disp = h.dispatcher()
	return h, nil
}

// bindCallbacks checks the module's result as Nakama does.
func (h *handler) bindCallbacks(mod lua.LValue) error {
	t, ok := mod.(*lua.LTable)
	if !ok {
		return errMatchNotTable
	}
	for i, name := range callbackNames {
		v := t.RawGetString(name)
		if v == lua.LNil && i == cbSignal {
			// Nakama requires match_signal; its own documented ping-pong
			// example leaves it out, so Arbiter lets a module do without
			// it: a signal to such a match fails, the match goes on.
			continue
		}
		fn, ok := v.(*lua.LFunction)
		if !ok {
			return fmt.Errorf(errCallbackNotFound, name)
		}
		h.fns[i] = fn
	}
	return nil
}

// matchContext returns the match's context table; match_label and
// match_tick_rate appear once match_init has returned. The table fills
// itself on first use (lazyctx.go): most matches never read it.
func (h *handler) matchContext() *lua.LTable {
	c := h.env.Context
	if c == nil {
		return h.L.CreateTable(0, 0)
	}
	return h.lazyTable(matchContextOf{c})
}

// syncContext shows the engine's label and tick rate changes in the
// context table.
func (h *handler) syncContext() {
	c := h.env.Context
	if c == nil {
		return
	}
	if c.MatchLabel != h.engLabel {
		h.engLabel = c.MatchLabel
		h.ctx.RawSetString("match_label", lua.LString(c.MatchLabel))
	}
	if c.MatchTickRate != h.engRate {
		h.engRate = c.MatchTickRate
		h.ctx.RawSetString("match_tick_rate", lua.LNumber(c.MatchTickRate))
	}
}

// begin pushes callback cb with the context, dispatcher, tick and state.
func (h *handler) begin(cb int, ctx *lua.LTable, tick int64) {
	h.syncContext()
	L := h.L
	L.Push(h.fns[cb])
	L.Push(ctx)
	L.Push(h.disp)
	L.Push(lua.LNumber(tick))
	L.Push(h.state)
}

// exec runs the pushed callback cb under ctx, its budget. A script error
// is logged with its traceback and returned with its message.
func (h *handler) exec(ctx context.Context, cb, nargs int) error {
	err := h.pcall(ctx, ctx, nargs)
	if err == nil || errors.Is(err, ErrBudget) {
		return err
	}
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		h.log.ErrorContext(ctx, "match callback caused an error", "callback", callbackNames[cb],
			runtime.LogMatch, h.env.MatchID, runtime.LogModule, h.call.Module, runtime.LogError, errorMessage(err), "traceback", ae.StackTrace)
	}
	return errors.New(errorMessage(err))
}

// Init implements match.Handler: match_init(context, params) returns
// state, tick rate, label.
func (h *handler) Init(ctx context.Context, params map[string]any) (match.Setup, error) {
	h.L.Push(h.fns[cbInit])
	h.L.Push(h.ctx)
	if params == nil {
		h.L.Push(lua.LNil)
	} else {
		h.L.Push(h.toLua(params))
	}
	if err := h.exec(ctx, cbInit, 2); err != nil {
		return match.Setup{}, err
	}
	setup, err := h.initResult()
	if err != nil {
		return setup, err
	}
	h.showSetup(setup.Label, setup.TickRate)
	return setup, h.mem.check(h, true)
}

// showSetup sets match_label and match_tick_rate in the match's context
// table, once the match is set up (by match_init, or restored).
func (h *handler) showSetup(label string, tickRate int) {
	h.ctx.RawSetString("match_label", lua.LString(label))
	h.ctx.RawSetString("match_tick_rate", lua.LNumber(tickRate))
}

// JoinAttempt implements match.Handler: match_join_attempt(context,
// dispatcher, tick, state, presence, metadata) returns state, accept and
// an optional reason.
func (h *handler) JoinAttempt(ctx context.Context, tick int64, j match.JoinAttempt) (bool, string, error) {
	jctx := h.ctx
	if j.Context != nil {
		jctx = h.lazyContextTable(j.Context)
	}
	h.begin(cbJoinAttempt, jctx, tick)
	h.L.Push(h.presence(j.Presence, false))
	meta := h.L.CreateTable(0, len(j.Metadata))
	for k, v := range j.Metadata {
		meta.RawSetString(k, lua.LString(v))
	}
	h.L.Push(meta)
	if err := h.exec(ctx, cbJoinAttempt, 6); err != nil {
		return false, "", err
	}
	accept, reason, err := h.joinResult()
	if err != nil {
		return false, "", err
	}
	return accept, reason, h.mem.check(h, false)
}

// Join implements match.Handler.
func (h *handler) Join(ctx context.Context, tick int64, ps []match.Presence) error {
	return h.presenceCall(ctx, cbJoin, "join", tick, ps)
}

// Leave implements match.Handler.
func (h *handler) Leave(ctx context.Context, tick int64, ps []match.Presence) error {
	err := h.presenceCall(ctx, cbLeave, "leave", tick, ps)
	for _, p := range ps {
		delete(h.boxed, p.SessionID)
	}
	return err
}

func (h *handler) presenceCall(ctx context.Context, cb int, name string, tick int64, ps []match.Presence) error {
	h.begin(cb, h.ctx, tick)
	list := h.L.CreateTable(len(ps), 0)
	for i, p := range ps {
		list.RawSetInt(i+1, h.presence(p, true))
	}
	h.L.Push(list)
	return h.stateCall(ctx, cb, name)
}

// Loop implements match.Handler: match_loop(context, dispatcher, tick,
// state, messages) returns the state.
func (h *handler) Loop(ctx context.Context, tick int64, msgs []match.Message) error {
	h.begin(cbLoop, h.ctx, tick)
	h.L.Push(h.messages(msgs))
	return h.stateCall(ctx, cbLoop, "loop")
}

// Terminate implements match.Handler.
func (h *handler) Terminate(ctx context.Context, tick int64, graceSeconds int) error {
	h.begin(cbTerminate, h.ctx, tick)
	h.L.Push(lua.LNumber(graceSeconds))
	return h.stateCall(ctx, cbTerminate, "terminate")
}

// Signal implements match.Handler: match_signal(context, dispatcher, tick,
// state, data) returns state and a string (or nil).
func (h *handler) Signal(ctx context.Context, tick int64, data string) (string, error) {
	if h.fns[cbSignal] == nil {
		return "", match.ErrNoSignal
	}
	h.begin(cbSignal, h.ctx, tick)
	h.L.Push(lua.LString(data))
	if err := h.exec(ctx, cbSignal, 5); err != nil {
		return "", err
	}
	res, err := h.signalResult()
	if err != nil {
		return "", err
	}
	return res, h.mem.check(h, false)
}

// stateCall runs a callback that returns only the state.
func (h *handler) stateCall(ctx context.Context, cb int, name string) error {
	if err := h.exec(ctx, cb, 5); err != nil {
		return err
	}
	r := h.ret
	if len(r) == 0 || r[len(r)-1] == lua.LNil {
		return match.ErrNilState
	}
	if len(r) > 1 {
		return fmt.Errorf(errTooManyValues, name)
	}
	h.state = r[0]
	return h.mem.check(h, false)
}

// Close implements match.Handler.
func (h *handler) Close() {
	h.state, h.ctx, h.disp, h.boxed = nil, nil, nil, nil
	h.fns = [numCallbacks]*lua.LFunction{}
	h.close()
}
