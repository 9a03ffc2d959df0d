package runtime

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Budget bounds the CPU time of one call at a time. It is a context.Context
// whose Done channel closes when the running call has used more CPU than
// its limit; VMs check it as they run (gopher-lua between instructions,
// wazero through its close-on-context-done option) and stop the code.
//
// # CPU time, not wall time
//
// A budget that counted wall time would end healthy matches whenever the
// machine is busy: a call that needs 20 µs of CPU can wait 100 ms for a
// core. So during a call the goroutine is locked to its OS thread, and a
// watchdog reads that thread's CPU clock every few milliseconds (Linux);
// time the thread spends waiting for a core, or blocked, does not count.
// Because a call can also block without using CPU (an nk call waiting on
// the database), a wall-clock limit, much longer than the CPU limit, ends
// calls that never return. Where thread CPU clocks are not available, the
// CPU limit is applied to wall time.
//
// A Budget is reused call after call by one goroutine (a match, a pooled
// VM), so the hot path allocates nothing and takes only uncontended locks
// (the watchdog's list, and the budget's own in Stop): Start records the
// call, Stop clears it, and a new Done channel is made only after the
// limit was hit. Close releases the budget when its owner is done with it.
type Budget struct {
	parent context.Context
	limit  time.Duration
	wall   time.Duration

	done atomic.Pointer[chan struct{}] // replaced (under mu) after an overrun
	// run is the call in progress: its number << 1 | 1 while running.
	run   atomic.Uint64
	tid   atomic.Int64 // OS thread of the running call
	start atomic.Int64 // wall clock (unix ns) at the running call's start

	mu       sync.Mutex
	exceeded bool

	// Watchdog state.
	slot    int           // index in the watchdog's running list, or -1 (dog.mu)
	seen    uint64        // the call the baseline belongs to
	baseCPU time.Duration // thread CPU time when the watchdog first saw it
}

// WallFactor is how many times its CPU limit a call may take in wall time
// (at least MinWall) before it is stopped as blocked.
const (
	WallFactor = 10
	MinWall    = 5 * time.Second
)

// NewBudget returns a budget of limit CPU time per call, under parent
// (whose values and cancellation it passes on). Close it when done.
func NewBudget(parent context.Context, limit time.Duration) *Budget {
	b := &Budget{parent: parent, limit: limit, wall: max(WallFactor*limit, MinWall), slot: -1}
	if !threadClocks {
		b.wall = limit
	}
	done := make(chan struct{})
	b.done.Store(&done)
	context.AfterFunc(parent, b.expire)
	return b
}

// Close releases the budget; a call still running is no longer watched.
func (b *Budget) Close() { watchdog.remove(b) }

func (b *Budget) expire() {
	b.mu.Lock()
	if !b.exceeded {
		b.exceeded = true
		close(*b.done.Load())
	}
	b.mu.Unlock()
}

// Start begins a call on the calling goroutine; the returned context is b.
// The goroutine stays on its OS thread until Stop.
func (b *Budget) Start() context.Context {
	if threadClocks {
		runtime.LockOSThread()
		b.tid.Store(int64(gettid()))
	}
	b.start.Store(time.Now().UnixNano())
	n := b.run.Load()>>1 + 1
	b.run.Store(n<<1 | 1)
	watchdog.add(b)
	return b
}

// Stop ends the call and reports whether it overran its limit.
func (b *Budget) Stop() bool {
	b.run.Store(b.run.Load() &^ 1)
	watchdog.remove(b)
	if threadClocks {
		runtime.UnlockOSThread()
	}
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

// check is the watchdog's look at a running call.
func (b *Budget) check(now time.Time) {
	run := b.run.Load()
	if run&1 == 0 {
		return
	}
	if now.UnixNano()-b.start.Load() > int64(b.wall) {
		b.expireRun(run)
		return
	}
	if !threadClocks {
		return
	}
	cpu, ok := threadCPU(int(b.tid.Load()))
	if !ok {
		return
	}
	if b.seen != run {
		b.seen, b.baseCPU = run, cpu
		return
	}
	if cpu-b.baseCPU > b.limit {
		b.expireRun(run)
	}
}

// expireRun expires the budget if call run is still the one running.
func (b *Budget) expireRun(run uint64) {
	b.mu.Lock()
	if b.run.Load() == run && !b.exceeded {
		b.exceeded = true
		close(*b.done.Load())
	}
	b.mu.Unlock()
}

// Deadline returns the running call's wall-clock deadline.
func (b *Budget) Deadline() (time.Time, bool) {
	return time.Unix(0, b.start.Load()).Add(b.wall), true
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

// watchdog checks the running calls' budgets every WatchInterval. Only
// running budgets are in its list: a server with thousands of idle matches
// costs the watchdog nothing between their ticks, and a call pays two
// uncontended lock operations to enter and leave the list.
var watchdog = &dog{}

// WatchInterval is how often running calls are checked: the precision of
// every budget.
const WatchInterval = 5 * time.Millisecond

type dog struct {
	mu      sync.Mutex
	running []*Budget
	started bool
	scratch []*Budget // the loop's copy of running
}

// add puts b in the running list.
func (d *dog) add(b *Budget) {
	d.mu.Lock()
	if b.slot < 0 {
		b.slot = len(d.running)
		d.running = append(d.running, b)
	}
	if !d.started {
		d.started = true
		go d.loop()
	}
	d.mu.Unlock()
}

// remove takes b out of the running list.
func (d *dog) remove(b *Budget) {
	d.mu.Lock()
	if i := b.slot; i >= 0 {
		last := len(d.running) - 1
		d.running[i] = d.running[last]
		d.running[i].slot = i
		d.running[last] = nil
		d.running = d.running[:last]
		b.slot = -1
	}
	d.mu.Unlock()
}

func (d *dog) loop() {
	t := time.NewTicker(WatchInterval)
	defer t.Stop()
	for now := range t.C {
		for _, b := range d.snapshot() {
			b.check(now)
		}
	}
}

// snapshot copies the running budgets.
func (d *dog) snapshot() []*Budget {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.scratch)
	d.scratch = append(d.scratch[:0], d.running...)
	return d.scratch
}
