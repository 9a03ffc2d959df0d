package matchmaker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/query"
	"github.com/arbiterhq/arbiter/runtime/session"
)

type nopConn struct{}

func (nopConn) Send([]byte) bool { return true }
func (nopConn) Close(string)     {}

func newSession() *session.Session {
	return session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(), Username: "u"}, nopConn{})
}

// recorder is an Announcer that keeps the groups.
type recorder struct {
	mu     sync.Mutex
	groups [][]Entry
}

func (r *recorder) Announce(_ context.Context, g []Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.groups = append(r.groups, g)
}

func (r *recorder) matchedSessions() map[*session.Session]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[*session.Session]bool{}
	for _, g := range r.groups {
		for _, e := range g {
			out[e.Session] = true
		}
	}
	return out
}

func newMM(t testing.TB, cfg Config) (*Matchmaker, *recorder) {
	t.Helper()
	r := &recorder{}
	return New(cfg, r, nil), r
}

func TestAddValidation(t *testing.T) {
	m, _ := newMM(t, Config{})
	s := newSession()
	cases := []struct {
		name string
		r    Request
		want error
	}{
		{"min below 2", Request{MinCount: 1, MaxCount: 2}, ErrMinCount},
		{"max below min", Request{MinCount: 3, MaxCount: 2}, ErrMaxCount},
		{"negative multiple", Request{MinCount: 2, MaxCount: 2, CountMultiple: -1}, ErrMultiple},
		{"multiple does not divide min", Request{MinCount: 3, MaxCount: 4, CountMultiple: 2}, ErrMultipleMin},
		{"multiple does not divide max", Request{MinCount: 2, MaxCount: 5, CountMultiple: 2}, ErrMultipleMax},
		{"bad query", Request{MinCount: 2, MaxCount: 2, Query: `properties.a:"open`}, ErrQuery},
		{"ok, empty query", Request{MinCount: 2, MaxCount: 2}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.Add(s, c.r)
			if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
				t.Fatalf("Add = %v, want %v", err, c.want)
			}
		})
	}
	// At most MaxTickets (3) per session: one is in already.
	for i := 0; i < 2; i++ {
		if _, err := m.Add(s, Request{MinCount: 2, MaxCount: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Add(s, Request{MinCount: 2, MaxCount: 2}); !errors.Is(err, ErrTooManyTickets) {
		t.Fatalf("fourth ticket: %v", err)
	}
	if _, err := m.Add(newSession(), Request{MinCount: 2, MaxCount: 2}); err != nil {
		t.Fatalf("another session refused: %v", err)
	}
}

func TestRemove(t *testing.T) {
	m, rec := newMM(t, Config{})
	a, b := newSession(), newSession()
	id, _ := m.Add(a, Request{MinCount: 2, MaxCount: 2})
	if err := m.Remove(b, id); !errors.Is(err, ErrTicketNotFound) {
		t.Fatalf("removing another session's ticket: %v", err)
	}
	if err := m.Remove(a, ""); !errors.Is(err, ErrTicketID) {
		t.Fatalf("empty id: %v", err)
	}
	if err := m.Remove(a, id); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove(a, id); !errors.Is(err, ErrTicketNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
	m.Add(b, Request{MinCount: 2, MaxCount: 2})
	m.Process(context.Background())
	if len(rec.groups) != 0 || m.Stats().Tickets != 1 {
		t.Fatalf("groups %v, tickets %d", rec.groups, m.Stats().Tickets)
	}
	m.RemoveSession(b)
	if m.Stats().Tickets != 0 {
		t.Fatal("RemoveSession left tickets")
	}
}

// ticketSpec is one ticket of a scenario.
type ticketSpec struct {
	query    string
	min, max int
	str      map[string]string
	num      map[string]float64
}

// scenarios are Nakama's matchmaker cases: how many players are matched
// after up to passes intervals.
var scenarios = []struct {
	name    string
	rev     bool
	passes  int
	tickets []ticketSpec
	matched int
	groups  int
}{
	{"basic match", false, 1, []ticketSpec{
		{"properties.a3:bar", 2, 2, map[string]string{"a3": "baz"}, nil},
		{"properties.a3:baz", 2, 2, map[string]string{"a3": "bar"}, nil},
	}, 2, 1},
	{"match on star", false, 1, []ticketSpec{
		{"*", 2, 2, nil, map[string]float64{"b1": 15}},
		{"*", 2, 2, nil, map[string]float64{"b1": 15}},
	}, 2, 1},
	{"match on range", false, 1, []ticketSpec{
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 15}},
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 15}},
	}, 2, 1},
	{"match on range and value", false, 1, []ticketSpec{
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, map[string]string{"c2": "foo"}, map[string]float64{"c1": 15}},
		{"+properties.c1:>=10 +properties.c1:<=20 +properties.c2:foo", 2, 2, map[string]string{"c2": "foo"}, map[string]float64{"b1": 15}},
	}, 2, 1},
	{"should-only query needs a hit", false, 2, []ticketSpec{
		{"properties.a5:bar", 2, 2, map[string]string{"a5": "baz"}, nil},
		{"properties.a5:bar", 2, 2, map[string]string{"a5": "baz"}, nil},
	}, 0, 0},
	{"out of range never matches", false, 3, []ticketSpec{
		{"+properties.b2:>=10 +properties.b2:<=20", 2, 2, nil, map[string]float64{"b2": 25}},
		{"+properties.b2:>=10 +properties.b2:<=20", 2, 2, nil, map[string]float64{"b2": 5}},
	}, 0, 0},
	{"three tickets with max 2", false, 1, []ticketSpec{
		{"properties.a6:bar", 2, 2, map[string]string{"a6": "bar"}, nil},
		{"properties.a6:bar", 2, 2, map[string]string{"a6": "bar"}, nil},
		{"properties.a6:bar", 2, 2, map[string]string{"a6": "bar"}, nil},
	}, 2, 1},
	{"one-way match without reverse precision", false, 1, []ticketSpec{
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 5}},
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 15}},
	}, 2, 1},
	{"reverse precision requires a mutual match", true, 3, []ticketSpec{
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 5}},
		{"+properties.b1:>=10 +properties.b1:<=20", 2, 2, nil, map[string]float64{"b1": 15}},
	}, 0, 0},
	{"full size first, smaller on the last interval", false, 2, []ticketSpec{
		{"*", 2, 4, nil, nil},
		{"*", 2, 4, nil, nil},
		{"*", 2, 4, nil, nil},
	}, 3, 1},
}

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			m, rec := newMM(t, Config{RevPrecision: sc.rev})
			for _, ts := range sc.tickets {
				if _, err := m.Add(newSession(), Request{MinCount: ts.min, MaxCount: ts.max, Query: ts.query,
					StringProperties: ts.str, NumericProperties: ts.num}); err != nil {
					t.Fatal(err)
				}
			}
			for range sc.passes {
				m.Process(context.Background())
			}
			if got := len(rec.matchedSessions()); got != sc.matched || len(rec.groups) != sc.groups {
				t.Fatalf("matched %d players in %d groups, want %d in %d", got, len(rec.groups), sc.matched, sc.groups)
			}
		})
	}
}

