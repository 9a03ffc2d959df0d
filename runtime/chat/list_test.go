package chat_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/chat"
)

func TestDirectMessages(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := f.newUser(t, "alice"), f.newUser(t, "bob"), f.newUser(t, "carol")
	a, b := f.connect(alice), f.connect(bob)
	dm := chat.DM(alice.id, bob.id)
	ctx := t.Context()

	// Alice joins: bob, online but not in the chat, is asked live and the
	// request is kept for him.
	got := f.join(t, a, bob.id, chat.TypeDM)
	one, two := dm.Stream.Subject, dm.Stream.Subcontext
	if got.Id != dm.ID || got.UserIdOne != one || got.UserIdTwo != two || got.RoomName != "" {
		t.Fatalf("reply %v", got)
	}
	envs := b.rec.take(t)
	if len(envs) != 1 || len(envs[0].GetNotifications().GetNotifications()) != 1 {
		t.Fatalf("bob received %v, want one notification", envs)
	}
	live := envs[0].GetNotifications().GetNotifications()[0]
	var content map[string]string
	if err := json.Unmarshal([]byte(live.Content), &content); err != nil || content["username"] != "alice" {
		t.Fatalf("request content %q", live.Content)
	}
	if live.Code != chat.CodeDMRequest || live.Subject != "alice wants to chat" || live.SenderId != alice.id || !live.Persistent {
		t.Fatalf("request %v", live)
	}
	stored, _, err := f.notify.List(ctx, bob.id, 10, "")
	wantErr(t, err, nil)
	if len(stored) != 1 || stored[0].ID != live.Id {
		t.Fatalf("bob's stored notifications %+v, want the request", stored)
	}

	// Bob joins: alice is in the chat, so she gets his join, not a request.
	f.join(t, b, alice.id, chat.TypeDM)
	for _, env := range a.rec.take(t) {
		if env.GetNotifications() != nil {
			t.Fatalf("alice was asked to a chat she is in: %v", env)
		}
	}
	_, err = f.chat.Send(ctx, b.Session, dm.ID, `{"hi":"alice"}`)
	wantErr(t, err, nil)
	if m := pushed(t, a); len(m) != 1 || m[0].UserIdOne != one || m[0].UserIdTwo != two || m[0].SenderId != bob.id {
		t.Fatalf("alice received %v", m)
	}

	// Only the two users read the history.
	for _, u := range []user{alice, bob} {
		if h := f.history(t, u, dm); len(h) != 1 {
			t.Fatalf("%s reads %v", u.name, h)
		}
	}
	_, err = f.chat.List(ctx, carol.id, dm.ID, 10, true, "")
	wantErr(t, err, chat.ErrListChannel)

	// The request is stored before the join is answered, and a hidden
	// presence of the other user does not count as being in the chat.
	erin := f.newUser(t, "erin")
	e := f.connect(erin)
	f.join(t, e, carol.id, chat.TypeDM, hidden)
	err = f.chat.Join(ctx, f.connect(carol).Session, &rtapi.ChannelJoin{Target: erin.id, Type: chat.TypeDM},
		func(*rtapi.Channel) {
			ns, _, err := f.notify.List(ctx, erin.id, 10, "")
			if err != nil || len(ns) != 1 || ns[0].SenderID != carol.id {
				t.Errorf("when carol's join is answered, erin's notifications are %+v, %v", ns, err)
			}
		})
	wantErr(t, err, nil)

	// An offline user's request waits for them.
	dave := f.newUser(t, "dave")
	f.join(t, f.connect(carol), dave.id, chat.TypeDM)
	stored, _, err = f.notify.List(ctx, dave.id, 10, "")
	wantErr(t, err, nil)
	if len(stored) != 1 || stored[0].Subject != "carol wants to chat" || stored[0].SenderID != carol.id {
		t.Fatalf("dave's stored notifications %+v, want carol's request", stored)
	}
}

func TestList(t *testing.T) {
	f := newFixture(t)
	alice := f.newUser(t, "alice")
	a := f.connect(alice)
	room := chat.Room("history")
	f.join(t, a, "history", chat.TypeRoom)
	var sent []string
	for i := range 5 {
		ack, err := f.chat.Send(t.Context(), a.Session, room.ID, fmt.Sprintf(`{"n":%d}`, i))
		wantErr(t, err, nil)
		sent = append(sent, ack.MessageId)
	}
	ctx := t.Context()
	outsider := f.newUser(t, "outsider") // rooms are open, joined or not
	ids := func(ms []*api.ChannelMessage) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.MessageId)
		}
		return out
	}
	l, err := f.chat.List(ctx, outsider.id, room.ID, 2, true, "")
	wantErr(t, err, nil)
	if got := ids(l.Messages); fmt.Sprint(got) != fmt.Sprint(sent[:2]) || l.NextCursor == "" || l.PrevCursor != "" ||
		l.CacheableCursor == "" {
		t.Fatalf("first page %v (cursors %q %q %q)", got, l.NextCursor, l.PrevCursor, l.CacheableCursor)
	}
	l, err = f.chat.List(ctx, outsider.id, room.ID, 2, true, l.NextCursor)
	wantErr(t, err, nil)
	if got := ids(l.Messages); fmt.Sprint(got) != fmt.Sprint(sent[2:4]) || l.PrevCursor == "" {
		t.Fatalf("second page %v", got)
	}
	for _, m := range l.Messages {
		if !m.Persistent.GetValue() || m.RoomName != "history" || m.ChannelId != room.ID {
			t.Fatalf("listed %v", m)
		}
	}
	l, err = f.chat.List(ctx, outsider.id, room.ID, 10, false, "")
	wantErr(t, err, nil)
	if got := ids(l.Messages); fmt.Sprint(got) != fmt.Sprint([]string{sent[4], sent[3], sent[2], sent[1], sent[0]}) {
		t.Fatalf("backward %v", got)
	}

	group := runtime.NewUUID().String()
	f.groups[group+"/"+alice.id] = true
	for _, tc := range []struct {
		name, channel string
		limit         int
		forward       bool
		cursor        string
		want          error
	}{
		{"bad channel", "history", 1, true, "", chat.ErrListChannelID},
		{"limit 0", room.ID, 0, true, "", chat.ErrListLimit},
		{"limit 101", room.ID, 101, true, "", chat.ErrListLimit},
		{"bad cursor", room.ID, 1, true, "nope", chat.ErrListCursor},
		{"cursor of the other direction", room.ID, 1, false, l.CacheableCursor, chat.ErrListCursor},
		{"group, not a member", chat.Group(runtime.NewUUID().String()).ID, 1, true, "", chat.ErrListGroup},
		{"group member", chat.Group(group).ID, 1, true, "", nil},
		{"empty room", chat.Room("empty").ID, 1, true, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.chat.List(ctx, alice.id, tc.channel, tc.limit, tc.forward, tc.cursor)
			wantErr(t, err, tc.want)
		})
	}
}
