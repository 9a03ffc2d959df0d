package chat_test

import (
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/session"
)

func TestChannelIDs(t *testing.T) {
	a, b := "0b6e4c2e-0000-4000-8000-000000000001", "0b6e4c2e-0000-4000-8000-000000000002"
	group := "9c3f1d2a-0000-4000-8000-00000000000a"
	cases := []struct {
		id   string
		want chat.Channel
		ok   bool
	}{
		{"2...lobby", chat.Room("lobby"), true},
		{"2...with.dots in it", chat.Room("with.dots in it"), true},
		{"2..." + strings.Repeat("x", 64), chat.Room(strings.Repeat("x", 64)), true},
		{"3." + group + "..", chat.Group(group), true},
		{"3...", chat.Group(""), true},
		{"4." + a + "." + b + ".", chat.DM(b, a), true},
		{"2...", chat.Channel{}, false},
		{"2..." + strings.Repeat("x", 65), chat.Channel{}, false},
		{"2.x..lobby", chat.Channel{}, false},
		{"2..x.lobby", chat.Channel{}, false},
		{"2..lobby", chat.Channel{}, false},
		{"3.not-a-uuid..", chat.Channel{}, false},
		{"3." + group + "..x", chat.Channel{}, false},
		{"4." + a + "." + b + ".x", chat.Channel{}, false},
		{"4." + a + "..", chat.Channel{}, false},
		{"5.x..", chat.Channel{}, false},
		{"", chat.Channel{}, false},
		{"lobby", chat.Channel{}, false},
	}
	for _, c := range cases {
		got, ok := chat.ParseID(c.id)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseID(%q) = %+v, %v; want %+v, %v", c.id, got, ok, c.want, c.ok)
		}
	}
	if dm := chat.DM(b, a); dm.ID != "4."+a+"."+b+"." || dm.Stream.Subject != a || dm.Stream.Subcontext != b {
		t.Errorf("DM(b, a) = %+v, want the lower id first", dm)
	}
}

func TestJoinTargets(t *testing.T) {
	f := newFixture(t)
	alice, bob := f.newUser(t, "alice"), f.newUser(t, "bob")
	group, broken := runtime.NewUUID().String(), runtime.NewUUID().String()
	f.groups[group+"/"+alice.id] = true
	f.groups[broken+"/!"] = true
	c := f.connect(alice)
	cases := []struct {
		name   string
		target string
		typ    int32
		want   error
		id     string
	}{
		{"empty target", "", chat.TypeRoom, chat.ErrInvalidTarget, ""},
		{"room", "lobby", chat.TypeRoom, nil, "2...lobby"},
		{"unspecified is a room", "lobby", chat.TypeUnspecified, nil, "2...lobby"},
		{"unicode room", "salon-é-🎮", chat.TypeRoom, nil, "2...salon-é-🎮"},
		{"room name too long", strings.Repeat("x", 65), chat.TypeRoom, chat.ErrRoomName, ""},
		{"control char", "a\nb", chat.TypeRoom, chat.ErrRoomControl, ""},
		{"delete char", "a\x7fb", chat.TypeRoom, chat.ErrRoomControl, ""},
		{"invalid UTF-8", "a\xffb", chat.TypeRoom, chat.ErrRoomUTF8, ""},
		{"dm", bob.id, chat.TypeDM, nil, chat.DM(alice.id, bob.id).ID},
		{"dm, upper case id", strings.ToUpper(bob.id), chat.TypeDM, nil, chat.DM(alice.id, bob.id).ID},
		{"dm, not a UUID", "bob", chat.TypeDM, chat.ErrDMUser, ""},
		{"dm, nil UUID", runtime.NilUUID, chat.TypeDM, chat.ErrDMUser, ""},
		{"dm, unknown user", runtime.NewUUID().String(), chat.TypeDM, chat.ErrDMUserNotFound, ""},
		{"group member", group, chat.TypeGroup, nil, "3." + group + ".."},
		{"group, not a member", runtime.NewUUID().String(), chat.TypeGroup, chat.ErrGroupNotFound, ""},
		{"group, not a UUID", "guild", chat.TypeGroup, chat.ErrGroupID, ""},
		{"group lookup fails", broken, chat.TypeGroup, errDown, ""},
		{"unknown type", "lobby", 4, chat.ErrChannelType, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var reply *rtapi.Channel
			err := f.chat.Join(t.Context(), c.Session, &rtapi.ChannelJoin{Target: tc.target, Type: tc.typ},
				func(ch *rtapi.Channel) { reply = ch })
			wantErr(t, err, tc.want)
			switch {
			case tc.want == errDown && runtime.CodeOf(err) != runtime.Internal:
				t.Fatalf("failed lookup: code %d, want Internal", runtime.CodeOf(err))
			case tc.want != nil && tc.want != errDown && runtime.CodeOf(err) != runtime.InvalidArgument:
				t.Fatalf("refused join: code %d, want InvalidArgument", runtime.CodeOf(err))
			case tc.want != nil && reply != nil:
				t.Fatalf("refused join replied %v", reply)
			case tc.want == nil && reply.GetId() != tc.id:
				t.Fatalf("joined %q, want %q", reply.GetId(), tc.id)
			}
		})
	}
}

