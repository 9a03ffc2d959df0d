package session

import "github.com/heroiclabs/nakama-common/rtapi"

// Stream modes, numbered as Nakama numbers them. Modes above
// ModeParty are free for modules' own streams.
const (
	ModeNotifications      uint8 = 0 // subject: user id
	ModeStatus             uint8 = 1 // subject: user id
	ModeChannel            uint8 = 2 // label: room name
	ModeGroup              uint8 = 3 // subject: group id
	ModeDM                 uint8 = 4 // subject, subcontext: the two user ids, lower first
	ModeMatchRelayed       uint8 = 5 // subject: match id
	ModeMatchAuthoritative uint8 = 6 // subject: match id, label: node
	ModeParty              uint8 = 7 // subject: party id, label: node
	ModeCustomFirst        uint8 = 8
)

// Stream identifies a set of presences.
type Stream struct {
	Mode       uint8
	Subject    string
	Subcontext string
	Label      string
}

// Wire returns the stream as the wire writes it.
func (s Stream) Wire() *rtapi.Stream {
	return &rtapi.Stream{Mode: int32(s.Mode), Subject: s.Subject, Subcontext: s.Subcontext, Label: s.Label}
}

// Meta is what a presence carries besides its session and stream.
type Meta struct {
	Hidden      bool
	Persistence bool
	Username    string
	Status      string
	// Reason is why the presence left (see the Reason constants); it is
	// reported to match handlers, never on the wire.
	Reason uint8
}

// Reasons a presence changes.
const (
	ReasonUnknown    uint8 = 0
	ReasonJoin       uint8 = 1
	ReasonUpdate     uint8 = 2
	ReasonLeave      uint8 = 3
	ReasonDisconnect uint8 = 4
)

// Presence is a session on a stream.
type Presence struct {
	Session *Session
	Stream  Stream
	Meta    Meta
}

// Wire returns the wire presence; status is set for status streams only.
func (p Presence) Wire() *rtapi.UserPresence {
	up := &rtapi.UserPresence{
		UserId:      p.Session.UserID,
		SessionId:   p.Session.ID,
		Username:    p.Meta.Username,
		Persistence: p.Meta.Persistence,
	}
	if p.Stream.Mode == ModeStatus {
		up.Status = wrapString(p.Meta.Status)
	}
	return up
}

// WirePresences converts presences.
func WirePresences(ps []Presence) []*rtapi.UserPresence {
	if len(ps) == 0 {
		return nil
	}
	out := make([]*rtapi.UserPresence, len(ps))
	for i, p := range ps {
		out[i] = p.Wire()
	}
	return out
}

// Event is a change of a stream's presences.
type Event struct {
	Stream Stream
	Joins  []Presence
	Leaves []Presence
}
