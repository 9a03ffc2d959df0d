package match

import (
	"container/heap"
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
// A worker can be held by a callback that blocks (an nk call waiting on the
// store); workers are several times GOMAXPROCS so that a few blocked
// callbacks do not stall the others, and the callback budget's wall-clock
// limit bounds how long any one can block.

// scheduler runs the matches of one registry.
type scheduler struct {
	mu      sync.Mutex
	ready   []*Match // matches to run, each at most once
	work    *sync.Cond
	closed  bool
	timers  tickHeap
	wake    chan struct{} // wakes the timer goroutine for an earlier deadline
	workers sync.WaitGroup
}

// Worker counts.
const workersPerProc = 8

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1)}
	s.work = sync.NewCond(&s.mu)
	n := max(4, workersPerProc*runtime.GOMAXPROCS(0))
	s.workers.Add(n)
	for range n {
		go s.worker()
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

func (s *scheduler) worker() {
	defer s.workers.Done()
	for {
		s.mu.Lock()
		for len(s.ready) == 0 && !s.closed {
			s.work.Wait()
		}
		if len(s.ready) == 0 {
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
	heap.Push(&s.timers, tickEntry{at: t, m: m})
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
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		now := time.Now()
		var due []*Match
		for len(s.timers) > 0 && !s.timers[0].at.After(now) {
			e := heap.Pop(&s.timers).(tickEntry)
			due = append(due, e.m)
		}
		next := time.Hour
		if len(s.timers) > 0 {
			next = s.timers[0].at.Sub(now)
		}
		s.mu.Unlock()
		for _, m := range due {
			m.tickDue()
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

// tickEntry is a match's next tick.
type tickEntry struct {
	at time.Time
	m  *Match
}

// tickHeap orders tick entries by time.
type tickHeap []tickEntry

func (h tickHeap) Len() int           { return len(h) }
func (h tickHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h tickHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *tickHeap) Push(x any)        { *h = append(*h, x.(tickEntry)) }
func (h *tickHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = tickEntry{}
	*h = old[:len(old)-1]
	return e
}
