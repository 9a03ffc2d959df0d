package match

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// member is a presence in the match with the session to send to.
type member struct {
	Presence
	sess *session.Session
}

// Match is one running authoritative match. It owns its handler and calls
// it one call at a time, on each tick and for each join, leave and signal;
// the scheduler runs it on one of its workers whenever it has work, never
// on two at once (see scheduler.go).
type Match struct {
	r       *Registry
	id      string // "<uuid>.<node>"
	uuid    string
	module  string
	stream  session.Stream
	handler Handler
	env     Env   // what the handler was created with
	gen     int64 // the factory's generation last checked (hot reload)
	budget  *runtime.Budget
	ticks   func(d time.Duration, queued int) // records each tick; may be nil
	cctx    *runtime.CallContext
	created time.Time

	tickRate int
	tick     int64
	label    atomic.Pointer[labelDoc]
	size     atomic.Int32

	members  []member // in join order; worker only
	deferred []outbound

	inMu    sync.Mutex
	input   []Message
	pending []presenceChange
	tasks   []func()

	// Scheduling: run is idle, queued or running (or dead once finished);
	// work says something arrived since the worker last looked; due says
	// a tick has fallen due. next and period are the worker's.
	run     atomic.Int32
	work    atomic.Bool
	due     atomic.Bool
	next    time.Time
	period  time.Duration
	stopped chan struct{}
	ending  atomic.Bool

	emptyTicks int
	endMu      sync.Mutex
	endReason  string // guarded by endMu
}

type presenceChange struct {
	join bool
	m    member
}

type outbound struct {
	opCode   int64
	data     []byte
	to       []Presence
	sender   *Presence
	reliable bool
}

// ID returns the match id.
func (m *Match) ID() string { return m.id }

// Run states of a match.
const (
	runIdle int32 = iota
	runQueued
	runRunning
	runDead
)

// start schedules the first tick.
func (m *Match) start() {
	m.period = time.Second / time.Duration(m.tickRate)
	m.next = time.Now().Add(m.period)
	m.r.sched.tickAt(m, m.next)
}

// schedule makes sure a worker runs the match soon.
func (m *Match) schedule() {
	m.work.Store(true)
	if m.run.CompareAndSwap(runIdle, runQueued) {
		m.r.sched.enqueue(m)
	}
}

// tickDue is called by the scheduler's clock when the next tick is due;
// it reports whether the caller must queue the match (see schedule).
func (m *Match) tickDue() bool {
	m.due.Store(true)
	m.work.Store(true)
	return m.run.CompareAndSwap(runIdle, runQueued)
}

// runOnce is a worker's turn with the match: tasks, presence changes and a
// due tick, then back to idle (or to the queue if more work came).
func (m *Match) runOnce() {
	if !m.run.CompareAndSwap(runQueued, runRunning) {
		return
	}
	m.work.Store(false)
	if m.step() {
		m.run.Store(runDead)
		m.r.finished(m)
		return
	}
	m.run.Store(runIdle)
	if m.work.Load() && m.run.CompareAndSwap(runIdle, runQueued) {
		m.r.sched.enqueue(m)
	}
}

// step does what is waiting; it reports whether the match has ended.
func (m *Match) step() bool {
	if m.ending.Load() {
		return true
	}
	m.inMu.Lock()
	tasks := m.tasks
	m.tasks = nil
	m.inMu.Unlock()
	for _, fn := range tasks {
		fn()
		if m.ending.Load() {
			return true
		}
	}
	m.applyPresences()
	if m.due.Swap(false) && !m.ending.Load() {
		m.onTick()
		m.scheduleTick()
	}
	return m.ending.Load()
}

// scheduleTick sets the next tick a period after the last, keeping the
// cadence; a match that fell more than a period behind starts afresh.
func (m *Match) scheduleTick() {
	if m.ending.Load() {
		return
	}
	m.next = m.next.Add(m.period)
	if now := time.Now(); m.next.Before(now) {
		m.next = now.Add(m.period)
	}
	m.r.sched.tickAt(m, m.next)
}

// call runs one handler call under the budget and handles its outcome: it
// returns false when the match must end.
func (m *Match) call(name string, fn func(ctx context.Context) error) bool {
	return m.callFrom(nil, name, fn)
}

