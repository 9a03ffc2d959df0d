package match

import (
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// nameSpace is the namespace of named relayed match ids: the DNS namespace
// of RFC 4122, as Nakama uses, so a name gives the same id on both servers.
var nameSpace, _ = runtime.ParseUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")

// Relayed runs client-relayed matches: the server only keeps the members
// (a tracker stream) and forwards their messages.
type Relayed struct {
	tracker *session.Tracker
	router  *session.Router
}

// NewRelayed returns the relayed match service and makes it the tracker's
// handler of relayed match presence events.
func NewRelayed(tracker *session.Tracker, router *session.Router) *Relayed {
	m := &Relayed{tracker: tracker, router: router}
	tracker.Handle(session.ModeMatchRelayed, PresenceEvents(tracker, router))
	return m
}

func relayedStream(uuid string) session.Stream {
	return session.Stream{Mode: session.ModeMatchRelayed, Subject: uuid}
}

// PresenceEvents returns a tracker handler that sends match_presence_event
// to everyone in the match.
func PresenceEvents(tracker *session.Tracker, router *session.Router) func(session.Event) {
	return func(ev session.Event) {
		router.SendStream(tracker, ev.Stream, &rtapi.Envelope{Message: &rtapi.Envelope_MatchPresenceEvent{
			MatchPresenceEvent: &rtapi.MatchPresenceEvent{
				MatchId: ev.Stream.Subject + "." + ev.Stream.Label,
				Joins:   session.WirePresences(ev.Joins),
				Leaves:  session.WirePresences(ev.Leaves),
			},
		}})
	}
}

// Create starts a relayed match for s and joins it; a name gives the same
// match id every time, so it joins that match if it runs. reply receives
// the answer before anyone sees the join.
func (m *Relayed) Create(s *session.Session, name string, reply func(*rtapi.Match)) {
	uuid := runtime.NewUUID()
	if name != "" {
		uuid = runtime.NameUUID(nameSpace, name)
	}
	id := uuid.String()
	m.tracker.TrackThen(s, relayedStream(id), session.Meta{Username: s.Username},
		func(members []session.Presence, added bool) {
			reply(&rtapi.Match{
				MatchId:   id + ".",
				Size:      int32(len(members)),
				Presences: others(members, s, added),
				Self:      s.Presence(),
			})
		})
}

// others lists the members except s when s has just been added.
func others(members []session.Presence, s *session.Session, added bool) []*rtapi.UserPresence {
	out := make([]*rtapi.UserPresence, 0, len(members))
	for _, p := range members {
		if added && p.Session == s {
			continue
		}
		out = append(out, p.Wire())
	}
	return out
}

// Join adds s to a running relayed match (or, with allowEmpty, to one no
// one is in yet, as a matchmaker token permits). id is echoed as given.
func (m *Relayed) Join(s *session.Session, id, uuid string, allowEmpty bool, reply func(*rtapi.Match)) error {
	st := relayedStream(uuid)
	if !allowEmpty && m.tracker.Count(st) == 0 {
		return runtime.ErrMatchNotFound
	}
	m.tracker.TrackThen(s, st, session.Meta{Username: s.Username}, func(members []session.Presence, added bool) {
		ps := others(members, s, added)
		reply(&rtapi.Match{MatchId: id, Size: int32(len(members)), Presences: ps, Self: s.Presence()})
	})
	return nil
}

// Leave removes s from a relayed match.
func (m *Relayed) Leave(s *session.Session, uuid string) {
	m.tracker.Untrack(s, relayedStream(uuid), session.ReasonLeave)
}

// Send forwards data from s to the other members, or only to the members
// whose session ids d lists. Data from a non-member is dropped.
func (m *Relayed) Send(s *session.Session, id, uuid string, d *rtapi.MatchDataSend) {
	st := relayedStream(uuid)
	if _, member := m.tracker.Get(s, st); !member {
		return
	}
	to := m.tracker.Sessions(nil, st)
	to = filterRecipients(to, s, d.Presences)
	if len(to) == 0 {
		return
	}
	m.router.SendAll(to, &rtapi.Envelope{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{
		MatchId:  id,
		Presence: s.Presence(),
		OpCode:   d.OpCode,
		Data:     d.Data,
		Reliable: d.Reliable,
	}}})
}

// filterRecipients keeps every member but the sender, or with filters only
// the members whose session id is listed (the sender too, if listed).
func filterRecipients(to []*session.Session, sender *session.Session, filter []*rtapi.UserPresence) []*session.Session {
	out := to[:0]
	for _, r := range to {
		if len(filter) == 0 {
			if r != sender {
				out = append(out, r)
			}
			continue
		}
		for _, f := range filter {
			if f.GetSessionId() == r.ID {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
