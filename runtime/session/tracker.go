package session

import (
	"sync"
)

// Tracker records which sessions are on which streams.
//
// Changes are reported in the order they were made: every change holds
// emitMu from before it takes mu until it has reported (and, for TrackThen,
// answered). So a match sees its players join in the order they were
// admitted, and the joiner's answer always precedes the join event. The
// lock order is emitMu, then mu. Event handlers run under emitMu: they may
// read the tracker but never change it.
type Tracker struct {
	mu       sync.RWMutex
	emitMu   sync.Mutex
	streams  map[Stream]*memberSet
	sessions map[*Session][]Stream

	handlers [256]func(Event)
	fallback func(Event)
}

// NewTracker returns an empty tracker. Events of modes without a handler go
// to fallback (nil drops them).
func NewTracker(fallback func(Event)) *Tracker {
	return &Tracker{
		streams:  map[Stream]*memberSet{},
		sessions: map[*Session][]Stream{},
		fallback: fallback,
	}
}

// Handle sets the handler of a stream mode's events. Call it before use.
func (t *Tracker) Handle(mode uint8, fn func(Event)) { t.handlers[mode] = fn }

func (t *Tracker) emit(ev Event) {
	if len(ev.Joins) == 0 && len(ev.Leaves) == 0 {
		return
	}
	if h := t.handlers[ev.Stream.Mode]; h != nil {
		h(ev)
	} else if t.fallback != nil {
		t.fallback(ev)
	}
}

// Track adds s to a stream. It reports whether s was added (false when it
// was already there, keeping its old meta, or when s is closed) and emits a
// join unless the presence is hidden.
func (t *Tracker) Track(s *Session, st Stream, m Meta) (added bool) {
	return t.TrackThen(s, st, m, nil)
}

// TrackThen is Track that, when s was added or already there, calls then
// with the stream's presences (s included) as they were right after, before
// the join is emitted: a reply built there reaches s before the event.
func (t *Tracker) TrackThen(s *Session, st Stream, m Meta, then func(members []Presence, added bool)) (added bool) {
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.mu.Lock()
	if s.Closed() {
		t.mu.Unlock()
		return false
	}
	members := t.streams[st]
	if members == nil {
		members = &memberSet{}
		t.streams[st] = members
	}
	_, was := members.get(s)
	if !was {
		members.set(s, m)
		t.sessions[s] = append(t.sessions[s], st)
	}
	var snapshot []Presence
	if then != nil {
		snapshot = make([]Presence, 0, members.len())
		for _, e := range members.list {
			snapshot = append(snapshot, Presence{Session: e.s, Stream: st, Meta: e.m})
		}
	}
	t.mu.Unlock()
	if then != nil {
		then(snapshot, !was)
	}
	if !was && !m.Hidden {
		t.emit(Event{Stream: st, Joins: []Presence{{Session: s, Stream: st, Meta: m}}})
	}
	return !was
}

// Update sets the meta of s on a stream, adding it when absent. Watchers
// see a join of the new presence and a leave of the old one.
func (t *Tracker) Update(s *Session, st Stream, m Meta) bool {
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.mu.Lock()
	if s.Closed() {
		t.mu.Unlock()
		return false
	}
	members := t.streams[st]
	if members == nil {
		members = &memberSet{}
		t.streams[st] = members
	}
	old, existed := members.set(s, m)
	if !existed {
		t.sessions[s] = append(t.sessions[s], st)
	}
	t.mu.Unlock()
	ev := Event{Stream: st}
	if !m.Hidden {
		ev.Joins = []Presence{{Session: s, Stream: st, Meta: m}}
	}
	if existed && !old.Hidden {
		old.Reason = ReasonUpdate
		ev.Leaves = []Presence{{Session: s, Stream: st, Meta: old}}
	}
	t.emit(ev)
	return true
}

// Untrack removes s from a stream; it reports whether s was there.
func (t *Tracker) Untrack(s *Session, st Stream, reason uint8) bool {
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.mu.Lock()
	m, ok := t.removeLocked(s, st)
	if ok {
		t.dropStreamLocked(s, st)
	}
	t.mu.Unlock()
	if ok && !m.Hidden {
		m.Reason = reason
		t.emit(Event{Stream: st, Leaves: []Presence{{Session: s, Stream: st, Meta: m}}})
	}
	return ok
}

// UntrackAll removes s from every stream, emitting a leave for each.
func (t *Tracker) UntrackAll(s *Session, reason uint8) {
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.mu.Lock()
	streams := t.sessions[s]
	delete(t.sessions, s)
	var leaves []Presence
	for _, st := range streams {
		if m, ok := t.removeLocked(s, st); ok && !m.Hidden {
			m.Reason = reason
			leaves = append(leaves, Presence{Session: s, Stream: st, Meta: m})
		}
	}
	t.mu.Unlock()
	for _, p := range leaves {
		t.emit(Event{Stream: p.Stream, Leaves: []Presence{p}})
	}
}

// UntrackStream removes every presence of a stream without events.
func (t *Tracker) UntrackStream(st Stream) {
	t.mu.Lock()
	if members := t.streams[st]; members != nil {
		for _, e := range members.list {
			t.dropStreamLocked(e.s, st)
		}
	}
	delete(t.streams, st)
	t.mu.Unlock()
}

func (t *Tracker) removeLocked(s *Session, st Stream) (Meta, bool) {
	members := t.streams[st]
	if members == nil {
		return Meta{}, false
	}
	m, ok := members.remove(s)
	if ok && members.len() == 0 {
		delete(t.streams, st)
	}
	return m, ok
}

func (t *Tracker) dropStreamLocked(s *Session, st Stream) {
	list := t.sessions[s]
	for i, x := range list {
		if x == st {
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(t.sessions, s)
	} else {
		t.sessions[s] = list
	}
}

// Get returns the meta of s on a stream.
func (t *Tracker) Get(s *Session, st Stream) (Meta, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if members := t.streams[st]; members != nil {
		return members.get(s)
	}
	return Meta{}, false
}

// Count returns the number of presences on a stream, hidden ones included.
func (t *Tracker) Count(st Stream) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if members := t.streams[st]; members != nil {
		return members.len()
	}
	return 0
}

// List returns the presences on a stream, hidden ones only if asked.
func (t *Tracker) List(st Stream, hidden bool) []Presence {
	t.mu.RLock()
	defer t.mu.RUnlock()
	members := t.streams[st]
	if members == nil {
		return nil
	}
	out := make([]Presence, 0, members.len())
	for _, e := range members.list {
		if hidden || !e.m.Hidden {
			out = append(out, Presence{Session: e.s, Stream: st, Meta: e.m})
		}
	}
	return out
}

// Sessions appends the sessions on a stream (hidden ones included) to dst.
func (t *Tracker) Sessions(dst []*Session, st Stream) []*Session {
	t.mu.RLock()
	if members := t.streams[st]; members != nil {
		for _, e := range members.list {
			dst = append(dst, e.s)
		}
	}
	t.mu.RUnlock()
	return dst
}

// Streams returns the streams s is on.
func (t *Tracker) Streams(s *Session) []Stream {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]Stream(nil), t.sessions[s]...)
}

// EachStream calls fn with each stream of a mode and its presence count
// until fn returns false. fn runs under the tracker's read lock: it must be
// quick and must not call the tracker.
func (t *Tracker) EachStream(mode uint8, fn func(st Stream, size int) bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for st, members := range t.streams {
		if st.Mode == mode && !fn(st, members.len()) {
			return
		}
	}
}
