// Package vmtest holds test helpers shared by the VM engines (vm/lua,
// vm/wasm): module files from source text, a recorder of registrations and
// a fake match dispatcher, so that both engines are tested the same way.
package vmtest

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// Files returns module files from paths and source text, sorted by module
// name as module.Manager sorts them.
func Files(src map[string]string) []module.File {
	files := make([]module.File, 0, len(src))
	for p, s := range src {
		files = append(files, module.File{Name: module.Name(p), Path: p, Data: []byte(s)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

// Registrations records what modules register; it implements
// module.Registrations.
type Registrations struct {
	mu         sync.Mutex
	RPCs       map[string]module.RPCFunc
	Matchmaker module.MatchmakerFunc
	Shutdowns  []module.ShutdownFunc
}

// NewRegistrations returns an empty recorder.
func NewRegistrations() *Registrations {
	return &Registrations{RPCs: map[string]module.RPCFunc{}}
}

// RPC implements module.Registrations.
func (r *Registrations) RPC(id string, fn module.RPCFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.RPCs[id] = fn
}

// MatchmakerMatched implements module.Registrations.
func (r *Registrations) MatchmakerMatched(fn module.MatchmakerFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Matchmaker = fn
}

// Shutdown implements module.Registrations.
func (r *Registrations) Shutdown(fn module.ShutdownFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Shutdowns = append(r.Shutdowns, fn)
}

// Call runs RPC id with an RPC context.
func (r *Registrations) Call(ctx context.Context, id, payload string) (string, error) {
	r.mu.Lock()
	fn := r.RPCs[id]
	r.mu.Unlock()
	if fn == nil {
		return "", runtime.ErrFunctionNotFound
	}
	return fn(ctx, &runtime.CallContext{ExecutionMode: runtime.ModeRPC, Node: "test"}, payload)
}

// Broadcast is one broadcast a handler asked for.
type Broadcast struct {
	OpCode   int64
	Data     []byte
	To       []match.Presence
	Sender   *match.Presence
	Reliable bool
}

// ErrStopped is what Dispatcher answers once Stopped is set.
var ErrStopped = errors.New("match stopped")

// Dispatcher is a match.Dispatcher that records what a handler asks of it.
// Set Stopped to make broadcasts fail as a stopped match's do.
type Dispatcher struct {
	Sent     []Broadcast
	Deferred []Broadcast
	Kicked   []match.Presence
	Labels   []string
	Stopped  bool
	// MaxDeferred bounds deferred broadcasts per call (0: no bound).
	MaxDeferred int
}

var _ match.Dispatcher = (*Dispatcher)(nil)

// Broadcast implements match.Dispatcher.
func (d *Dispatcher) Broadcast(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	if d.Stopped {
		return ErrStopped
	}
	d.Sent = append(d.Sent, Broadcast{op, data, to, sender, reliable})
	return nil
}

// BroadcastDeferred implements match.Dispatcher.
func (d *Dispatcher) BroadcastDeferred(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	if d.Stopped {
		return ErrStopped
	}
	if d.MaxDeferred > 0 && len(d.Deferred) >= d.MaxDeferred {
		return errors.New("error deferring message broadcast: too many deferred message broadcasts per tick")
	}
	d.Deferred = append(d.Deferred, Broadcast{op, data, to, sender, reliable})
	return nil
}

// Kick implements match.Dispatcher.
func (d *Dispatcher) Kick(ps []match.Presence) error {
	d.Kicked = append(d.Kicked, ps...)
	return nil
}

// UpdateLabel implements match.Dispatcher.
func (d *Dispatcher) UpdateLabel(label string) error {
	if len(label) > match.MaxLabelBytes {
		return errors.New("error updating match label: match label too long, must be 0-2048 bytes")
	}
	d.Labels = append(d.Labels, label)
	return nil
}

// Env returns a match environment over d with a match context.
func Env(module string, d match.Dispatcher) match.Env {
	id := runtime.NewUUID().String() + ".test"
	return match.Env{
		MatchID: id, Node: "test", Module: module, Dispatcher: d,
		Context: &runtime.CallContext{
			ExecutionMode: runtime.ModeMatch, Node: "test", MatchID: id, MatchNode: "test",
			Env: map[string]string{"K": "V"},
		},
	}
}

// Presence returns a presence with fresh ids.
func Presence(username string) match.Presence {
	return match.Presence{
		UserID: runtime.NewUUID().String(), SessionID: runtime.NewUUID().String(),
		Username: username, Node: "test",
	}
}
