package chat_test

import (
	"errors"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/chat"
)

// pushed returns the channel messages c received since last time, failing
// the test on anything else.
func pushed(t *testing.T, c conn) []*api.ChannelMessage {
	t.Helper()
	var out []*api.ChannelMessage
	for _, env := range c.rec.take(t) {
		m := env.GetChannelMessage()
		if m == nil || env.Cid != "" {
			t.Fatalf("unexpected envelope %v", env)
		}
		out = append(out, m)
	}
	return out
}

// wantPushed fails the test unless each conn received exactly want.
func wantPushed(t *testing.T, want *api.ChannelMessage, cs ...conn) {
	t.Helper()
	for _, c := range cs {
		got := pushed(t, c)
		if len(got) != 1 {
			t.Fatalf("%s received %v, want one message", c.Username, got)
		}
		wantMessage(t, c.Username+"'s message", got[0], want)
	}
}

// wantAck checks that ack acknowledges m.
func wantAck(t *testing.T, ack *rtapi.ChannelMessageAck, m *api.ChannelMessage) {
	t.Helper()
	wantMessage(t, "ack", ack, &rtapi.ChannelMessageAck{
		ChannelId: m.ChannelId, MessageId: m.MessageId, Code: m.Code, Username: m.Username,
		CreateTime: m.CreateTime, UpdateTime: m.UpdateTime, Persistent: m.Persistent,
		RoomName: m.RoomName, GroupId: m.GroupId, UserIdOne: m.UserIdOne, UserIdTwo: m.UserIdTwo,
	})
}

// history lists a channel's whole history as caller.
func (f *fixture) history(t *testing.T, caller user, ch chat.Channel) []*api.ChannelMessage {
	t.Helper()
	l, err := f.chat.List(t.Context(), caller.id, ch.ID, 100, true, "")
	if err != nil {
		t.Fatal(err)
	}
	return l.Messages
}

func TestMessages(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := f.newUser(t, "alice"), f.newUser(t, "bob"), f.newUser(t, "carol")
	a, b, c := f.connect(alice), f.connect(bob), f.connect(carol)
	room := chat.Room("lobby")
	f.join(t, a, "lobby", chat.TypeRoom)
	f.join(t, b, "lobby", chat.TypeRoom, hidden)
	a.rec.take(t)
	ctx := t.Context()

	t.Run("refused sends", func(t *testing.T) {
		for _, tc := range []struct {
			name          string
			from          conn
			channel, body string
			want          error
		}{
			{"bad channel", a, "lobby", `{}`, chat.ErrChannelID},
			{"not an object", a, room.ID, `[1]`, chat.ErrContent},
			{"empty content", a, room.ID, ``, chat.ErrContent},
			{"not JSON", a, room.ID, `{"a":`, chat.ErrContent},
			{"not joined", c, room.ID, `{}`, chat.ErrNotJoinedSend},
		} {
			_, err := f.chat.Send(ctx, tc.from.Session, tc.channel, tc.body)
			wantErr(t, err, tc.want)
		}
		wantEvents(t, "alice", a)
	})

	ack, err := f.chat.Send(ctx, a.Session, room.ID, `{"text":"héllo 🎮"}`)
	wantErr(t, err, nil)
	first := pushed(t, a)[0]
	want := &api.ChannelMessage{
		ChannelId: room.ID, MessageId: ack.MessageId, Code: first.Code, SenderId: alice.id, Username: "alice",
		Content: `{"text":"héllo 🎮"}`, CreateTime: ack.CreateTime, UpdateTime: ack.CreateTime,
		Persistent: first.Persistent, RoomName: "lobby",
	}
	if first.Code.GetValue() != chat.CodeChat || !first.Persistent.GetValue() || !runtime.ValidUUID(ack.MessageId) {
		t.Fatalf("pushed %v", first)
	}
	wantMessage(t, "pushed message", first, want)
	wantAck(t, ack, want)
	wantPushed(t, want, b) // hidden, yet receives
	wantEvents(t, "carol", c)
	wantMessage(t, "stored message", f.history(t, carol, room)[0], want)

	t.Run("update", func(t *testing.T) {
		_, err := f.chat.Update(ctx, b.Session, room.ID, ack.MessageId, `{"text":"hijack"}`)
		wantErr(t, err, chat.ErrNoUpdate)
		for _, tc := range []struct {
			name, channel, id, body string
			want                    error
		}{
			{"bad message id", room.ID, "m1", `{}`, chat.ErrMessageID},
			{"bad channel", "lobby", ack.MessageId, `{}`, chat.ErrChannelID},
			{"bad content", room.ID, ack.MessageId, `"x"`, chat.ErrContent},
			{"unknown message", room.ID, runtime.NewUUID().String(), `{}`, chat.ErrNoUpdate},
			{"other channel", chat.Room("other").ID, ack.MessageId, `{}`, chat.ErrNotJoinedEdit},
		} {
			_, err := f.chat.Update(ctx, a.Session, tc.channel, tc.id, tc.body)
			wantErr(t, err, tc.want)
		}
		_, err = f.chat.Update(ctx, c.Session, room.ID, ack.MessageId, `{}`)
		wantErr(t, err, chat.ErrNotJoinedEdit)

		up, err := f.chat.Update(ctx, a.Session, room.ID, ack.MessageId, `{"text":"edited"}`)
		wantErr(t, err, nil)
		edited := proto.Clone(want).(*api.ChannelMessage)
		edited.Code.Value, edited.Content, edited.UpdateTime = chat.CodeUpdate, `{"text":"edited"}`, up.UpdateTime
		wantPushed(t, edited, a, b)
		wantAck(t, up, edited)
		stored := proto.Clone(edited).(*api.ChannelMessage)
		stored.Code.Value = chat.CodeChat // the history keeps the original code
		wantMessage(t, "stored message", f.history(t, alice, room)[0], stored)
	})

	t.Run("remove", func(t *testing.T) {
		_, err := f.chat.Remove(ctx, b.Session, room.ID, ack.MessageId)
		wantErr(t, err, chat.ErrNoRemove)
		_, err = f.chat.Remove(ctx, c.Session, room.ID, ack.MessageId)
		wantErr(t, err, chat.ErrNotJoinedDrop)
		_, err = f.chat.Remove(ctx, a.Session, room.ID, "m1")
		wantErr(t, err, chat.ErrMessageID)
		_, err = f.chat.Remove(ctx, a.Session, "2...", ack.MessageId)
		wantErr(t, err, chat.ErrChannelID)

		rm, err := f.chat.Remove(ctx, a.Session, room.ID, ack.MessageId)
		wantErr(t, err, nil)
		removed := proto.Clone(want).(*api.ChannelMessage)
		removed.Code.Value, removed.Content, removed.UpdateTime = chat.CodeRemove, "{}", rm.UpdateTime
		wantPushed(t, removed, a, b)
		wantAck(t, rm, removed)
		if h := f.history(t, alice, room); len(h) != 0 {
			t.Fatalf("history after the remove: %v", h)
		}
		_, err = f.chat.Remove(ctx, a.Session, room.ID, ack.MessageId)
		wantErr(t, err, chat.ErrNoRemove)
	})
}

