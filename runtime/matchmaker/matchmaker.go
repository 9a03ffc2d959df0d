// Package matchmaker pairs players who ask for a match, with Nakama's
// semantics.
//
// A ticket says how many players (min_count..max_count, a multiple of
// count_multiple) and whom (a query over the other tickets' properties, in
// the match-listing query language, fields "properties.<name>"). On every
// interval the matchmaker lets each waiting ticket search the pool, oldest
// first: a ticket takes only a full group (max_count) until it has searched
// max_intervals times, then any size in range. A group never holds two
// tickets of one session, and a ticket is in at most one group. With
// reverse precision on, every member's query must match every other
// member, not only the searcher's.
//
// Formed groups are announced with matchmaker_matched: with the match id the
// module's matched hook returned, or else with a short-lived signed token
// for a relayed match, which match_join accepts.
//
// # Scale
//
// A pass runs on a snapshot, outside the lock, so adding and removing
// tickets never waits for it. Candidates are found through an index of the
// pool's keyword properties by the searcher's required terms, and the scan
// stops as soon as a group is full when every match scores the same; so a
// pass over a large pool costs little more per ticket than over a small one.
package matchmaker

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/query"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// Config sets the matchmaker's behaviour. Zero fields take the defaults.
type Config struct {
	// Interval is how often the pool is processed (Nakama's interval_sec).
	Interval time.Duration
	// MaxIntervals is how many searches a ticket makes for a full group
	// before it accepts any size in range.
	MaxIntervals int
	// MaxTickets is how many tickets a session may have at once.
	MaxTickets int
	// RevPrecision requires every member's query to match every other
	// member (Nakama's rev_precision); off, only the searcher's query counts.
	RevPrecision bool
	// Node names this server in presences passed to the matched hook.
	Node string
}

// DefaultConfig returns Nakama's defaults.
func DefaultConfig() Config {
	return Config{Interval: 15 * time.Second, MaxIntervals: 2, MaxTickets: 3, Node: "arbiter"}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Interval <= 0 {
		c.Interval = d.Interval
	}
	if c.MaxIntervals <= 0 {
		c.MaxIntervals = d.MaxIntervals
	}
	if c.MaxTickets <= 0 {
		c.MaxTickets = d.MaxTickets
	}
	if c.Node == "" {
		c.Node = d.Node
	}
	return c
}

// Errors a client may see, with Nakama's messages.
var (
	ErrMinCount       = runtime.NewError(runtime.InvalidArgument, "Invalid minimum count, must be >= 2")
	ErrMaxCount       = runtime.NewError(runtime.InvalidArgument, "Invalid maximum count, must be >= minimum count")
	ErrMultiple       = runtime.NewError(runtime.InvalidArgument, "Invalid count multiple, must be >= 1")
	ErrMultipleMin    = runtime.NewError(runtime.InvalidArgument, "Invalid count multiple for minimum count, must divide")
	ErrMultipleMax    = runtime.NewError(runtime.InvalidArgument, "Invalid count multiple for maximum count, must divide")
	ErrTicketID       = runtime.NewError(runtime.InvalidArgument, "Invalid matchmaker ticket")
	ErrTicketNotFound = runtime.NewError(runtime.InvalidArgument, "Matchmaker ticket not found")
	// ErrTooManyTickets and ErrQuery say why a ticket was refused; Nakama
	// answers both with one generic message, Arbiter names the cause.
	ErrTooManyTickets = runtime.NewError(runtime.InvalidArgument, "Error adding to matchmaker: too many tickets for this session")
	ErrQuery          = runtime.NewError(runtime.InvalidArgument, "Error adding to matchmaker: invalid query")
)

// Request is what a client asks for.
type Request struct {
	MinCount          int
	MaxCount          int
	CountMultiple     int // 0 means 1
	Query             string
	StringProperties  map[string]string
	NumericProperties map[string]float64
}

// ticket is one waiting request. Its fields do not change after Add except
// intervals and state, which the lock guards.
type ticket struct {
	id       string
	sess     *session.Session
	min, max int
	multiple int
	query    *query.Query
	strProps map[string]string
	numProps map[string]float64
	doc      query.Document
	seq      uint64
	created  time.Time

	intervals int  // guarded by Matchmaker.mu
	active    bool // still searching; guarded by Matchmaker.mu
	gone      bool // removed or matched; guarded by Matchmaker.mu
}

// Stats are the matchmaker's counters.
type Stats struct {
	Tickets        int           // waiting now
	Matches        int64         // groups formed
	Matched        int64         // tickets matched
	TimeToMatchSum time.Duration // summed over matched tickets
	LastPass       time.Duration // duration of the last pass
}

// Matchmaker holds the pool of tickets.
type Matchmaker struct {
	cfg      Config
	log      *slog.Logger
	announce Announcer

	mu        sync.Mutex
	pool      []*ticket // by seq; compacted lazily
	byID      map[string]*ticket
	bySession map[*session.Session][]*ticket
	seq       uint64
	dead      int

	matches, matched atomic.Int64
	waitSum          atomic.Int64
	lastPass         atomic.Int64

	// wait records each matched ticket's time to match; see ObserveWait.
	wait func(time.Duration)
}

