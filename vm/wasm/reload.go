package wasm

import (
	"context"
	"errors"
	"fmt"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// Hot reload support (sdk/ABI.md §5.6): reload policies from the init
// reply, and the optional arbiter_match_snapshot and arbiter_match_restore
// exports that hand a match's state to a new version of its module.

var (
	_ module.Policies   = (*loaded)(nil)
	_ module.Trimmer    = (*loaded)(nil)
	_ match.Restorer    = (*loaded)(nil)
	_ match.Snapshotter = (*handler)(nil)
)

// MatchPolicy implements module.Policies: the policy the handler's module
// declared in match_policies, PolicyKeep when it declared none.
func (l *loaded) MatchPolicy(name string) (module.Policy, bool) {
	m := l.handlers[name]
	if m == nil {
		return "", false
	}
	if p, ok := m.regs.policies[name]; ok {
		return p, true
	}
	return module.PolicyKeep, true
}

// Trim implements module.Trimmer: it closes the pools of instances that run
// RPCs and hooks. Match instances are the matches' own and go on.
func (l *loaded) Trim() {
	for _, m := range l.modules {
		m.pool.close()
	}
}

// Restore implements match.Restorer.
func (l *loaded) Restore(ctx context.Context, name string, env match.Env, tick int64, snapshot any) (match.Handler, error) {
	m := l.handlers[name]
	if m == nil {
		return nil, match.ErrModuleNotFound
	}
	return m.Restore(ctx, name, env, tick, snapshot)
}

// Restore creates the instance of a running match from the bytes a
// snapshot returned: arbiter_init, arbiter_match_create and then
// arbiter_match_restore instead of arbiter_match_init.
func (m *Module) Restore(ctx context.Context, name string, env match.Env, tick int64, snapshot any) (match.Handler, error) {
	var data []byte
	switch x := snapshot.(type) {
	case []byte:
		data = x
	case string:
		data = []byte(x)
	default:
		return nil, fmt.Errorf("a WASM match restores from bytes, not from a %T", snapshot)
	}
	if !m.exports(exRestore) {
		return nil, fmt.Errorf("%s does not export %s", m.file.Path, exRestore)
	}
	h, err := m.newHandler(ctx, name, env)
	if err != nil {
		return nil, err
	}
	err = h.callTick(ctx, exRestore, tick, nil, func(e *abi.Encoder) {
		h.header(e, 2, true, false)
		e.Key("name")
		e.String(name)
		e.Key("data")
		e.Raw(data)
	})
	if err != nil {
		h.Close()
		if errors.Is(err, match.ErrNilState) {
			return nil, fmt.Errorf("%s returned a nil state", exRestore)
		}
		return nil, err
	}
	return h, nil
}

// exports reports whether the module exports ex.
func (m *Module) exports(ex export) bool {
	_, ok := m.compiled.ExportedFunctions()[ex.String()]
	return ok
}

// Snapshot implements match.Snapshotter: arbiter_match_snapshot returns the
// state as bytes (or a string). A guest that does not export it cannot hand
// its state over; an ERROR reply leaves the match running as before.
func (h *handler) Snapshot(ctx context.Context, tick int64) (any, error) {
	if !h.i.m.exports(exSnapshot) {
		return nil, fmt.Errorf("%s does not export %s", h.i.m.file.Path, exSnapshot)
	}
	err := h.callTick(ctx, exSnapshot, tick, nil, func(e *abi.Encoder) { h.header(e, 0, true, false) })
	if err != nil {
		if errors.Is(err, match.ErrNilState) {
			return nil, fmt.Errorf("%s returned a nil state", exSnapshot)
		}
		return nil, err
	}
	switch x := h.v.(type) {
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return nil, fmt.Errorf("%s returned a %T, want bytes", exSnapshot, h.v)
}
