package match

import (
	"context"
	"errors"

	"github.com/arbiterhq/arbiter/runtime"
)

// Presence is a player in an authoritative match, as handlers see it.
type Presence struct {
	UserID    string
	SessionID string
	Username  string
	Node      string
	// Reason is why the presence joined or left (session.Reason*).
	Reason uint8
}

// Map returns the presence as Nakama's presence table.
func (p Presence) Map(withReason bool) map[string]any {
	m := map[string]any{
		"user_id":    p.UserID,
		"session_id": p.SessionID,
		"username":   p.Username,
		"node":       p.Node,
	}
	if withReason {
		m["reason"] = int64(p.Reason)
	}
	return m
}

// Message is client data queued for the next match_loop.
type Message struct {
	Sender        Presence
	OpCode        int64
	Data          []byte
	Reliable      bool
	ReceiveTimeMs int64
}

// JoinAttempt is a request to join a match.
type JoinAttempt struct {
	Presence Presence
	Metadata map[string]string
	// Context is the joining user's callback context (user, session, vars).
	Context *runtime.CallContext
}

// Setup is what match_init returns besides the state it keeps.
type Setup struct {
	TickRate int
	Label    string
}

// Handler is a match's game logic: a match module in a VM, holding the
// match state. The match's goroutine makes every call, one at a time, so a
// Handler needs no locking. ctx carries the call's CPU budget.
//
// A call returns ErrNilState when the module returned a nil state: the match
// then ends without an error. Any other error ends the match with an error
// reported to its players.
type Handler interface {
	Init(ctx context.Context, params map[string]any) (Setup, error)
	JoinAttempt(ctx context.Context, tick int64, j JoinAttempt) (accept bool, reason string, err error)
	Join(ctx context.Context, tick int64, ps []Presence) error
	Leave(ctx context.Context, tick int64, ps []Presence) error
	Loop(ctx context.Context, tick int64, msgs []Message) error
	Terminate(ctx context.Context, tick int64, graceSeconds int) error
	Signal(ctx context.Context, tick int64, data string) (string, error)
	// Close releases the handler's VM.
	Close()
}

// ErrNilState is returned by a Handler call whose module returned a nil
// state, which ends the match normally.
var ErrNilState = errors.New("match returned a nil state")

// ErrNoSignal is returned by Signal when the module has no match_signal:
// the signal fails, the match goes on.
var ErrNoSignal = runtime.NewError(runtime.Unimplemented, "match_signal is not implemented by this match's module")

// Dispatcher is how a handler acts on its match during a call. Its methods
// may only be called from inside a Handler call.
type Dispatcher interface {
	// Broadcast sends data to the given presences (nil: every presence)
	// now. sender, when not nil, is shown as the sender.
	Broadcast(opCode int64, data []byte, to []Presence, sender *Presence, reliable bool) error
	// BroadcastDeferred sends like Broadcast when the current call returns.
	BroadcastDeferred(opCode int64, data []byte, to []Presence, sender *Presence, reliable bool) error
	// Kick removes presences from the match; match_leave follows.
	Kick(ps []Presence) error
	// UpdateLabel sets the match label (at most MaxLabelBytes).
	UpdateLabel(label string) error
}

// Env is what a handler is created with.
type Env struct {
	MatchID    string
	Node       string
	Module     string
	Dispatcher Dispatcher
	// Context is the match's callback context; the handler may read it at
	// each call (its label and tick rate change).
	Context *runtime.CallContext
}

// Factory creates the handler of a match module.
type Factory interface {
	// NewHandler returns the handler of module name, or ErrModuleNotFound.
	NewHandler(ctx context.Context, name string, env Env) (Handler, error)
}

// Hot reload: a running match may move to newer code of its module at a
// tick boundary (the "migrate" policy). Its handler hands its state over
// (Snapshotter), and the factory of the new code creates the new handler
// from that state instead of running match_init (Restorer). The match keeps
// its id, tick, tick rate, label and presences. runtime/module implements
// Reloader and decides, per module, whether a match moves.

// Snapshotter is a Handler whose state can be handed to newer code.
type Snapshotter interface {
	// Snapshot returns the match state as a value the same engine's
	// Restorer accepts (the neutral value model for Lua, bytes for WASM),
	// or an error when the state cannot be handed over. It changes nothing:
	// after an error the handler goes on as before.
	Snapshot(ctx context.Context, tick int64) (any, error)
}

// Restorer is a Factory that creates the handler of a running match from a
// snapshot of its state, instead of running match_init. env.Context holds
// the match's current label and tick rate.
type Restorer interface {
	Restore(ctx context.Context, name string, env Env, tick int64, snapshot any) (Handler, error)
}

// Reloader is a Factory whose code can change while matches run. Each
// match checks Generation at every tick boundary; after a change it calls
// Upgrade once.
type Reloader interface {
	// Generation changes each time the code changes.
	Generation() int64
	// Upgrade returns the handler that replaces h, the handler of a match
	// of module name, made by the current code from h's state; or nil when
	// the match stays on h (its module's policy is to keep its code, or h
	// is current). With an error the match stays on h, which must be
	// unchanged. The match closes h after a replacement. Upgrade logs what
	// it did.
	Upgrade(ctx context.Context, h Handler, name string, env Env, tick int64) (Handler, error)
}

// ErrModuleNotFound: no loaded module serves as a match handler of that name.
var ErrModuleNotFound = runtime.NewError(runtime.NotFound, "not found")
