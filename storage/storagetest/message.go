package storagetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// message returns a message of a channel created at baseTime plus sec
// seconds.
func message(channel, sender string, sec int) runtime.ChannelMessage {
	at := baseTime.Add(time.Duration(sec) * time.Second)
	return runtime.ChannelMessage{
		ChannelID: channel, ID: newID(), SenderID: sender, Username: "name-" + sender,
		Content: fmt.Sprintf(`{"n":%d,"text":"héllo 🎮"}`, sec), CreateTime: at, UpdateTime: at,
	}
}

// addMessages stores ms and returns them as listings return them.
func addMessages(t *testing.T, s Store, ms ...runtime.ChannelMessage) []runtime.ChannelMessage {
	t.Helper()
	out := make([]runtime.ChannelMessage, len(ms))
	for i, m := range ms {
		wantErr(t, s.AddMessage(t.Context(), m), nil)
		m.Persistent = true
		out[i] = m
	}
	return out
}

// listMessages lists one page and fails the test on error.
func listMessages(t *testing.T, s Store, q runtime.MessageList) runtime.MessagePage {
	t.Helper()
	p, err := s.ListMessages(t.Context(), q)
	wantErr(t, err, nil)
	if len(p.Messages) > q.Limit {
		t.Fatalf("page of %d messages for limit %d", len(p.Messages), q.Limit)
	}
	return p
}

// reversed returns a reversed copy of ms.
func reversed(ms []runtime.ChannelMessage) []runtime.ChannelMessage {
	out := slices.Clone(ms)
	slices.Reverse(out)
	return out
}

