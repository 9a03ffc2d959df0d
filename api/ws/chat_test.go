package ws

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
)

// memMessages is an in-memory runtime.MessageStore (listing unused here).
type memMessages struct {
	mu sync.Mutex
	m  map[string]runtime.ChannelMessage
}

func (s *memMessages) AddMessage(_ context.Context, m runtime.ChannelMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[m.ID] = m
	return nil
}

func (s *memMessages) change(m runtime.ChannelMessage, remove bool) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.m[m.ID]
	if !ok || old.SenderID != m.SenderID || old.ChannelID != m.ChannelID {
		return time.Time{}, runtime.ErrNotFound
	}
	if remove {
		delete(s.m, m.ID)
	} else {
		old.Content = m.Content
		s.m[m.ID] = old
	}
	return old.CreateTime, nil
}

func (s *memMessages) UpdateMessage(_ context.Context, m runtime.ChannelMessage) (time.Time, error) {
	return s.change(m, false)
}

func (s *memMessages) RemoveMessage(_ context.Context, channelID, id, sender string) (time.Time, error) {
	return s.change(runtime.ChannelMessage{ChannelID: channelID, ID: id, SenderID: sender}, true)
}

func (s *memMessages) ListMessages(context.Context, runtime.MessageList) (runtime.MessagePage, error) {
	return runtime.MessagePage{}, nil
}

// memNotifications is a runtime.NotificationStore that keeps nothing.
type memNotifications struct{}

func (memNotifications) AddNotifications(context.Context, []runtime.Notification) error { return nil }
func (memNotifications) ListNotifications(_ context.Context, _ string, _ int, c string) ([]runtime.Notification, string, error) {
	return nil, c, nil
}
func (memNotifications) DeleteNotifications(context.Context, string, []string) error { return nil }

