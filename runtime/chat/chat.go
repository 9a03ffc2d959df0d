package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// Channel types of a join, as rtapi.ChannelJoin numbers them.
const (
	TypeUnspecified = 0 // a room
	TypeRoom        = 1
	TypeDM          = 2
	TypeGroup       = 3
)

// Codes of channel messages.
const (
	CodeChat   = 0
	CodeUpdate = 1
	CodeRemove = 2
)

// CodeDMRequest is the code of the notification that asks a user to join a
// direct message chat.
const CodeDMRequest = -1

// Errors a client may see, with Nakama's messages. Errors of a join's
// target match ErrInvalidTarget.
var (
	ErrInvalidTarget  = runtime.NewError(runtime.InvalidArgument, "Invalid channel target")
	ErrRoomName       = ErrInvalidTarget.With("Channel name is required and must be 1-64 chars: Invalid channel target")
	ErrRoomControl    = ErrInvalidTarget.With("Channel name must not contain control chars: Invalid channel target")
	ErrRoomUTF8       = ErrInvalidTarget.With("Channel name must only contain valid UTF-8 bytes: Invalid channel target")
	ErrDMUser         = ErrInvalidTarget.With("Invalid user ID in direct message join: Invalid channel target")
	ErrDMUserNotFound = ErrInvalidTarget.With("User ID not found: Invalid channel target")
	ErrGroupID        = ErrInvalidTarget.With("Invalid group ID in group channel join: Invalid channel target")
	ErrGroupNotFound  = ErrInvalidTarget.With("Group not found: Invalid channel target")
	ErrChannelType    = runtime.NewError(runtime.InvalidArgument, "Invalid channel type")

	ErrChannelID     = runtime.NewError(runtime.InvalidArgument, "Invalid channel identifier")
	ErrMessageID     = runtime.NewError(runtime.InvalidArgument, "Invalid message identifier")
	ErrContent       = runtime.NewError(runtime.InvalidArgument, "Message content must be a valid JSON object")
	ErrNotJoinedSend = runtime.NewError(runtime.InvalidArgument, "Must join channel before sending messages")
	ErrNotJoinedEdit = runtime.NewError(runtime.InvalidArgument, "Must join channel before updating messages")
	ErrNotJoinedDrop = runtime.NewError(runtime.InvalidArgument, "Must join channel before removing messages")
	ErrNoUpdate      = runtime.NewError(runtime.InvalidArgument, "Could not find message to update in channel history")
	ErrNoRemove      = runtime.NewError(runtime.InvalidArgument, "Could not find message to remove in channel history")

	ErrListChannelID = runtime.NewError(runtime.InvalidArgument, "Invalid channel ID.")
	ErrListLimit     = runtime.NewError(runtime.InvalidArgument, "Invalid limit - limit must be between 1 and 100.")
	ErrListCursor    = runtime.NewError(runtime.InvalidArgument, "Cursor is invalid or expired.")
	ErrListGroup     = runtime.NewError(runtime.InvalidArgument, "Group not found.")
	ErrListChannel   = runtime.NewError(runtime.InvalidArgument, "Channel not found.")

	errUserLookup  = runtime.NewError(runtime.Internal, "Failed to look up user ID")
	errGroupLookup = runtime.NewError(runtime.Internal, "Failed to look up group membership")
	errJoin        = runtime.NewError(runtime.Internal, "Error joining channel")
	errPersist     = runtime.NewError(runtime.Internal, "Could not persist message to channel history")
	errPersistEdit = runtime.NewError(runtime.Internal, "Could not persist message update to channel history")
	errPersistDrop = runtime.NewError(runtime.Internal, "Could not persist message remove to channel history")
	errList        = runtime.NewError(runtime.Internal, "Error listing messages from channel.")
)

// Users finds users by id or username; runtime.AccountStore is one.
type Users interface {
	Users(ctx context.Context, ids, usernames []string) ([]runtime.User, error)
}

// Groups says who may use a group's channel.
type Groups interface {
	// IsMember reports whether the user is a member of the group (in
	// Nakama's terms, a superadmin, admin or member; not a join request).
	IsMember(ctx context.Context, groupID, userID string) (bool, error)
}

// NoGroups is the Groups of a server without groups: no one is a member of
// any group, so every group channel is refused as not found.
type NoGroups struct{}

// IsMember reports false.
func (NoGroups) IsMember(context.Context, string, string) (bool, error) { return false, nil }

// Notifier sends notifications; *notify.Service is one.
type Notifier interface {
	Send(ctx context.Context, ns []runtime.Notification) error
}

// Deps are what the chat service works with.
type Deps struct {
	Tracker *session.Tracker     // channel presences; New registers the chat modes' handler
	Router  *session.Router      // delivers messages and presence events
	Store   runtime.MessageStore // the channels' history
	Users   Users                // checks the other user of a direct message exists
	Groups  Groups               // group membership; nil means NoGroups
	Notify  Notifier             // sends direct message requests
	Logger  *slog.Logger         // nil discards
}

// Service runs chat channels.
type Service struct {
	d     Deps
	clock clock
}

