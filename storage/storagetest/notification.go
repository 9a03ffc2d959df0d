package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// baseTime is a fixed instant with microseconds, the stores' precision.
var baseTime = time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC)

// notification returns a notification for user created at baseTime plus
// sec seconds.
func notification(user string, sec int, subject string) runtime.Notification {
	return runtime.Notification{
		ID: newID(), UserID: user, Subject: subject, Content: fmt.Sprintf(`{"n":%d,"s":"ü🎮"}`, sec),
		Code: sec + 1, SenderID: "sender-" + newID(), CreateTime: baseTime.Add(time.Duration(sec) * time.Second),
	}
}

// listed returns ns as ListNotifications returns them.
func listed(ns ...runtime.Notification) []runtime.Notification {
	out := make([]runtime.Notification, len(ns))
	for i, n := range ns {
		n.Persistent = true
		out[i] = n
	}
	return out
}

// listNotifications lists every notification of user page by page from
// cursor, and returns them with the last cursor.
func listNotifications(t *testing.T, s Store, user string, limit int, cursor string) ([]runtime.Notification, string) {
	t.Helper()
	var out []runtime.Notification
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("listing does not end")
		}
		ns, next, err := s.ListNotifications(t.Context(), user, limit, cursor)
		wantErr(t, err, nil)
		if len(ns) > limit {
			t.Fatalf("page of %d notifications for limit %d", len(ns), limit)
		}
		if len(ns) == 0 {
			wantEqual(t, "cursor of an empty page", next, cursor)
			return out, cursor
		}
		out = append(out, ns...)
		cursor = next
	}
}

func testNotifications(t *testing.T, open Opener) {
	s := open(t)
	alice, bob := newID(), newID()
	a3 := notification(alice, 3, "third")
	a1 := notification(alice, 1, "first — ünïcødé 🎮")
	a2 := notification(alice, 2, "second")
	a2.SenderID = "" // from the server
	b1 := notification(bob, 1, "bob's")
	wantErr(t, s.AddNotifications(t.Context(), []runtime.Notification{a3, b1, a1}), nil)
	wantErr(t, s.AddNotifications(t.Context(), []runtime.Notification{a2}), nil)
	wantErr(t, s.AddNotifications(t.Context(), nil), nil)

	for _, limit := range []int{1, 2, 3, 100} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			got, _ := listNotifications(t, s, alice, limit, "")
			wantEqual(t, "alice's notifications", got, listed(a1, a2, a3))
		})
	}
	t.Run("same create time orders by id", func(t *testing.T) {
		carol := newID()
		x, y := notification(carol, 0, "x"), notification(carol, 0, "y")
		x.ID, y.ID = "b-"+newID(), "a-"+newID()
		wantErr(t, s.AddNotifications(t.Context(), []runtime.Notification{x, y}), nil)
		got, _ := listNotifications(t, s, carol, 1, "")
		wantEqual(t, "carol's notifications", got, listed(y, x))
	})
	t.Run("delete only the user's own", func(t *testing.T) {
		wantErr(t, s.DeleteNotifications(t.Context(), alice, []string{a1.ID, b1.ID, "unknown", a3.ID}), nil)
		wantErr(t, s.DeleteNotifications(t.Context(), alice, nil), nil)
		got, _ := listNotifications(t, s, alice, 10, "")
		wantEqual(t, "alice's notifications after delete", got, listed(a2))
		got, _ = listNotifications(t, s, bob, 10, "")
		wantEqual(t, "bob's notifications", got, listed(b1))
	})
	t.Run("none", func(t *testing.T) {
		ns, cursor, err := s.ListNotifications(t.Context(), "nobody-"+newID(), 10, "")
		wantErr(t, err, nil)
		if len(ns) != 0 || cursor != "" {
			t.Fatalf("listing of a user without notifications = %v, cursor %q", ns, cursor)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, n := range []runtime.Notification{{UserID: alice}, {ID: newID()}} {
			wantCode(t, s.AddNotifications(t.Context(), []runtime.Notification{notification(alice, 9, "ok"), n}),
				runtime.InvalidArgument)
		}
		got, _ := listNotifications(t, s, alice, 10, "")
		wantEqual(t, "alice's notifications after invalid adds", got, listed(a2))
	})
}

// testNotificationBatches checks that a batch is stored whole or not at
// all, however large.
func testNotificationBatches(t *testing.T, open Opener) {
	s := open(t)
	for _, size := range []int{1, 2, 7, 8, 9, 17, 1201} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			user := newID()
			ns := make([]runtime.Notification, size)
			for i := range ns {
				ns[i] = notification(user, i, fmt.Sprint(i))
			}
			// A duplicate id as the last one fails the batch, and nothing is kept.
			dup := append(append([]runtime.Notification(nil), ns...), ns[0])
			dup[size].CreateTime = dup[size].CreateTime.Add(time.Hour)
			if err := s.AddNotifications(t.Context(), dup); err == nil {
				t.Fatal("a batch with a duplicate id was stored")
			}
			got, _ := listNotifications(t, s, user, 100, "")
			wantEqual(t, "notifications after a failed batch", len(got), 0)

			wantErr(t, s.AddNotifications(t.Context(), ns), nil)
			got, _ = listNotifications(t, s, user, 100, "")
			wantEqual(t, "notifications", got, listed(ns...))
		})
	}
}

// testNotificationCursor checks the cacheable cursor: it points at the last
// notification listed, so listing with it returns only newer ones.
func testNotificationCursor(t *testing.T, open Opener) {
	s := open(t)
	user := newID()
	first := []runtime.Notification{notification(user, 1, "a"), notification(user, 2, "b")}
	wantErr(t, s.AddNotifications(t.Context(), first), nil)
	got, cursor := listNotifications(t, s, user, 1, "")
	wantEqual(t, "first listing", got, listed(first...))
	if cursor == "" {
		t.Fatal("no cacheable cursor after a listing")
	}
	ns, again, err := s.ListNotifications(t.Context(), user, 10, cursor)
	wantErr(t, err, nil)
	if len(ns) != 0 || again != cursor {
		t.Fatalf("listing after the last one = %v, cursor %q; want none and %q", ns, again, cursor)
	}
	later := notification(user, 3, "c")
	wantErr(t, s.AddNotifications(t.Context(), []runtime.Notification{later}), nil)
	got, _ = listNotifications(t, s, user, 10, cursor)
	wantEqual(t, "listing with the cacheable cursor", got, listed(later))

	t.Run("invalid cursor", func(t *testing.T) {
		for _, c := range []string{"%%%", "bm90IGpzb24", "W10", "not a cursor"} {
			_, _, err := s.ListNotifications(t.Context(), user, 10, c)
			wantErr(t, err, runtime.ErrBadCursor)
		}
	})
}