func testMessages(t *testing.T, open Opener) {
	s := open(t)
	room, dm := "2...lobby-"+newID(), "4."+newID()+"."+newID()+"."
	alice, bob := newID(), newID()
	m2 := message(room, bob, 2)
	m2.Code = 7
	ms := addMessages(t, s, message(room, alice, 3), message(dm, alice, 1), message(room, alice, 1), m2)
	wantRoom := []runtime.ChannelMessage{ms[2], ms[3], ms[0]}
	for _, forward := range []bool{true, false} {
		t.Run(fmt.Sprintf("forward=%v", forward), func(t *testing.T) {
			p := listMessages(t, s, runtime.MessageList{ChannelID: room, Limit: 10, Forward: forward})
			want := wantRoom
			if !forward {
				want = reversed(wantRoom)
			}
			wantEqual(t, "messages", p.Messages, want)
			if p.Next != "" || p.Prev != "" || p.Cacheable == "" {
				t.Fatalf("cursors of a whole listing: next %q prev %q cacheable %q", p.Next, p.Prev, p.Cacheable)
			}
		})
	}
	t.Run("same create time orders by id", func(t *testing.T) {
		ch := "2...same-" + newID()
		x, y := message(ch, alice, 0), message(ch, alice, 0)
		x.ID, y.ID = "b-"+newID(), "a-"+newID()
		got := addMessages(t, s, x, y)
		p := listMessages(t, s, runtime.MessageList{ChannelID: ch, Limit: 10, Forward: true})
		wantEqual(t, "messages", p.Messages, []runtime.ChannelMessage{got[1], got[0]})
	})
	t.Run("other channels", func(t *testing.T) {
		p := listMessages(t, s, runtime.MessageList{ChannelID: dm, Limit: 10, Forward: true})
		wantEqual(t, "dm messages", p.Messages, []runtime.ChannelMessage{ms[1]})
		p = listMessages(t, s, runtime.MessageList{ChannelID: "2...empty", Limit: 10, Forward: true})
		if len(p.Messages) != 0 || p.Next != "" || p.Prev != "" || p.Cacheable != "" {
			t.Fatalf("listing of an empty channel = %+v", p)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, m := range []runtime.ChannelMessage{{ChannelID: room}, {ID: newID()}} {
			wantCode(t, s.AddMessage(t.Context(), m), runtime.InvalidArgument)
		}
		if err := s.AddMessage(t.Context(), ms[0]); err == nil {
			t.Fatal("a second message with the same id was stored")
		}
	})
}

func testMessageChanges(t *testing.T, open Opener) {
	s := open(t)
	room, other := "2...room-"+newID(), "2...other-"+newID()
	alice, bob := newID(), newID()
	ms := addMessages(t, s, message(room, alice, 1), message(room, bob, 2))
	later := baseTime.Add(time.Hour)
	update := func(m runtime.ChannelMessage, sender, channel string) runtime.ChannelMessage {
		m.SenderID, m.ChannelID, m.Content, m.Username, m.UpdateTime = sender, channel, `{"edited":"✓"}`, "renamed", later
		return m
	}
	cases := []struct {
		name string
		m    runtime.ChannelMessage
		want error
	}{
		{"by another user", update(ms[0], bob, room), runtime.ErrNotFound},
		{"in another channel", update(ms[0], alice, other), runtime.ErrNotFound},
		{"unknown message", update(runtime.ChannelMessage{ID: newID()}, alice, room), runtime.ErrNotFound},
		{"by the sender", update(ms[0], alice, room), nil},
	}
	for _, c := range cases {
		create, err := s.UpdateMessage(t.Context(), c.m)
		wantErr(t, err, c.want)
		if c.want == nil && !create.Equal(ms[0].CreateTime) {
			t.Fatalf("%s: create time %v, want %v", c.name, create, ms[0].CreateTime)
		}
	}
	edited := update(ms[0], alice, room)
	edited.Persistent = true
	p := listMessages(t, s, runtime.MessageList{ChannelID: room, Limit: 10, Forward: true})
	wantEqual(t, "messages after the update", p.Messages, []runtime.ChannelMessage{edited, ms[1]})

	for _, c := range []struct {
		name, channel, id, sender string
		want                      error
	}{
		{"by another user", room, ms[1].ID, alice, runtime.ErrNotFound},
		{"in another channel", other, ms[1].ID, bob, runtime.ErrNotFound},
		{"unknown message", room, newID(), bob, runtime.ErrNotFound},
		{"by the sender", room, ms[1].ID, bob, nil},
		{"again", room, ms[1].ID, bob, runtime.ErrNotFound},
	} {
		create, err := s.RemoveMessage(t.Context(), c.channel, c.id, c.sender)
		wantErr(t, err, c.want)
		if c.want == nil && !create.Equal(ms[1].CreateTime) {
			t.Fatalf("remove %s: create time %v, want %v", c.name, create, ms[1].CreateTime)
		}
	}
	p = listMessages(t, s, runtime.MessageList{ChannelID: room, Limit: 10, Forward: true})
	wantEqual(t, "messages after the remove", p.Messages, []runtime.ChannelMessage{edited})
}

// testMessagePages walks a channel's history page by page, both ways, with
// the next cursors and back with the previous ones.
func testMessagePages(t *testing.T, open Opener) {
	s := open(t)
	room := "2...pages-" + newID()
	var ms []runtime.ChannelMessage
	for i := range 7 {
		ms = append(ms, message(room, newID(), i))
	}
	all := addMessages(t, s, ms...)
	for _, forward := range []bool{true, false} {
		want := all
		if !forward {
			want = reversed(all)
		}
		for _, limit := range []int{1, 2, 3, 7, 8} {
			t.Run(fmt.Sprintf("forward=%v/limit=%d", forward, limit), func(t *testing.T) {
				walkPages(t, s, room, forward, limit, want)
			})
		}
	}
}

// walkPages lists a channel with next cursors to the end, checking each
// page against want, then back to the start with previous cursors.
func walkPages(t *testing.T, s Store, channel string, forward bool, limit int, want []runtime.ChannelMessage) {
	t.Helper()
	q := runtime.MessageList{ChannelID: channel, Limit: limit, Forward: forward}
	var pages []runtime.MessagePage
	for {
		p := listMessages(t, s, q)
		at := len(pages) * limit
		wantEqual(t, fmt.Sprintf("page %d", len(pages)), p.Messages, want[at:min(at+limit, len(want))])
		if len(pages) > 0 && p.Prev == "" {
			t.Fatalf("page %d has no previous cursor", len(pages))
		}
		pages = append(pages, p)
		if p.Next == "" {
			break
		}
		if len(pages) > len(want) {
			t.Fatal("listing does not end")
		}
		q.Cursor = p.Next
	}
	if n := (len(want) + limit - 1) / limit; len(pages) != n {
		t.Fatalf("%d pages, want %d", len(pages), n)
	}
	// Back from the last page: each previous cursor gives the page before,
	// whose next cursor leads forward again.
	for i := len(pages) - 1; i > 0; i-- {
		q.Cursor = pages[i].Prev
		p := listMessages(t, s, q)
		wantEqual(t, fmt.Sprintf("page %d listed back", i-1), p.Messages, pages[i-1].Messages)
		if (i-1 == 0) != (p.Prev == "") || p.Next == "" {
			t.Fatalf("page %d listed back has prev %q next %q", i-1, p.Prev, p.Next)
		}
		q.Cursor = p.Next
		wantEqual(t, fmt.Sprintf("page %d listed forward again", i), listMessages(t, s, q).Messages, pages[i].Messages)
	}
}

// testMessageCursors checks the cacheable cursor and the cursors the store
// refuses.
func testMessageCursors(t *testing.T, open Opener) {
	s := open(t)
	room, other := "2...cached-"+newID(), "2...other-"+newID()
	ms := addMessages(t, s, message(room, "a", 1), message(room, "b", 2), message(room, "c", 3), message(other, "d", 1))
	forward := runtime.MessageList{ChannelID: room, Limit: 2, Forward: true}
	backward := runtime.MessageList{ChannelID: room, Limit: 2, Forward: false}

	t.Run("cacheable", func(t *testing.T) {
		p := listMessages(t, s, forward)
		q := forward
		q.Cursor = p.Cacheable
		wantEqual(t, "after the first page's cacheable cursor", listMessages(t, s, q).Messages, ms[2:3])
		// A backward page's cacheable cursor lists, forward, what is newer
		// than its last (oldest) message.
		p = listMessages(t, s, backward)
		wantEqual(t, "newest first", p.Messages, []runtime.ChannelMessage{ms[2], ms[1]})
		q.Cursor = p.Cacheable
		wantEqual(t, "after a backward page's cacheable cursor", listMessages(t, s, q).Messages, ms[2:3])
		// At the end the cursor stays where it was, and a new message shows.
		q.Cursor = listMessages(t, s, runtime.MessageList{ChannelID: room, Limit: 10, Forward: true}).Cacheable
		end := listMessages(t, s, q)
		if len(end.Messages) != 0 || end.Cacheable != q.Cursor {
			t.Fatalf("listing past the end = %+v, want no messages and cacheable %q", end, q.Cursor)
		}
		newer := addMessages(t, s, message(room, "e", 4))
		wantEqual(t, "a new message", listMessages(t, s, q).Messages, newer)
	})
	t.Run("refused", func(t *testing.T) {
		next := listMessages(t, s, forward).Next
		otherNext := listMessages(t, s, runtime.MessageList{ChannelID: other, Limit: 1, Forward: true}).Cacheable
		for _, c := range []struct {
			name string
			q    runtime.MessageList
		}{
			{"not a cursor", runtime.MessageList{ChannelID: room, Limit: 2, Forward: true, Cursor: "not a cursor"}},
			{"not json", runtime.MessageList{ChannelID: room, Limit: 2, Forward: true, Cursor: "bm90IGpzb24"}},
			{"other direction", runtime.MessageList{ChannelID: room, Limit: 2, Forward: false, Cursor: next}},
			{"other channel", runtime.MessageList{ChannelID: room, Limit: 2, Forward: true, Cursor: otherNext}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.ListMessages(t.Context(), c.q)
				wantErr(t, err, runtime.ErrBadCursor)
			})
		}
	})
}
