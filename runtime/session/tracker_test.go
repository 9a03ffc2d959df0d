package session

import (
	"strconv"
	"sync"
	"testing"
)

type nopConn struct{}

func (nopConn) Send([]byte) bool { return true }
func (nopConn) Close(string)     {}

func newSession(name string) *Session {
	return New(Info{ID: "s-" + name, UserID: "u-" + name, Username: name}, nopConn{})
}

// recorder keeps the events of one tracker.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func TestTrackUntrackEvents(t *testing.T) {
	rec := &recorder{}
	tr := NewTracker(rec.add)
	st := Stream{Mode: ModeCustomFirst, Subject: "x"}
	a, b := newSession("a"), newSession("b")

	if !tr.Track(a, st, Meta{Username: "a"}) || tr.Track(a, st, Meta{Username: "other"}) {
		t.Fatal("Track should add once")
	}
	if m, _ := tr.Get(a, st); m.Username != "a" {
		t.Fatal("a second Track changed the meta")
	}
	tr.Track(b, st, Meta{Hidden: true})
	if tr.Count(st) != 2 || len(tr.List(st, false)) != 1 || len(tr.List(st, true)) != 2 {
		t.Fatalf("count %d, visible %d", tr.Count(st), len(tr.List(st, false)))
	}
	tr.Update(a, st, Meta{Username: "a", Status: "busy"})
	tr.Untrack(b, st, ReasonLeave) // hidden: no event
	tr.UntrackAll(a, ReasonDisconnect)
	if tr.Count(st) != 0 || len(tr.Streams(a)) != 0 {
		t.Fatal("presences left")
	}
	want := []string{"join a", "join a/leave a", "leave a"}
	if len(rec.events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(rec.events), len(want), rec.events)
	}
	last := rec.events[2]
	if last.Leaves[0].Meta.Reason != ReasonDisconnect {
		t.Fatalf("reason %d", last.Leaves[0].Meta.Reason)
	}
	a.MarkClosed()
	if tr.Track(a, st, Meta{}) {
		t.Fatal("a closed session was tracked")
	}
}

// TestEventsFollowChangeOrder joins many sessions at once: the joins must
// be reported in the order the tracker admitted them, and each joiner's
// answer must come before its join event.
func TestEventsFollowChangeOrder(t *testing.T) {
	var (
		mu       sync.Mutex
		answered = map[string]bool{}
		order    []string
		bad      []string
	)
	tr := NewTracker(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ev.Joins {
			if !answered[p.Session.ID] {
				bad = append(bad, p.Session.ID)
			}
			order = append(order, p.Session.ID)
		}
	})
	st := Stream{Mode: ModeCustomFirst, Subject: "race"}
	var admitted []string
	var wg sync.WaitGroup
	for i := range 50 {
		s := newSession(strconv.Itoa(i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr.TrackThen(s, st, Meta{}, func(members []Presence, added bool) {
				mu.Lock()
				answered[s.ID] = true
				admitted = append(admitted, s.ID)
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("join events before the answer for %v", bad)
	}
	for i := range admitted {
		if order[i] != admitted[i] {
			t.Fatalf("event %d is %s, but %s was admitted then", i, order[i], admitted[i])
		}
	}
}

// TestHandlersMayReadTheTracker checks that an event handler reading the
// tracker while other goroutines change it does not deadlock.
func TestHandlersMayReadTheTracker(t *testing.T) {
	var tr *Tracker
	tr = NewTracker(func(ev Event) { tr.Sessions(nil, ev.Stream) })
	st := Stream{Mode: ModeCustomFirst, Subject: "read"}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSession(strconv.Itoa(i))
			for range 50 {
				tr.Track(s, st, Meta{})
				tr.Untrack(s, st, ReasonLeave)
			}
		}()
	}
	wg.Wait()
}