// callFrom is call for a callback a request causes: from is the request's
// context, whose trace the callback's logs carry (see traced).
func (m *Match) callFrom(from context.Context, name string, fn func(ctx context.Context) error) bool {
	ctx := traced(m.budget.Start(), from)
	err := fn(ctx)
	over := m.budget.Stop()
	if err == nil {
		m.flushDeferred()
		return true
	}
	m.deferred = m.deferred[:0]
	switch {
	case errors.Is(err, ErrNilState):
		m.end("")
	case over || errors.Is(err, context.DeadlineExceeded):
		m.r.stats.budgetOverruns.Add(1)
		m.end(fmt.Sprintf("%s exceeded its CPU budget of %s", name, m.r.cfg.CallBudget))
	default:
		m.end(fmt.Sprintf("%s failed: %v", name, err))
	}
	return false
}

// halt ends the match from outside.
func (m *Match) halt() {
	m.end("")
	m.schedule()
}

// end marks the match as ending; it stops after the current call.
func (m *Match) end(reason string) {
	m.endMu.Lock()
	defer m.endMu.Unlock()
	if !m.ending.Load() {
		m.endReason = reason
		m.ending.Store(true)
	}
}

// reason returns why the match ended with an error, or "".
func (m *Match) reason() string {
	m.endMu.Lock()
	defer m.endMu.Unlock()
	return m.endReason
}

func (m *Match) onTick() {
	start := time.Now()
	m.upgrade()
	m.applyPresences()
	if m.ending.Load() {
		return
	}
	msgs := m.takeInput()
	if !m.call("match_loop", func(ctx context.Context) error { return m.handler.Loop(ctx, m.tick, msgs) }) {
		return
	}
	m.tick++
	m.r.stats.ticks.Add(1)
	d := time.Since(start)
	if d > time.Second/time.Duration(m.tickRate) {
		m.r.stats.lateTicks.Add(1)
	}
	if m.ticks != nil {
		m.ticks(d, len(msgs))
	}
	m.reapIfEmpty()
}

// upgrade moves the match to new code after a hot reload, at a tick
// boundary, when the factory says so; otherwise, or when the state cannot
// be handed over, the match keeps its handler.
func (m *Match) upgrade() {
	rl := m.r.reloader
	if rl == nil {
		return
	}
	gen := rl.Generation()
	if gen == m.gen {
		return
	}
	m.gen = gen
	ctx, cancel := context.WithTimeout(context.Background(), m.r.cfg.MigrateBudget)
	defer cancel()
	h, err := rl.Upgrade(ctx, m.handler, m.module, m.env, m.tick)
	if err != nil || h == nil {
		return
	}
	old := m.handler
	m.handler = h
	old.Close()
	m.r.stats.migrated.Add(1)
}

func (m *Match) reapIfEmpty() {
	limit := m.r.cfg.MaxEmptyTicks(m.tickRate)
	if limit <= 0 {
		return
	}
	if len(m.members) > 0 {
		m.emptyTicks = 0
		return
	}
	if m.emptyTicks++; m.emptyTicks >= limit {
		m.r.log.Info("stopping idle empty match", runtime.LogMatch, m.id)
		m.end("")
	}
}

func (m *Match) takeInput() []Message {
	m.inMu.Lock()
	msgs := m.input
	m.input = nil
	m.inMu.Unlock()
	return msgs
}

// enqueue queues client data for the next tick; a full queue drops it.
func (m *Match) enqueue(msg Message) bool {
	m.inMu.Lock()
	defer m.inMu.Unlock()
	if len(m.input) >= m.r.cfg.InputQueueSize {
		m.r.stats.dropped.Add(1)
		return false
	}
	if m.input == nil {
		m.input = make([]Message, 0, 8)
	}
	m.input = append(m.input, msg)
	return true
}

// presenceChanged is called by the tracker (from any goroutine) when a
// player joins or leaves the match stream.
func (m *Match) presenceChanged(join bool, mb member) {
	m.inMu.Lock()
	m.pending = append(m.pending, presenceChange{join: join, m: mb})
	m.inMu.Unlock()
	m.schedule()
}

