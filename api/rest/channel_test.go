package rest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/api/rest"
	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

// chatFixture is the REST API with notifications and chat histories.
type chatFixture struct {
	*fixture
	store  *sqlite.Store
	notify *notify.Service
}

func newChatFixture(t *testing.T) *chatFixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "arbiter.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	tokens, err := auth.New(ctx, auth.Config{
		SessionKey: sessionKey, RefreshKey: refreshKey, TokenExpiry: time.Minute, RefreshExpiry: time.Hour, Store: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	tracker := session.NewTracker(nil)
	router := session.NewRouter(wire.Codec{}, nil)
	notifications := notify.New(store, tracker, router)
	h := rest.New(rest.Deps{
		Accounts:      account.New(account.Deps{Identities: store, Accounts: store, Tokens: tokens, BcryptCost: 4}),
		Tokens:        tokens,
		ServerKey:     serverKey,
		Notifications: notifications,
		Chat: chat.New(chat.Deps{Tracker: tracker, Router: router, Store: store, Users: store,
			Notify: notifications}),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &chatFixture{fixture: &fixture{t: t, srv: srv, tokens: tokens}, store: store, notify: notifications}
}

// get sends an authenticated GET.
func (f *chatFixture) get(u user, path string) reply {
	f.t.Helper()
	return f.do(req{method: "GET", path: path, auth: []string{bearer(u.token)}})
}

// wantError fails the test unless r is Nakama's error body with status,
// code and message.
func wantError(t *testing.T, r reply, status int, code runtime.Code, message string) {
	t.Helper()
	if r.status != status || runtime.Code(num(r.body["code"])) != code || str(r.body["message"]) != message {
		t.Fatalf("got %d %s, want %d code %d %q", r.status, r.raw, status, code, message)
	}
}

// ids returns the values of key in each object of a list.
func ids(list any, key string) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		out = append(out, str(m[key]))
	}
	return out
}

func TestChannelHistoryAPI(t *testing.T) {
	f := newChatFixture(t)
	alice, bob, carol := f.newUser(), f.newUser(), f.newUser()
	room, dm := chat.Room("a/b c"), chat.DM(alice.id, bob.id)
	base := time.Now().UTC().Truncate(time.Microsecond)
	var roomIDs []string
	for i := range 3 {
		for _, ch := range []chat.Channel{room, dm} {
			m := runtime.ChannelMessage{ChannelID: ch.ID, ID: runtime.NewUUID().String(), SenderID: alice.id, Username: "alice",
				Content: fmt.Sprintf(`{"i":%d}`, i), CreateTime: base.Add(time.Duration(i) * time.Second)}
			m.UpdateTime = m.CreateTime
			if err := f.store.AddMessage(t.Context(), m); err != nil {
				t.Fatal(err)
			}
			if ch == room {
				roomIDs = append(roomIDs, m.ID)
			}
		}
	}
	path := func(ch chat.Channel, q string) string { return "/v2/channel/" + url.PathEscape(ch.ID) + "?" + q }

	first := f.get(carol, path(room, ""))
	if got := ids(first.body["messages"], "message_id"); fmt.Sprint(got) != fmt.Sprint(roomIDs[:1]) {
		t.Fatalf("default listing %s", first.raw)
	}
	m := first.body["messages"].([]any)[0].(map[string]any)
	if m["room_name"] != "a/b c" || m["channel_id"] != room.ID || m["persistent"] != true || m["code"] != float64(0) ||
		m["content"] != `{"i":0}` || m["sender_id"] != alice.id {
		t.Fatalf("message %v", m)
	}
	next := f.get(carol, path(room, "limit=5&cursor="+url.QueryEscape(str(first.body["next_cursor"]))))
	if got := ids(next.body["messages"], "message_id"); fmt.Sprint(got) != fmt.Sprint(roomIDs[1:]) || next.body["prev_cursor"] == nil {
		t.Fatalf("second page %s", next.raw)
	}
	back := f.get(carol, path(room, "limit=5&forward=false"))
	if got := ids(back.body["messages"], "message_id"); fmt.Sprint(got) != fmt.Sprint([]string{roomIDs[2], roomIDs[1], roomIDs[0]}) {
		t.Fatalf("backward listing %s", back.raw)
	}
	for _, u := range []user{alice, bob} {
		if got := ids(f.get(u, path(dm, "limit=10")).body["messages"], "message_id"); len(got) != 3 {
			t.Fatalf("a user of the direct message lists %v", got)
		}
	}

	invalidLimit := "Invalid limit - limit must be between 1 and 100."
	for _, c := range []struct {
		path    string
		message string
	}{
		{path(dm, "limit=10"), "Channel not found."},
		{"/v2/channel/lobby", "Invalid channel ID."},
		{path(chat.Group(runtime.NewUUID().String()), ""), "Group not found."},
		{path(room, "limit=0"), invalidLimit},
		{path(room, "limit=101"), invalidLimit},
		{path(room, "cursor=nope"), "Cursor is invalid or expired."},
		{path(room, "forward=false&cursor="+url.QueryEscape(str(first.body["next_cursor"]))), "Cursor is invalid or expired."},
		{path(room, "forward=maybe"), `Invalid forward value: "maybe".`},
	} {
		wantError(t, f.get(carol, c.path), 400, runtime.InvalidArgument, c.message)
	}
}

func TestRoutesNeedTheirServices(t *testing.T) {
	f := newFixture(t)
	u := f.newUser()
	for _, r := range []req{
		{method: "GET", path: "/v2/notification"},
		{method: "DELETE", path: "/v2/notification?ids=x"},
		{method: "GET", path: "/v2/channel/2...lobby"},
	} {
		r.auth = []string{bearer(u.token)}
		wantError(t, f.do(r), 404, runtime.NotFound, "Not Found")
	}
}
