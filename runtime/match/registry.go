package match

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// MaxLabelBytes is the longest match label.
const MaxLabelBytes = 2048

// Config sets the limits of authoritative matches. Zero fields take the
// defaults of DefaultConfig.
type Config struct {
	// Node is the name of this server in match ids ("<uuid>.<node>").
	Node string
	// InputQueueSize bounds the client messages waiting for a tick; more
	// are dropped and counted, as Nakama drops them.
	InputQueueSize int
	// CallQueueSize bounds join attempts and signals waiting for the match.
	CallQueueSize int
	// DeferredQueueSize bounds deferred broadcasts per callback.
	DeferredQueueSize int
	// CallBudget is the time one callback may run; a callback that
	// overruns it is stopped and its match ends.
	CallBudget time.Duration
	// JoinTimeout bounds how long a join attempt waits for the match.
	JoinTimeout time.Duration
	// MigrateBudget bounds moving a match to new code after a hot reload
	// (snapshot, new handler, restore); the tick waits for it.
	MigrateBudget time.Duration
	// MaxEmptySeconds ends a match that has had no players for that long;
	// 0 keeps empty matches running.
	MaxEmptySeconds int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Node:              "arbiter",
		InputQueueSize:    128,
		CallQueueSize:     128,
		DeferredQueueSize: 128,
		CallBudget:        100 * time.Millisecond,
		JoinTimeout:       10 * time.Second,
		MigrateBudget:     2 * time.Second,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Node == "" {
		c.Node = d.Node
	}
	if c.InputQueueSize <= 0 {
		c.InputQueueSize = d.InputQueueSize
	}
	if c.CallQueueSize <= 0 {
		c.CallQueueSize = d.CallQueueSize
	}
	if c.DeferredQueueSize <= 0 {
		c.DeferredQueueSize = d.DeferredQueueSize
	}
	if c.CallBudget <= 0 {
		c.CallBudget = d.CallBudget
	}
	if c.JoinTimeout <= 0 {
		c.JoinTimeout = d.JoinTimeout
	}
	if c.MigrateBudget <= 0 {
		c.MigrateBudget = d.MigrateBudget
	}
	return c
}

// MaxEmptyTicks is how many empty ticks end a match at tickRate; 0 is never.
func (c Config) MaxEmptyTicks(tickRate int) int { return c.MaxEmptySeconds * tickRate }

// Errors of the registry, with Nakama's messages.
var (
	ErrShutdown      = runtime.NewError(runtime.Unavailable, "shutdown in progress")
	ErrBusy          = runtime.NewError(runtime.ResourceExhausted, "match busy")
	ErrNotAccepting  = runtime.ErrMatchJoinRejected.With("Match is not currently accepting join requests")
	errInvalidRate   = errors.New("match_init returned invalid tick rate, must be between 1 and 60")
	errInvalidLabel  = errors.New("match_init returned invalid label, must be 2048 bytes or less")
	errMatchNotFound = runtime.ErrMatchNotFound
)

// Stats are counters of the match engine, read by metrics.
type Stats struct {
	ticks, lateTicks, dropped, budgetOverruns, created, ended, migrated atomic.Int64
}

// Migrated returns the number of matches moved to new code by hot reloads.
func (s *Stats) Migrated() int64 { return s.migrated.Load() }

// Snapshot returns the counters: ticks, late ticks, dropped messages,
// budget overruns, matches created and matches ended.
func (s *Stats) Snapshot() (ticks, late, dropped, overruns, created, ended int64) {
	return s.ticks.Load(), s.lateTicks.Load(), s.dropped.Load(), s.budgetOverruns.Load(), s.created.Load(), s.ended.Load()
}

// Deps are what the registry works with.
type Deps struct {
	Config  Config
	Factory Factory
	Tracker *session.Tracker
	Router  *session.Router
	Logger  *slog.Logger
	// Env is the env map every callback context carries.
	Env map[string]string
	// Version is the server version in callback contexts.
	Version string
	// Ticks, when set, returns the function that records the ticks of
	// module's matches (how long each took and how many client messages it
	// handed to match_loop); it is called once per match.
	// runtime/metrics.Metrics provides one.
	Ticks func(module string) func(d time.Duration, queued int)
}

