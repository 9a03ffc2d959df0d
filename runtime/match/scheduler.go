package match

import (
	"runtime"
	"sync"
	"time"
)

// The scheduler runs matches on a small pool of worker goroutines instead
// of one goroutine per match. A match is still run by one worker at a time,
// so its callbacks stay strictly serialized and its state needs no lock;
// what changes is who waits. With a goroutine and a ticker per match, each
// tick of each match parked and woke a goroutine and kept a stack of its
// own for the VM's deep calls: most of an idle match's CPU per tick and a
// large part of its memory. Here one timer goroutine keeps a heap of tick
// deadlines and hands due matches to the workers in batches, and joins,
// leaves, signals and stops are tasks that schedule the match the same way.
//
// Ticks that fall due within tickSlack of each other run in one batch:
// the clock wakes once for all of them and wakes only as many workers as
// there are cores, instead of one wake-up per match per tick. A tick runs
// at most tickSlack early; the cadence is kept from the nominal times.
//
// A worker can be held by a callback that blocks (an nk call waiting on the
// store); workers are several times GOMAXPROCS so that a few blocked
// callbacks do not stall the others, and the callback budget's wall-clock
// limit bounds how long any one can block. If every worker is busy while
// matches wait for longer than stallAfter (many callbacks blocked at once),
// the clock starts extra workers, which exit as soon as the queue is empty:
// a slow store delays the matches that use it, not all of them.

// scheduler runs the matches of one registry.
type scheduler struct {
	mu      sync.Mutex
	ready   []*Match // matches to run, each at most once
	work    *sync.Cond
	closed  bool
	timers  tickHeap
	wake    chan struct{} // wakes the timer goroutine for an earlier deadline
	workers sync.WaitGroup
	idle    int       // workers waiting for work
	extra   int       // extra workers running
	stalled time.Time // since when matches wait with no worker idle
}

// Worker counts.
const (
	workersPerProc = 8
	// maxExtraWorkers bounds the extra workers of a stalled pool.
	maxExtraWorkers = 1024
	// extraPerStall is how many extra workers one stall check starts.
	extraPerStall = 8
)

// stallAfter is how long matches may wait with every worker busy before
// extra workers start.
const stallAfter = 20 * time.Millisecond

// tickSlack is how early a tick may run to join a batch.
const tickSlack = 2 * time.Millisecond

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1)}
	s.work = sync.NewCond(&s.mu)
	n := max(4, workersPerProc*runtime.GOMAXPROCS(0))
	s.workers.Add(n)
	for range n {
		go s.worker(false)
	}
	go s.clock()
	return s
}

// close stops the workers once the ready queue is empty.
func (s *scheduler) close() {
	s.mu.Lock()
	s.closed = true
	s.work.Broadcast()
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	s.workers.Wait()
}

// enqueue hands a match to the workers.
func (s *scheduler) enqueue(m *Match) {
	s.mu.Lock()
	s.ready = append(s.ready, m)
	s.work.Signal()
	s.mu.Unlock()
}

// enqueueBatch hands matches to the workers, waking at most one worker per
// core: the workers take from the queue until it is empty.
func (s *scheduler) enqueueBatch(ms []*Match) {
	if len(ms) == 0 {
		return
	}
	s.mu.Lock()
	s.ready = append(s.ready, ms...)
	for range min(len(ms), runtime.GOMAXPROCS(0)) {
		s.work.Signal()
	}
	s.mu.Unlock()
}

// worker runs matches from the ready queue; an extra worker exits when
// the queue is empty.
func (s *scheduler) worker(extra bool) {
	defer s.workers.Done()
	for {
		s.mu.Lock()
		for len(s.ready) == 0 && !s.closed && !extra {
			s.idle++
			s.work.Wait()
			s.idle--
		}
		if len(s.ready) == 0 {
			if extra {
				s.extra--
			}
			s.mu.Unlock()
			return
		}
		m := s.ready[0]
		s.ready[0] = nil
		s.ready = s.ready[1:]
		if len(s.ready) == 0 {
			s.ready = s.ready[:0:0] // let the backing array go after a burst
		}
		s.mu.Unlock()
		m.runOnce()
	}
}

// tickAt schedules m's next tick at t.
func (s *scheduler) tickAt(m *Match, t time.Time) {
	s.mu.Lock()
	earliest := len(s.timers) == 0 || t.Before(s.timers[0].at)
	s.timers.push(tickEntry{at: t, m: m})
	s.mu.Unlock()
	if earliest {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// clock hands matches to the workers as their ticks fall due.
func (s *scheduler) clock() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var due, batch []*Match
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		now := time.Now()
		horizon := now.Add(tickSlack)
		due = due[:0]
		for len(s.timers) > 0 && !s.timers[0].at.After(horizon) {
			due = append(due, s.timers.pop().m)
		}
		next := time.Hour
		if len(s.timers) > 0 {
			next = s.timers[0].at.Sub(now)
		}
		s.mu.Unlock()
		batch = batch[:0]
		for _, m := range due {
			if m.tickDue() {
				batch = append(batch, m)
			}
		}
		s.enqueueBatch(batch)
		clear(due)
		clear(batch)
		if s.checkStall(now) {
			next = min(next, tickSlack)
		}
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-s.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
	}
}

// checkStall looks at matches still waiting when the clock wakes: a batch
// wakes only as many workers as there are cores, and if one of them is
// held by a blocked callback the others may not drain the queue, so idle
// workers are woken; when none is idle and matches have waited for
// stallAfter, extra workers start. It reports whether matches are waiting,
// so that the clock looks again soon.
func (s *scheduler) checkStall(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ready) == 0 || s.closed {
		s.stalled = time.Time{}
		return false
	}
	switch {
	case s.stalled.IsZero():
		s.stalled = now
	case s.idle > 0:
		for range min(s.idle, len(s.ready)) {
			s.work.Signal()
		}
		s.stalled = now
	case now.Sub(s.stalled) >= stallAfter:
		n := min(len(s.ready), extraPerStall, maxExtraWorkers-s.extra)
		s.extra += n
		s.workers.Add(n)
		for range n {
			go s.worker(true)
		}
		s.stalled = now
	}
	return true
}

// tickEntry is a match's next tick.
type tickEntry struct {
	at time.Time
	m  *Match
}

// tickHeap is a binary min-heap of tick entries by time, typed so that
// pushing and popping allocate nothing.
type tickHeap []tickEntry

func (h *tickHeap) push(e tickEntry) {
	*h = append(*h, e)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a[i].at.Before(a[p].at) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *tickHeap) pop() tickEntry {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a[last] = tickEntry{}
	a = a[:last]
	*h = a
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(a) && a[l].at.Before(a[small].at) {
			small = l
		}
		if r := l + 1; r < len(a) && a[r].at.Before(a[small].at) {
			small = r
		}
		if small == i {
			break
		}
		a[i], a[small] = a[small], a[i]
		i = small
	}
	return top
}
