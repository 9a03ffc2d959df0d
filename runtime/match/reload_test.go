package match

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// reloadFactory is a factory whose code changes: Upgrade answers with
// next (or err) and records its calls.
type reloadFactory struct {
	factory
	gen  atomic.Int64
	mu   sync.Mutex
	next func(h Handler, env Env, tick int64) (Handler, error)
	got  []int64 // the ticks Upgrade was called at
}

func (f *reloadFactory) Generation() int64 { return f.gen.Load() }

func (f *reloadFactory) Upgrade(_ context.Context, h Handler, name string, env Env, tick int64) (Handler, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, tick)
	if name != "game" || env.Dispatcher == nil || env.Context == nil {
		return nil, errors.New("upgrade without the match's env")
	}
	return f.next(h, env, tick)
}

func (f *reloadFactory) calls() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.got...)
}

func newReloadEnv(t *testing.T) (*env, *reloadFactory) {
	t.Helper()
	e := newEnv(t, Config{}, nil)
	f := &reloadFactory{factory: factory{setup: func(h *fakeHandler) { h.label = "lbl" }}}
	e.reg.factory, e.reg.reloader = f, f
	return e, f
}

func TestUpgradeAtTickBoundary(t *testing.T) {
	e, f := newReloadEnv(t)
	id, err := e.reg.Create(context.Background(), "game", nil)
	if err != nil {
		t.Fatal(err)
	}
	old := f.handlers[0]
	eventually(t, "a few ticks", func() bool { return old.loops.Load() >= 3 })
	var fresh *fakeHandler
	var firstTick atomic.Int64
	f.next = func(h Handler, env Env, tick int64) (Handler, error) {
		if h != old {
			return nil, errors.New("upgrade of another handler")
		}
		fresh = &fakeHandler{env: env}
		fresh.onLoop = func(_ context.Context, tick int64, _ []Message) error {
			firstTick.CompareAndSwap(0, tick)
			return nil
		}
		return fresh, nil
	}
	f.gen.Add(1)
	eventually(t, "the new handler to tick", func() bool { return firstTick.Load() > 0 })
	if !old.closed.Load() {
		t.Fatal("the replaced handler was not closed")
	}
	got := f.calls()
	if len(got) != 1 || got[0] < 3 || firstTick.Load() != got[0] {
		t.Fatalf("upgrade at ticks %v, first new tick %d: want one upgrade, the tick count going on", got, firstTick.Load())
	}
	if m, ok, _ := e.reg.Get(id); !ok || m.Label != "lbl" || m.TickRate != 20 {
		t.Fatalf("match after upgrade: %v %v", m, ok)
	}
	if e.reg.Stats().Migrated() != 1 {
		t.Fatal("migration not counted")
	}
}

func TestUpgradeFailureKeepsHandler(t *testing.T) {
	e, f := newReloadEnv(t)
	if _, err := e.reg.Create(context.Background(), "game", nil); err != nil {
		t.Fatal(err)
	}
	h := f.handlers[0]
	f.next = func(Handler, Env, int64) (Handler, error) { return nil, errors.New("state cannot be handed over") }
	f.gen.Add(1)
	eventually(t, "the upgrade attempt", func() bool { return len(f.calls()) == 1 })
	n := h.loops.Load()
	eventually(t, "the old handler to go on", func() bool { return h.loops.Load() > n+2 })
	if h.closed.Load() || len(f.calls()) != 1 {
		t.Fatalf("closed %v, upgrade calls %v: want the match on its handler, asked once", h.closed.Load(), f.calls())
	}
	// Keep: nil without error.
	f.next = func(Handler, Env, int64) (Handler, error) { return nil, nil }
	f.gen.Add(1)
	eventually(t, "the second upgrade attempt", func() bool { return len(f.calls()) == 2 })
	if h.closed.Load() || e.reg.Stats().Migrated() != 0 {
		t.Fatal("a kept match changed")
	}
}