func TestFullGroupWaitsForIntervals(t *testing.T) {
	m, rec := newMM(t, Config{MaxIntervals: 3})
	for range 3 {
		m.Add(newSession(), Request{MinCount: 2, MaxCount: 4})
	}
	m.Process(context.Background())
	m.Process(context.Background())
	if len(rec.groups) != 0 {
		t.Fatalf("a group of 3 formed before the last interval: %v", rec.groups)
	}
	m.Process(context.Background())
	if len(rec.groups) != 1 || len(rec.groups[0]) != 3 {
		t.Fatalf("groups %v, want one of 3 on the last interval", rec.groups)
	}
}

func TestCountMultipleTrims(t *testing.T) {
	m, rec := newMM(t, Config{MaxIntervals: 1})
	for range 3 {
		m.Add(newSession(), Request{MinCount: 2, MaxCount: 4, CountMultiple: 2})
	}
	m.Process(context.Background())
	if len(rec.groups) != 1 || len(rec.groups[0]) != 2 {
		t.Fatalf("groups %v, want one pair (3 is not a multiple of 2)", rec.groups)
	}
}

func TestSessionNeverMatchedWithItself(t *testing.T) {
	m, rec := newMM(t, Config{MaxIntervals: 1})
	s := newSession()
	for range 3 {
		m.Add(s, Request{MinCount: 2, MaxCount: 2})
	}
	m.Process(context.Background())
	if len(rec.groups) != 0 {
		t.Fatalf("a session was matched with itself: %v", rec.groups)
	}
}

