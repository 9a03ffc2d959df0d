package rest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestNotificationsAPI(t *testing.T) {
	f := newChatFixture(t)
	u, other := f.newUser(), f.newUser()
	ns := []runtime.Notification{
		{UserID: u.id, Subject: "one", Content: `{"n":1}`, Code: 1, Persistent: true},
		{UserID: u.id, Subject: "two", Content: `{"n":2}`, Code: 2, SenderID: other.id, Persistent: true},
		{UserID: u.id, Subject: "three", Content: `{"n":3}`, Code: 3, Persistent: true},
		{UserID: other.id, Subject: "other's", Content: `{}`, Code: 4, Persistent: true},
	}
	if err := f.notify.Send(t.Context(), ns); err != nil {
		t.Fatal(err)
	}

	first := f.get(u, "/v2/notification?")
	if got := ids(first.body["notifications"], "id"); len(got) != 1 || got[0] != ns[0].ID {
		t.Fatalf("default listing %s, want the first notification only", first.raw)
	}
	all := f.get(u, "/v2/notification?limit=10&")
	if got := ids(all.body["notifications"], "id"); fmt.Sprint(got) != fmt.Sprint([]string{ns[0].ID, ns[1].ID, ns[2].ID}) {
		t.Fatalf("listing %s", all.raw)
	}
	n := all.body["notifications"].([]any)[1].(map[string]any)
	want := map[string]any{"id": ns[1].ID, "subject": "two", "content": `{"n":2}`, "code": float64(2),
		"sender_id": other.id, "persistent": true, "create_time": n["create_time"]}
	if fmt.Sprint(n) != fmt.Sprint(want) || str(n["create_time"]) == "" {
		t.Fatalf("notification %v, want %v", n, want)
	}
	cursor := str(all.body["cacheable_cursor"])
	caughtUp := f.get(u, "/v2/notification?limit=10&cacheable_cursor="+url.QueryEscape(cursor))
	if len(caughtUp.body) != 1 || str(caughtUp.body["cacheable_cursor"]) != cursor {
		t.Fatalf("listing after the cursor = %s, want only the cursor back", caughtUp.raw)
	}

	del := f.do(req{method: "DELETE", auth: []string{bearer(u.token)},
		path: "/v2/notification?ids=" + ns[0].ID + "&ids=" + ns[2].ID + "&ids=" + ns[3].ID + "&"})
	if del.status != http.StatusOK || len(del.body) != 0 {
		t.Fatalf("delete answered %d %s", del.status, del.raw)
	}
	if got := ids(f.get(u, "/v2/notification?limit=10").body["notifications"], "id"); fmt.Sprint(got) != fmt.Sprint([]string{ns[1].ID}) {
		t.Fatalf("after the delete: %v", got)
	}
	if got := ids(f.get(other, "/v2/notification?limit=10").body["notifications"], "id"); len(got) != 1 {
		t.Fatalf("another user's notification was deleted: %v", got)
	}

	invalidLimit := "Invalid limit - limit must be between 1 and 100."
	for _, q := range []string{"limit=0", "limit=101", "limit=-1", "limit=ten"} {
		wantError(t, f.get(u, "/v2/notification?"+q), 400, runtime.InvalidArgument, invalidLimit)
	}
	wantError(t, f.get(u, "/v2/notification?cacheable_cursor=nope"), 400, runtime.InvalidArgument, "Malformed cursor was used.")
	wantError(t, f.do(req{method: "DELETE", path: "/v2/notification?ids=nope", auth: []string{bearer(u.token)}}),
		400, runtime.InvalidArgument, "Invalid notification ID.")
	wantError(t, f.do(req{method: "GET", path: "/v2/notification"}), 401, runtime.Unauthenticated, "Auth token required")
}
