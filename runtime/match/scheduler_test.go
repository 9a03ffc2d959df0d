package match

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestBlockedCallbacksDoNotStallOthers blocks more match callbacks than
// the scheduler has workers (as a slow store would) and checks that a
// match whose callbacks do not block keeps ticking: the scheduler starts
// extra workers.
func TestBlockedCallbacksDoNotStallOthers(t *testing.T) {
	release := make(chan struct{})
	workers := max(4, workersPerProc*runtime.GOMAXPROCS(0))
	blocked := 4 * workers
	cfg := DefaultConfig()
	cfg.CallBudget = time.Minute
	var made atomic.Int64
	e := newEnv(t, cfg, func(h *fakeHandler) {
		if made.Add(1) > int64(blocked) {
			return // the free match
		}
		h.onLoop = func(ctx context.Context, _ int64, _ []Message) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
	})
	t.Cleanup(func() { close(release) }) // before the registry shuts down
	for range blocked {
		e.create(t)
	}
	// Every worker is now held, or soon will be.
	eventually(t, "the blocking matches to tick", func() bool {
		e.f.mu.Lock()
		defer e.f.mu.Unlock()
		n := 0
		for _, h := range e.f.handlers {
			if h.loops.Load() > 0 {
				n++
			}
		}
		// Without waking idle workers, only one batch's worth (a worker
		// per core) would ever tick; without extra workers, at most one
		// per worker.
		return n > workers
	})
	_, free := e.create(t)
	eventually(t, "the free match to tick while the others block", func() bool {
		return free.loops.Load() >= 10
	})
}