func TestMessagesWithoutPersistence(t *testing.T) {
	f := newFixture(t)
	alice, bob := f.newUser(t, "alice"), f.newUser(t, "bob")
	a, b := f.connect(alice), f.connect(bob)
	room := chat.Room("ephemeral")
	f.join(t, a, room.Stream.Label, chat.TypeRoom)
	f.join(t, b, room.Stream.Label, chat.TypeRoom, transient)
	a.rec.take(t)
	b.rec.take(t)
	ctx := t.Context()

	ack, err := f.chat.Send(ctx, b.Session, room.ID, `{"n":1}`)
	wantErr(t, err, nil)
	if ack.Persistent.GetValue() {
		t.Fatal("a message of a presence without persistence is persistent")
	}
	if got := pushed(t, a); len(got) != 1 || got[0].Persistent.GetValue() {
		t.Fatalf("alice received %v", got)
	}
	if h := f.history(t, alice, room); len(h) != 0 {
		t.Fatalf("history holds %v", h)
	}
	// Without persistence an update or remove is passed on unchecked.
	stored, err := f.chat.Send(ctx, a.Session, room.ID, `{"n":2}`)
	wantErr(t, err, nil)
	up, err := f.chat.Update(ctx, b.Session, room.ID, stored.MessageId, `{"n":3}`)
	wantErr(t, err, nil)
	if up.Code.GetValue() != chat.CodeUpdate || up.Persistent.GetValue() {
		t.Fatalf("ack %v", up)
	}
	_, err = f.chat.Remove(ctx, b.Session, room.ID, runtime.NewUUID().String())
	wantErr(t, err, nil)
	if h := f.history(t, alice, room); len(h) != 1 || h[0].Content != `{"n":2}` {
		t.Fatalf("history holds %v, want alice's message unchanged", h)
	}
}

func TestStoreFailures(t *testing.T) {
	f := newFixture(t)
	a := f.connect(f.newUser(t, "alice"))
	room := chat.Room("lobby")
	f.join(t, a, "lobby", chat.TypeRoom)
	ack, err := f.chat.Send(t.Context(), a.Session, room.ID, `{}`)
	wantErr(t, err, nil)
	a.rec.take(t)
	f.store.fail = true
	for what, err := range map[string]error{
		"Could not persist message to channel history": func() error {
			_, err := f.chat.Send(t.Context(), a.Session, room.ID, `{}`)
			return err
		}(),
		"Could not persist message update to channel history": func() error {
			_, err := f.chat.Update(t.Context(), a.Session, room.ID, ack.MessageId, `{}`)
			return err
		}(),
		"Could not persist message remove to channel history": func() error {
			_, err := f.chat.Remove(t.Context(), a.Session, room.ID, ack.MessageId)
			return err
		}(),
	} {
		wantErr(t, err, errDown)
		if code, msg := runtime.CodeOf(err), publicMessage(err); code != runtime.Internal || msg != what {
			t.Fatalf("error %v: code %d, message %q; want Internal, %q", err, code, msg, what)
		}
	}
	wantEvents(t, "alice", a) // nothing pushed
}

// publicMessage is the message a client sees for err.
func publicMessage(err error) string {
	var e *runtime.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Message
}