// ObserveWait makes fn record the time each matched ticket waited (called
// under the matchmaker's lock: fn must be quick). Call it before Run.
func (m *Matchmaker) ObserveWait(fn func(time.Duration)) { m.wait = fn }

// Announcer tells the players of a formed group; see Announce.
type Announcer interface {
	Announce(ctx context.Context, g []Entry)
}

// New returns an empty matchmaker that announces groups through a.
func New(cfg Config, a Announcer, log *slog.Logger) *Matchmaker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Matchmaker{
		cfg: cfg.withDefaults(), log: log, announce: a,
		byID: map[string]*ticket{}, bySession: map[*session.Session][]*ticket{},
	}
}

// Config returns the configuration in use.
func (m *Matchmaker) Config() Config { return m.cfg }

// Add validates r and adds a ticket for s; it returns the ticket id.
func (m *Matchmaker) Add(s *session.Session, r Request) (string, error) {
	q, err := validate(&r)
	if err != nil {
		return "", err
	}
	doc, err := query.FromMap("properties", properties(r))
	if err != nil {
		return "", ErrQuery
	}
	t := &ticket{
		id: runtime.NewUUID().String(), sess: s, min: r.MinCount, max: r.MaxCount, multiple: r.CountMultiple,
		query: q, strProps: r.StringProperties, numProps: r.NumericProperties, doc: doc,
		created: time.Now(), active: true,
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.Closed() {
		return "", ErrTicketNotFound
	}
	if len(m.bySession[s]) >= m.cfg.MaxTickets {
		return "", ErrTooManyTickets
	}
	m.seq++
	t.seq = m.seq
	m.pool = append(m.pool, t)
	m.byID[t.id] = t
	m.bySession[s] = append(m.bySession[s], t)
	return t.id, nil
}

func validate(r *Request) (*query.Query, error) {
	if r.CountMultiple == 0 {
		r.CountMultiple = 1
	}
	switch {
	case r.MinCount < 2:
		return nil, ErrMinCount
	case r.MaxCount < r.MinCount:
		return nil, ErrMaxCount
	case r.CountMultiple < 1:
		return nil, ErrMultiple
	case r.MinCount%r.CountMultiple != 0:
		return nil, ErrMultipleMin
	case r.MaxCount%r.CountMultiple != 0:
		return nil, ErrMultipleMax
	}
	if r.Query == "" {
		r.Query = "*"
	}
	q, err := query.Parse(r.Query)
	if err != nil {
		return nil, ErrQuery.With("Error adding to matchmaker: " + err.Error())
	}
	return q, nil
}

// properties merges the string and numeric properties; a number wins a
// name clash, as in Nakama.
func properties(r Request) map[string]any {
	out := make(map[string]any, len(r.StringProperties)+len(r.NumericProperties))
	for k, v := range r.StringProperties {
		out[k] = v
	}
	for k, v := range r.NumericProperties {
		out[k] = v
	}
	return out
}

// Remove removes a ticket of s.
func (m *Matchmaker) Remove(s *session.Session, id string) error {
	if id == "" {
		return ErrTicketID
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.byID[id]
	if t == nil || t.sess != s {
		return ErrTicketNotFound
	}
	m.dropLocked(t)
	return nil
}

// RemoveSession removes every ticket of s (its socket closed).
func (m *Matchmaker) RemoveSession(s *session.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range append([]*ticket(nil), m.bySession[s]...) {
		m.dropLocked(t)
	}
}

func (m *Matchmaker) dropLocked(t *ticket) {
	if t.gone {
		return
	}
	t.gone, t.active = true, false
	delete(m.byID, t.id)
	list := m.bySession[t.sess]
	for i, x := range list {
		if x == t {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(m.bySession, t.sess)
	} else {
		m.bySession[t.sess] = list
	}
	if m.dead++; m.dead > len(m.pool)/2 {
		m.compactLocked()
	}
}

func (m *Matchmaker) compactLocked() {
	live := m.pool[:0]
	for _, t := range m.pool {
		if !t.gone {
			live = append(live, t)
		}
	}
	clear(m.pool[len(live):])
	m.pool, m.dead = live, 0
}

// Stats returns the counters.
func (m *Matchmaker) Stats() Stats {
	m.mu.Lock()
	n := len(m.byID)
	m.mu.Unlock()
	return Stats{
		Tickets: n, Matches: m.matches.Load(), Matched: m.matched.Load(),
		TimeToMatchSum: time.Duration(m.waitSum.Load()), LastPass: time.Duration(m.lastPass.Load()),
	}
}

// Run processes the pool every interval until ctx ends.
func (m *Matchmaker) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.Process(ctx)
		}
	}
}