func TestJoinWithoutGroups(t *testing.T) {
	f := newFixture(t)
	c := f.connect(f.newUser(t, "alice"))
	s := chat.New(chat.Deps{Tracker: f.tracker, Router: session.NewRouter(protoCodec{}, nil), Store: f.store, Users: f.store})
	err := s.Join(t.Context(), c.Session, &rtapi.ChannelJoin{Target: runtime.NewUUID().String(), Type: chat.TypeGroup},
		func(*rtapi.Channel) { t.Fatal("joined a group without groups") })
	wantErr(t, err, chat.ErrGroupNotFound)
	if err.Error() != "Group not found: Invalid channel target" {
		t.Fatalf("message %q", err.Error())
	}
}

func TestJoinReplyAndPresences(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := f.newUser(t, "alice"), f.newUser(t, "bob"), f.newUser(t, "carol")
	a, b, c := f.connect(alice), f.connect(bob), f.connect(carol)
	room := chat.Room("lobby")
	presence := func(x conn, persistence bool) *rtapi.UserPresence {
		return &rtapi.UserPresence{UserId: x.UserID, SessionId: x.ID, Username: x.Username, Persistence: persistence}
	}
	event := func(joins, leaves []*rtapi.UserPresence) *rtapi.Envelope {
		return &rtapi.Envelope{Message: &rtapi.Envelope_ChannelPresenceEvent{ChannelPresenceEvent: &rtapi.ChannelPresenceEvent{
			ChannelId: room.ID, Joins: joins, Leaves: leaves, RoomName: "lobby",
		}}}
	}

	got := f.join(t, a, "lobby", chat.TypeRoom)
	wantMessage(t, "alice's reply", got, &rtapi.Channel{Id: room.ID, Self: presence(a, true), RoomName: "lobby"})
	wantEvents(t, "alice", a, event([]*rtapi.UserPresence{presence(a, true)}, nil))

	got = f.join(t, b, "lobby", chat.TypeRoom, transient)
	wantMessage(t, "bob's reply", got, &rtapi.Channel{Id: room.ID, Self: presence(b, false), RoomName: "lobby",
		Presences: []*rtapi.UserPresence{presence(a, true)}})
	bobJoined := event([]*rtapi.UserPresence{presence(b, false)}, nil)
	wantEvents(t, "alice", a, bobJoined)
	wantEvents(t, "bob", b, bobJoined)

	// A hidden presence is not seen, but sees the others.
	got = f.join(t, c, "lobby", chat.TypeRoom, hidden)
	if len(got.Presences) != 2 {
		t.Fatalf("carol's reply lists %v, want alice and bob", got.Presences)
	}
	wantEvents(t, "alice", a)
	// A second join keeps the first presence and lists everyone visible.
	got = f.join(t, b, "lobby", chat.TypeRoom)
	if len(got.Presences) != 2 || !got.Self.Persistence {
		t.Fatalf("bob's second reply = %v", got)
	}
	if m, _ := f.tracker.Get(b.Session, room.Stream); m.Persistence {
		t.Fatal("a second join changed the presence")
	}
	wantEvents(t, "alice", a)

	wantErr(t, f.chat.Leave(b.Session, "lobby"), chat.ErrChannelID)
	wantErr(t, f.chat.Leave(b.Session, room.ID), nil)
	bobLeft := event(nil, []*rtapi.UserPresence{presence(b, false)})
	wantEvents(t, "alice", a, bobLeft)
	wantEvents(t, "carol", c, bobLeft)
	wantEvents(t, "bob", b)
	wantErr(t, f.chat.Leave(b.Session, room.ID), nil) // not in it: still fine

	// A closing session cannot join.
	b.MarkClosed()
	err := f.chat.Join(t.Context(), b.Session, &rtapi.ChannelJoin{Target: "lobby"}, func(*rtapi.Channel) {
		t.Fatal("a closed session joined")
	})
	if runtime.CodeOf(err) != runtime.Internal || err.Error() != "Error joining channel" {
		t.Fatalf("join of a closed session = %v", err)
	}
}

// wantEvents fails the test unless c received exactly want since last time.
func wantEvents(t *testing.T, who string, c conn, want ...*rtapi.Envelope) {
	t.Helper()
	got := c.rec.take(t)
	if len(got) != len(want) {
		t.Fatalf("%s received %v, want %v", who, got, want)
	}
	for i := range got {
		wantMessage(t, who+"'s envelope", got[i], want[i])
	}
}