// applyPresences calls match_join and match_leave for the changes since
// the last call.
func (m *Match) applyPresences() {
	m.inMu.Lock()
	changes := m.pending
	m.pending = nil
	m.inMu.Unlock()
	var joins, leaves []Presence
	for _, c := range changes {
		if c.join {
			if m.indexOf(c.m.SessionID) < 0 {
				m.members = append(m.members, c.m)
				joins = append(joins, c.m.Presence)
			}
		} else if i := m.indexOf(c.m.SessionID); i >= 0 {
			m.members = append(m.members[:i], m.members[i+1:]...)
			leaves = append(leaves, c.m.Presence)
		}
	}
	m.size.Store(int32(len(m.members)))
	if len(joins) > 0 && !m.call("match_join", func(ctx context.Context) error { return m.handler.Join(ctx, m.tick, joins) }) {
		return
	}
	if len(leaves) > 0 {
		m.call("match_leave", func(ctx context.Context) error { return m.handler.Leave(ctx, m.tick, leaves) })
	}
}

func (m *Match) indexOf(sessionID string) int {
	for i := range m.members {
		if m.members[i].SessionID == sessionID {
			return i
		}
	}
	return -1
}

// submit runs fn on the match's worker; false when the queue is full or
// the match has ended.
func (m *Match) submit(fn func()) bool {
	m.inMu.Lock()
	if m.ending.Load() || len(m.tasks) >= m.r.cfg.CallQueueSize {
		m.inMu.Unlock()
		return false
	}
	m.tasks = append(m.tasks, fn)
	m.inMu.Unlock()
	m.schedule()
	return true
}

// Dispatcher methods: called by the handler during a call, on the match's
// worker.

// Broadcast implements Dispatcher.
func (m *Match) Broadcast(opCode int64, data []byte, to []Presence, sender *Presence, reliable bool) error {
	if m.ending.Load() {
		return errors.New("match stopped")
	}
	m.send(outbound{opCode: opCode, data: data, to: to, sender: sender, reliable: reliable})
	return nil
}

// BroadcastDeferred implements Dispatcher.
func (m *Match) BroadcastDeferred(opCode int64, data []byte, to []Presence, sender *Presence, reliable bool) error {
	if m.ending.Load() {
		return errors.New("match stopped")
	}
	if len(m.deferred) >= m.r.cfg.DeferredQueueSize {
		return errors.New("error deferring message broadcast: too many deferred message broadcasts per tick")
	}
	m.deferred = append(m.deferred, outbound{opCode: opCode, data: data, to: to, sender: sender, reliable: reliable})
	return nil
}

func (m *Match) flushDeferred() {
	for _, o := range m.deferred {
		m.send(o)
	}
	clear(m.deferred)
	m.deferred = m.deferred[:0]
}

// send encodes a broadcast once per wire format and queues it to each
// recipient.
func (m *Match) send(o outbound) {
	md := &rtapi.MatchData{MatchId: m.id, OpCode: o.opCode, Data: o.data, Reliable: o.reliable}
	if o.sender != nil {
		md.Presence = &rtapi.UserPresence{UserId: o.sender.UserID, SessionId: o.sender.SessionID, Username: o.sender.Username}
	}
	frames := m.r.router.Frames(&rtapi.Envelope{Message: &rtapi.Envelope_MatchData{MatchData: md}})
	if o.to == nil {
		for i := range m.members {
			frames.SendTo(m.members[i].sess)
		}
	} else {
		for _, p := range o.to {
			if i := m.indexOf(p.SessionID); i >= 0 {
				frames.SendTo(m.members[i].sess)
			}
		}
	}
	frames.Done()
}

// Kick implements Dispatcher.
func (m *Match) Kick(ps []Presence) error {
	for _, p := range ps {
		if i := m.indexOf(p.SessionID); i >= 0 {
			m.r.tracker.Untrack(m.members[i].sess, m.stream, session.ReasonLeave)
		}
	}
	return nil
}

// UpdateLabel implements Dispatcher.
func (m *Match) UpdateLabel(label string) error {
	if len(label) > MaxLabelBytes {
		return errors.New("error updating match label: match label too long, must be 0-2048 bytes")
	}
	m.setLabel(label)
	m.cctx.MatchLabel = label
	return nil
}

func (m *Match) setLabel(label string) { m.label.Store(newLabelDoc(label)) }

// Label returns the current label.
func (m *Match) Label() string { return m.label.Load().text }

// Size returns the number of players.
func (m *Match) Size() int { return int(m.size.Load()) }