// Registry runs the authoritative matches of this server.
type Registry struct {
	cfg     Config
	factory Factory
	// reloader is factory when its code can change (hot reload), else nil.
	reloader Reloader
	tracker  *session.Tracker
	router   *session.Router
	log      *slog.Logger
	env      map[string]string
	version  string
	stats    Stats
	ticks    func(module string) func(d time.Duration, queued int)

	mu       sync.RWMutex
	matches  map[string]*Match // by uuid
	shutdown bool
	wg       sync.WaitGroup
	sched    *scheduler
}

// NewRegistry returns a registry and makes it the tracker's handler of
// authoritative match presence events.
func NewRegistry(d Deps) *Registry {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Registry{
		cfg: d.Config.withDefaults(), factory: d.Factory, tracker: d.Tracker, router: d.Router,
		log: d.Logger, env: d.Env, version: d.Version, matches: map[string]*Match{}, ticks: d.Ticks,
		sched: newScheduler(),
	}
	r.reloader, _ = d.Factory.(Reloader)
	events := PresenceEvents(d.Tracker, d.Router)
	d.Tracker.Handle(session.ModeMatchAuthoritative, func(ev session.Event) {
		events(ev)
		r.presenceEvent(ev)
	})
	return r
}

// Node returns the node name of match ids.
func (r *Registry) Node() string { return r.cfg.Node }

// Stats returns the engine's counters.
func (r *Registry) Stats() *Stats { return &r.stats }

// Count returns the number of running matches.
func (r *Registry) Count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.matches)
}

// CountByModule returns the number of running matches of each module.
func (r *Registry) CountByModule() map[string]int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]int{}
	for _, m := range r.matches {
		out[m.module]++
	}
	return out
}

// Create starts a match of module with params, running match_init before it
// returns, and returns the match id. The match's callbacks log with its
// match_id and module (runtime.LogFields); match_init also with the trace
// id of ctx, the request that creates the match.
func (r *Registry) Create(ctx context.Context, module string, params map[string]any) (string, error) {
	r.mu.RLock()
	closing := r.shutdown
	r.mu.RUnlock()
	if closing {
		return "", ErrShutdown
	}
	uuid := runtime.NewUUID().String()
	m := &Match{
		r: r, uuid: uuid, id: uuid + "." + r.cfg.Node, module: module, created: time.Now(),
		stream:  session.Stream{Mode: session.ModeMatchAuthoritative, Subject: uuid, Label: r.cfg.Node},
		stopped: make(chan struct{}),
	}
	m.cctx = &runtime.CallContext{
		Env: r.env, ExecutionMode: runtime.ModeMatch, Node: r.cfg.Node, Version: r.version,
		MatchID: m.id, MatchNode: r.cfg.Node,
	}
	// The budget is the context of every callback: it carries the match's
	// log fields, not the values of the request that created the match.
	m.budget = runtime.NewBudget(runtime.WithLogFields(context.Background(),
		runtime.LogFields{MatchID: m.id, Module: module}), r.cfg.CallBudget)
	if r.ticks != nil {
		m.ticks = r.ticks(module)
	}
	m.env = Env{MatchID: m.id, Node: r.cfg.Node, Module: module, Dispatcher: m, Context: m.cctx}
	if r.reloader != nil {
		m.gen = r.reloader.Generation() // before the handler: a reload meanwhile is seen
	}
	h, err := r.factory.NewHandler(ctx, module, m.env)
	if err != nil {
		m.budget.Close()
		return "", err
	}
	m.handler = h
	if err := r.init(ctx, m, params); err != nil {
		h.Close()
		m.budget.Close()
		return "", err
	}
	r.mu.Lock()
	if r.shutdown {
		r.mu.Unlock()
		h.Close()
		m.budget.Close()
		return "", ErrShutdown
	}
	r.matches[uuid] = m
	r.wg.Add(1)
	r.mu.Unlock()
	r.stats.created.Add(1)
	m.start()
	r.log.DebugContext(ctx, "match created", runtime.LogMatch, m.id, runtime.LogModule, module)
	return m.id, nil
}