// TestRandomPools checks the matchmaker's invariants over random pools:
// every group respects every member's counts, never holds a session twice,
// satisfies the searcher's query (every member's, with reverse precision),
// and no ticket is in two groups.
func TestRandomPools(t *testing.T) {
	for seed := range uint64(40) {
		for _, rev := range []bool{false, true} {
			checkRandomPool(t, seed, rev)
		}
	}
}

func checkRandomPool(t *testing.T, seed uint64, rev bool) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m, rec := newMM(t, Config{RevPrecision: rev, MaxIntervals: 1 + rng.IntN(3)})
	reqs := map[string]Request{}
	sessions := make([]*session.Session, 60)
	for i := range sessions {
		sessions[i] = newSession()
	}
	for range 150 {
		r := randomRequest(rng)
		id, err := m.Add(sessions[rng.IntN(len(sessions))], r)
		if err == nil {
			reqs[id] = r
		}
	}
	for range 4 {
		m.Process(context.Background())
	}
	seen := map[string]bool{}
	for _, g := range rec.groups {
		checkGroup(t, g, reqs, seen, rev)
	}
}

var regions = []string{"eu", "us", "asia"}

func randomRequest(rng *rand.Rand) Request {
	min := 2 + rng.IntN(2)
	max := min + rng.IntN(3)
	mult := 1
	if rng.IntN(4) == 0 && min%2 == 0 && max%2 == 0 {
		mult = 2
	}
	rank := float64(rng.IntN(50))
	queries := []string{
		"*",
		"+properties.region:" + regions[rng.IntN(3)],
		fmt.Sprintf("+properties.rank:>=%d +properties.rank:<=%d", int(rank)-10, int(rank)+10),
		"properties.region:eu properties.region:us",
		"+properties.region:eu -properties.mode:ranked",
	}
	return Request{
		MinCount: min, MaxCount: max, CountMultiple: mult, Query: queries[rng.IntN(len(queries))],
		StringProperties:  map[string]string{"region": regions[rng.IntN(3)], "mode": []string{"casual", "ranked"}[rng.IntN(2)]},
		NumericProperties: map[string]float64{"rank": rank},
	}
}

func checkGroup(t *testing.T, g []Entry, reqs map[string]Request, seen map[string]bool, rev bool) {
	t.Helper()
	sessions := map[*session.Session]bool{}
	for _, e := range g {
		r := reqs[e.Ticket]
		if seen[e.Ticket] {
			t.Fatalf("ticket %s in two groups", e.Ticket)
		}
		seen[e.Ticket] = true
		if sessions[e.Session] {
			t.Fatalf("a session twice in one group")
		}
		sessions[e.Session] = true
		if n := len(g); n < r.MinCount || n > r.MaxCount || n%max(r.CountMultiple, 1) != 0 {
			t.Fatalf("group of %d breaks ticket %+v", n, r)
		}
	}
	searcher := g[len(g)-1]
	for _, a := range g {
		for _, b := range g {
			if a.Ticket == b.Ticket || (!rev && a.Ticket != searcher.Ticket) {
				continue
			}
			q, _ := query.Parse(reqs[a.Ticket].Query)
			doc, _ := query.FromMap("properties", properties(reqs[b.Ticket]))
			if ok, _ := q.Match(doc); !ok {
				t.Fatalf("query %q of a member does not match member %+v", reqs[a.Ticket].Query, reqs[b.Ticket])
			}
		}
	}
}
