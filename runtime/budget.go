package runtime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Budget bounds the time of one call at a time. It is a context.Context
// whose Done channel closes when the running call overruns its limit; VMs
// check it as they run (gopher-lua between instructions, wazero through
// its close-on-context-done option) and stop the code.
//
// A Budget is reused call after call by one goroutine (a match, a pooled
// VM), so the hot path allocates nothing: Start arms a timer, Stop disarms
// it, and a new Done channel is made only after the limit was hit.
type Budget struct {
	parent context.Context
	limit  time.Duration

	mu       sync.Mutex
	done     atomic.Pointer[chan struct{}] // replaced (under mu) after an overrun
	exceeded bool
	deadline time.Time
	timer    *time.Timer
}

// NewBudget returns a budget of limit per call, under parent (whose values
// and cancellation it passes on).
func NewBudget(parent context.Context, limit time.Duration) *Budget {
	b := &Budget{parent: parent, limit: limit}
	done := make(chan struct{})
	b.done.Store(&done)
	b.timer = time.AfterFunc(time.Hour, b.expire)
	b.timer.Stop()
	context.AfterFunc(parent, b.expire)
	return b
}

func (b *Budget) expire() {
	b.mu.Lock()
	if !b.exceeded {
		b.exceeded = true
		close(*b.done.Load())
	}
	b.mu.Unlock()
}

// Start begins a call; the returned context is b.
func (b *Budget) Start() context.Context {
	b.mu.Lock()
	b.deadline = time.Now().Add(b.limit)
	b.mu.Unlock()
	b.timer.Reset(b.limit)
	return b
}

// Stop ends the call and reports whether it overran its limit.
func (b *Budget) Stop() bool {
	b.timer.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	over := b.exceeded
	if over {
		b.exceeded = false
		done := make(chan struct{})
		b.done.Store(&done)
	}
	return over
}

// Deadline returns the running call's deadline.
func (b *Budget) Deadline() (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.deadline, true
}

// Done closes when the running call overruns. VMs call it often (gopher-lua
// between instructions), so it takes no lock.
func (b *Budget) Done() <-chan struct{} { return *b.done.Load() }

// Err returns DeadlineExceeded once the call overran, or the parent's error.
func (b *Budget) Err() error {
	b.mu.Lock()
	over := b.exceeded
	b.mu.Unlock()
	if over {
		if err := b.parent.Err(); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}
	return b.parent.Err()
}

// Value returns the parent's value for key.
func (b *Budget) Value(key any) any { return b.parent.Value(key) }
