package chat

import (
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// MaxRoomNameBytes is the longest room name.
const MaxRoomNameBytes = 64

// Channel is a chat channel: its presence stream and its wire id,
// "<mode>.<subject>.<subcontext>.<label>" as Nakama writes it.
type Channel struct {
	ID     string
	Stream session.Stream
}

// Room returns the room channel of a name ("2...<name>").
func Room(name string) Channel {
	return Channel{ID: "2..." + name, Stream: session.Stream{Mode: session.ModeChannel, Label: name}}
}

// Group returns the channel of a group ("3.<group>..").
func Group(groupID string) Channel {
	return Channel{ID: "3." + groupID + "..", Stream: session.Stream{Mode: session.ModeGroup, Subject: groupID}}
}

// DM returns the direct message channel of two users, the same whichever
// comes first ("4.<lower>.<higher>.").
func DM(userA, userB string) Channel {
	if userB < userA {
		userA, userB = userB, userA
	}
	return Channel{ID: "4." + userA + "." + userB + ".",
		Stream: session.Stream{Mode: session.ModeDM, Subject: userA, Subcontext: userB}}
}

// ParseID returns the channel of a wire id, or ok false when it is not one:
// a room's name must be 1 to 64 bytes, a group's id a UUID (or empty, as
// Nakama accepts), and a direct message's two user ids UUIDs.
func ParseID(id string) (Channel, bool) {
	parts := strings.SplitN(id, ".", 4)
	if len(parts) != 4 {
		return Channel{}, false
	}
	subject, subcontext, label := parts[1], parts[2], parts[3]
	switch parts[0] {
	case "2":
		if subject == "" && subcontext == "" && label != "" && len(label) <= MaxRoomNameBytes {
			return Room(label), true
		}
	case "3":
		if subcontext == "" && label == "" && (subject == "" || runtime.ValidUUID(subject)) {
			return Group(subject), true
		}
	case "4":
		if label == "" && runtime.ValidUUID(subject) && runtime.ValidUUID(subcontext) {
			// Kept as written: only the canonical order names a joined stream.
			return Channel{ID: id, Stream: session.Stream{Mode: session.ModeDM, Subject: subject, Subcontext: subcontext}}, true
		}
	}
	return Channel{}, false
}

// ofStream returns the channel of a chat stream.
func ofStream(st session.Stream) Channel {
	switch st.Mode {
	case session.ModeGroup:
		return Group(st.Subject)
	case session.ModeDM:
		return Channel{ID: "4." + st.Subject + "." + st.Subcontext + ".", Stream: st}
	}
	return Room(st.Label)
}

// Targets returns the fields that name the channel on the wire: the room
// name, the group id, or the two users of a direct message.
func (c Channel) Targets() (room, group, userOne, userTwo string) {
	switch c.Stream.Mode {
	case session.ModeChannel:
		return c.Stream.Label, "", "", ""
	case session.ModeGroup:
		return "", c.Stream.Subject, "", ""
	}
	return "", "", c.Stream.Subject, c.Stream.Subcontext
}

// other returns the user of a direct message channel who is not userID.
func (c Channel) other(userID string) string {
	if c.Stream.Subject == userID {
		return c.Stream.Subcontext
	}
	return c.Stream.Subject
}

// has reports whether userID is one of a direct message channel's users.
func (c Channel) has(userID string) bool {
	return c.Stream.Subject == userID || c.Stream.Subcontext == userID
}