// newChatServer is newServer with chat.
func newChatServer(t *testing.T) *server {
	t.Helper()
	tokens, err := auth.New(context.Background(), auth.Config{
		SessionKey: "s", RefreshKey: "r", TokenExpiry: time.Hour, RefreshExpiry: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	sessions := session.NewRegistry()
	router := session.NewRouter(wire.Codec{}, nil)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	st := status.New(tracker, router, noUsers{})
	chats := chat.New(chat.Deps{Tracker: tracker, Router: router, Store: &memMessages{m: map[string]runtime.ChannelMessage{}},
		Users: noUsers{}, Notify: notify.New(memNotifications{}, tracker, router)})
	h, err := New(Deps{
		Config: Config{}, Tokens: tokens, Sessions: sessions, Tracker: tracker, Router: router, Status: st,
		Pipeline: NewPipeline(PipelineDeps{Router: router, Relayed: match.NewRelayed(tracker, router), Status: st, Chat: chats}),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		hs.Close()
	})
	return &server{t: t, url: "ws" + strings.TrimPrefix(hs.URL, "http"), tokens: tokens, handler: h,
		sessions: sessions, tracker: tracker}
}

func TestChannelMessagesWithoutChat(t *testing.T) {
	s := newServer(t, Config{})
	c := s.connect(session.JSON)
	c.send(&rtapi.Envelope{Cid: "1", Message: &rtapi.Envelope_ChannelJoin{ChannelJoin: &rtapi.ChannelJoin{Target: "lobby"}}})
	env := c.recv()
	if env.Cid != "1" || env.GetError().GetCode() != int32(rtapi.Error_UNRECOGNIZED_PAYLOAD) {
		t.Fatalf("reply %v, want an unrecognized payload error", env)
	}
	if code := c.closeCode(); code != closeUnsupported {
		t.Fatalf("close code %d, want %d", code, closeUnsupported)
	}
}

func TestChannelMessages(t *testing.T) {
	for _, format := range []session.Format{session.JSON, session.Protobuf} {
		t.Run(format.String(), func(t *testing.T) {
			s := newChatServer(t)
			alice, bob := s.connect(format), s.connect(format)
			room := chat.Room("lobby").ID
			join := func(c *client, cid string) *rtapi.Channel {
				t.Helper()
				c.send(&rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_ChannelJoin{ChannelJoin: &rtapi.ChannelJoin{
					Target: "lobby", Type: chat.TypeRoom, Hidden: wrapperspb.Bool(false)}}})
				env := c.recv()
				if env.Cid != cid || env.GetChannel().GetId() != room {
					t.Fatalf("join reply %v", env)
				}
				return env.GetChannel()
			}
			join(alice, "1")
			alice.recvUntil(func(e *rtapi.Envelope) bool { return e.GetChannelPresenceEvent() != nil })
			if got := join(bob, "1"); len(got.Presences) != 1 {
				t.Fatalf("bob's reply lists %v, want alice", got.Presences)
			}
			ev := alice.recvUntil(func(e *rtapi.Envelope) bool { return e.GetChannelPresenceEvent() != nil })
			if p := ev.GetChannelPresenceEvent(); p.RoomName != "lobby" || len(p.Joins) != 1 || ev.Cid != "" {
				t.Fatalf("presence event %v", ev)
			}

			alice.send(&rtapi.Envelope{Cid: "2", Message: &rtapi.Envelope_ChannelMessageSend{
				ChannelMessageSend: &rtapi.ChannelMessageSend{ChannelId: room, Content: `{"hi":1}`}}})
			push := alice.recv() // the push comes before the ack, as in Nakama
			ack := alice.recv()
			if push.Cid != "" || push.GetChannelMessage().GetContent() != `{"hi":1}` {
				t.Fatalf("push %v", push)
			}
			id := ack.GetChannelMessageAck().GetMessageId()
			if ack.Cid != "2" || id != push.GetChannelMessage().GetMessageId() || !ack.GetChannelMessageAck().GetPersistent().GetValue() {
				t.Fatalf("ack %v", ack)
			}
			got := bob.recvUntil(func(e *rtapi.Envelope) bool { return e.GetChannelMessage() != nil })
			if got.GetChannelMessage().GetMessageId() != id {
				t.Fatalf("bob received %v", got)
			}

			cases := []struct {
				cid  string
				from *client
				env  *rtapi.Envelope
				want string
			}{
				{"3", bob, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelMessageUpdate{ChannelMessageUpdate: &rtapi.ChannelMessageUpdate{
					ChannelId: room, MessageId: id, Content: `{}`}}}, "Could not find message to update in channel history"},
				{"4", bob, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelMessageRemove{ChannelMessageRemove: &rtapi.ChannelMessageRemove{
					ChannelId: room, MessageId: id}}}, "Could not find message to remove in channel history"},
				{"5", bob, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelMessageSend{ChannelMessageSend: &rtapi.ChannelMessageSend{
					ChannelId: "2...elsewhere", Content: `{}`}}}, "Must join channel before sending messages"},
				{"6", bob, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelLeave{ChannelLeave: &rtapi.ChannelLeave{ChannelId: "x"}}},
					"Invalid channel identifier"},
				{"7", bob, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelJoin{ChannelJoin: &rtapi.ChannelJoin{
					Target: runtime.NewUUID().String(), Type: chat.TypeGroup}}}, "Group not found: Invalid channel target"},
			}
			for _, c := range cases {
				c.env.Cid = c.cid
				c.from.send(c.env)
				env := c.from.recv()
				if e := env.GetError(); env.Cid != c.cid || e.GetCode() != int32(rtapi.Error_BAD_INPUT) || e.GetMessage() != c.want {
					t.Fatalf("cid %s: reply %v, want BAD_INPUT %q", c.cid, env, c.want)
				}
			}

			for _, env := range []*rtapi.Envelope{
				{Cid: "8", Message: &rtapi.Envelope_ChannelMessageUpdate{ChannelMessageUpdate: &rtapi.ChannelMessageUpdate{
					ChannelId: room, MessageId: id, Content: `{"hi":2}`}}},
				{Cid: "9", Message: &rtapi.Envelope_ChannelMessageRemove{ChannelMessageRemove: &rtapi.ChannelMessageRemove{
					ChannelId: room, MessageId: id}}},
			} {
				alice.send(env)
				ack := alice.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == env.Cid })
				if ack.GetChannelMessageAck().GetMessageId() != id {
					t.Fatalf("cid %s: reply %v", env.Cid, ack)
				}
			}

			bob.send(&rtapi.Envelope{Cid: "10", Message: &rtapi.Envelope_ChannelLeave{ChannelLeave: &rtapi.ChannelLeave{ChannelId: room}}})
			if env := bob.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "10" }); env.Message != nil {
				t.Fatalf("leave reply %v, want an empty ack", env)
			}
			alice.recvUntil(func(e *rtapi.Envelope) bool { return len(e.GetChannelPresenceEvent().GetLeaves()) == 1 })
		})
	}
}