// init runs match_init, under the trace of from (the creating request),
// and checks what it returned.
func (r *Registry) init(from context.Context, m *Match, params map[string]any) error {
	ctx := traced(m.budget.Start(), from)
	setup, err := m.handler.Init(ctx, params)
	over := m.budget.Stop()
	switch {
	case over:
		return runtime.Errorf(runtime.Internal, "error creating match: match_init exceeded its CPU budget of %s", r.cfg.CallBudget)
	case errors.Is(err, ErrNilState):
		return runtime.NewError(runtime.Internal, "error creating match: Match initial state must not be nil")
	case err != nil:
		return runtime.Errorf(runtime.Internal, "error creating match: %v", err)
	case setup.TickRate < 1 || setup.TickRate > 60:
		return runtime.Errorf(runtime.Internal, "error creating match: %v", errInvalidRate)
	case len(setup.Label) > MaxLabelBytes:
		return runtime.Errorf(runtime.Internal, "error creating match: %v", errInvalidLabel)
	}
	m.tickRate = setup.TickRate
	m.cctx.MatchTickRate = setup.TickRate
	m.cctx.MatchLabel = setup.Label
	m.setLabel(setup.Label)
	return nil
}

// traced returns the context of a callback (ctx, the match's budget) that
// a request (from) causes: with the request's trace, session and user, so
// that the callback's logs show them. Without a trace in from, ctx.
func traced(ctx, from context.Context) context.Context {
	if from == nil {
		return ctx
	}
	f := runtime.LogFieldsOf(from)
	if f.TraceID == "" {
		return ctx
	}
	return runtime.WithLogFields(ctx, runtime.LogFields{TraceID: f.TraceID, SessionID: f.SessionID, UserID: f.UserID})
}

// finished is called by a match goroutine as it exits.
func (r *Registry) finished(m *Match) {
	r.mu.Lock()
	delete(r.matches, m.uuid)
	r.mu.Unlock()
	m.handler.Close()
	m.budget.Close()
	r.notifyEnd(m, m.reason())
	r.tracker.UntrackStream(m.stream)
	close(m.stopped)
	r.stats.ended.Add(1)
	r.wg.Done()
}

// notifyEnd tells the players their match ended: after an error, an error
// envelope with the reason (context match_id); always, a presence event in
// which every player leaves, so that clients that ignore pushed errors
// (nakama-js does) see the match end. Nakama disconnects the players'
// sockets instead; here their other matches and chats go on.
func (r *Registry) notifyEnd(m *Match, reason string) {
	players := r.tracker.List(m.stream, true)
	to := make([]*session.Session, len(players))
	for i, p := range players {
		to[i] = p.Session
	}
	if reason != "" {
		r.log.Warn("match ended after an error", runtime.LogMatch, m.id, runtime.LogModule, m.module, "reason", reason)
		r.router.SendAll(to, &rtapi.Envelope{Message: &rtapi.Envelope_Error{Error: &rtapi.Error{
			Code:    int32(rtapi.Error_RUNTIME_EXCEPTION),
			Message: "Match ended: " + reason,
			Context: map[string]string{"match_id": m.id},
		}}})
	}
	if len(players) > 0 {
		r.router.SendAll(to, &rtapi.Envelope{Message: &rtapi.Envelope_MatchPresenceEvent{
			MatchPresenceEvent: &rtapi.MatchPresenceEvent{MatchId: m.id, Leaves: session.WirePresences(players)},
		}})
	}
}

// get returns the running match with the given uuid.
func (r *Registry) get(uuid string) *Match {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.matches[uuid]
}

// lookup resolves a match id of this node.
func (r *Registry) lookup(id string) (*Match, error) {
	uuid, node, err := ParseID(id)
	if err != nil {
		return nil, err
	}
	if node != r.cfg.Node {
		return nil, errMatchNotFound
	}
	m := r.get(uuid)
	if m == nil {
		return nil, errMatchNotFound
	}
	return m, nil
}

// presenceEvent passes match stream joins and leaves to their match.
func (r *Registry) presenceEvent(ev session.Event) {
	m := r.get(ev.Stream.Subject)
	if m == nil {
		return
	}
	for _, p := range ev.Joins {
		p.Meta.Reason = session.ReasonJoin
		m.presenceChanged(true, memberOf(p, r.cfg.Node))
	}
	for _, p := range ev.Leaves {
		m.presenceChanged(false, memberOf(p, r.cfg.Node))
	}
}

func memberOf(p session.Presence, node string) member {
	return member{sess: p.Session, Presence: Presence{
		UserID: p.Session.UserID, SessionID: p.Session.ID, Username: p.Meta.Username,
		Node: node, Reason: p.Meta.Reason,
	}}
}