// New returns the chat service and makes it the tracker's handler of chat
// stream events (rooms, groups and direct messages).
func New(d Deps) *Service {
	if d.Groups == nil {
		d.Groups = NoGroups{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{d: d}
	for _, mode := range []uint8{session.ModeChannel, session.ModeGroup, session.ModeDM} {
		d.Tracker.Handle(mode, s.presenceEvent)
	}
	return s
}

// presenceEvent sends a chat stream's joins and leaves to everyone on it.
func (s *Service) presenceEvent(ev session.Event) {
	ch := ofStream(ev.Stream)
	room, group, one, two := ch.Targets()
	s.d.Router.SendStream(s.d.Tracker, ev.Stream, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelPresenceEvent{
		ChannelPresenceEvent: &rtapi.ChannelPresenceEvent{
			ChannelId: ch.ID,
			Joins:     session.WirePresences(ev.Joins),
			Leaves:    session.WirePresences(ev.Leaves),
			RoomName:  room, GroupId: group, UserIdOne: one, UserIdTwo: two,
		},
	}})
}

// Join handles a client's channel_join: it checks the target, joins s to
// the channel (keeping the old presence if s was there already) and calls
// reply with the answer before anyone sees the join. Persistence defaults
// to true and hidden to false. Joining a direct message asks the other user,
// when they are not in it, to join too with a persistent notification, sent
// before the answer.
func (s *Service) Join(ctx context.Context, sess *session.Session, m *rtapi.ChannelJoin, reply func(*rtapi.Channel)) error {
	ch, err := s.target(ctx, sess, m.GetTarget(), m.GetType())
	if err != nil {
		return err
	}
	meta := session.Meta{
		Username:    sess.Username,
		Hidden:      m.GetHidden().GetValue(),
		Persistence: m.GetPersistence() == nil || m.GetPersistence().GetValue(),
	}
	self := session.Presence{Session: sess, Stream: ch.Stream, Meta: meta}
	room, group, one, two := ch.Targets()
	joined := false
	s.d.Tracker.TrackThen(sess, ch.Stream, meta, func(members []session.Presence, isNew bool) {
		joined = true
		var others []*rtapi.UserPresence
		for _, p := range members {
			if p.Meta.Hidden || (isNew && p.Session == sess) {
				continue
			}
			others = append(others, p.Wire())
		}
		if isNew && ch.Stream.Mode == session.ModeDM {
			s.requestDM(ctx, sess, ch, members)
		}
		reply(&rtapi.Channel{
			Id: ch.ID, Presences: others, Self: self.Wire(),
			RoomName: room, GroupId: group, UserIdOne: one, UserIdTwo: two,
		})
	})
	if !joined {
		return errJoin // the session is closing
	}
	return nil
}

// target checks a join's target and returns its channel.
func (s *Service) target(ctx context.Context, sess *session.Session, target string, typ int32) (Channel, error) {
	if target == "" {
		return Channel{}, ErrInvalidTarget
	}
	switch typ {
	case TypeUnspecified, TypeRoom:
		return Room(target), checkRoomName(target)
	case TypeDM:
		id, ok := runtime.ParseUUID(target)
		if !ok || id.String() == runtime.NilUUID {
			return Channel{}, ErrDMUser
		}
		users, err := s.d.Users.Users(ctx, []string{id.String()}, nil)
		if err != nil {
			return Channel{}, fmt.Errorf("%w: %w", errUserLookup, err)
		}
		if len(users) == 0 {
			return Channel{}, ErrDMUserNotFound
		}
		return DM(sess.UserID, id.String()), nil
	case TypeGroup:
		id, ok := runtime.ParseUUID(target)
		if !ok {
			return Channel{}, ErrGroupID
		}
		member, err := s.d.Groups.IsMember(ctx, id.String(), sess.UserID)
		if err != nil {
			return Channel{}, fmt.Errorf("%w: %w", errGroupLookup, err)
		}
		if !member {
			return Channel{}, ErrGroupNotFound
		}
		return Group(id.String()), nil
	}
	return Channel{}, ErrChannelType
}

// checkRoomName checks a room name as Nakama does: 1 to 64 bytes, no ASCII
// control characters, valid UTF-8.
func checkRoomName(name string) error {
	if len(name) > MaxRoomNameBytes {
		return ErrRoomName
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return ErrRoomControl
		}
	}
	if !utf8.ValidString(name) {
		return ErrRoomUTF8
	}
	return nil
}

// requestDM sends the other user of a direct message a persistent
// notification asking them to join, unless they are among its visible
// members already. It runs before the join is answered, as in Nakama, so a
// client that has its answer can list the request. A failure is logged:
// the join itself succeeded.
func (s *Service) requestDM(ctx context.Context, sess *session.Session, ch Channel, members []session.Presence) {
	other := ch.other(sess.UserID)
	for _, p := range members {
		if p.Session.UserID == other && !p.Meta.Hidden {
			return
		}
	}
	content, _ := json.Marshal(map[string]string{"username": sess.Username}) // a string map always marshals
	err := s.d.Notify.Send(ctx, []runtime.Notification{{
		UserID:     other,
		Subject:    sess.Username + " wants to chat",
		Content:    string(content),
		Code:       CodeDMRequest,
		SenderID:   sess.UserID,
		Persistent: true,
	}})
	if err != nil {
		s.d.Logger.Error("sending a direct message request failed", runtime.LogUser, sess.UserID,
			"channel_id", ch.ID, runtime.LogError, err)
	}
}

// Leave handles a client's channel_leave: s leaves the channel if it was in
// it.
func (s *Service) Leave(sess *session.Session, channelID string) error {
	ch, ok := ParseID(channelID)
	if !ok {
		return ErrChannelID
	}
	s.d.Tracker.Untrack(sess, ch.Stream, session.ReasonLeave)
	return nil
}
