package nk

import (
	"errors"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestNotificationSend(t *testing.T) {
	e := newEnv(t)
	to, from := runtime.NewUUID().String(), runtime.NewUUID().String()
	e.call(t, "notification_send", to, "hello", obj("a", int64(1)), int64(5))
	e.call(t, "notification_send", to, "again", []any{}, 7.0, from, true)
	e.call(t, "notification_send", to, "server", obj(), int64(1), runtime.NilUUID)
	sent := e.notifier.sent
	if len(sent) != 3 {
		t.Fatalf("sent %d", len(sent))
	}
	n := sent[0]
	if n.UserID != to || n.Subject != "hello" || n.Content != `{"a":1}` || n.Code != 5 || n.SenderID != "" ||
		n.Persistent || !runtime.ValidUUID(n.ID) || n.CreateTime.IsZero() {
		t.Fatalf("first = %+v", n)
	}
	if m := sent[1]; m.Content != "{}" || m.Code != 7 || m.SenderID != from || !m.Persistent {
		t.Fatalf("second = %+v", m)
	}
	if sent[2].SenderID != "" {
		t.Fatalf("nil UUID sender = %q, want the server", sent[2].SenderID)
	}
}

func TestNotificationSendErrors(t *testing.T) {
	e := newEnv(t)
	to := runtime.NewUUID().String()
	tests := []struct {
		args []any
		want string
	}{
		{[]any{"x", "s", obj(), int64(1)}, "bad argument #1 to notification_send (expects user_id to be a valid UUID)"},
		{[]any{to, "", obj(), int64(1)}, "bad argument #2 to notification_send (expects subject to be a non-empty string)"},
		{[]any{to, "s", "c", int64(1)}, "bad argument #3 to notification_send (table expected, got string)"},
		{[]any{to, "s", obj(), int64(0)}, "bad argument #4 to notification_send (expects code number to be a positive integer)"},
		{[]any{to, "s", obj(), nil}, "bad argument #4 to notification_send (integer expected, got nil)"},
		{[]any{to, "s", obj(), int64(1), "x"}, "bad argument #5 to notification_send (expects sender_id to either be not set, empty string or a valid UUID)"},
		{[]any{to, "s", obj(), int64(1), "", "yes"}, "bad argument #6 to notification_send (boolean expected, got string)"},
	}
	for _, tt := range tests {
		e.wantErr(t, tt.want, "notification_send", tt.args...)
	}
	e.notifier.err = errors.New("down")
	e.wantErr(t, "failed to send notifications: down", "notification_send", to, "s", obj(), int64(1))
}

func TestNotificationsSend(t *testing.T) {
	e := newEnv(t)
	to, from := runtime.NewUUID().String(), runtime.NewUUID().String()
	e.call(t, "notifications_send", []any{
		obj("user_id", to, "subject", "a", "content", obj("x", "y"), "code", int64(3)),
		obj("user_id", to, "subject", "b", "content", obj(), "code", 4.0, "sender_id", from, "persistent", true),
	})
	sent := e.notifier.sent
	if len(sent) != 2 || sent[0].Subject != "a" || sent[0].Content != `{"x":"y"}` || sent[1].SenderID != from || !sent[1].Persistent {
		t.Fatalf("sent = %+v", sent)
	}
	if sent[0].ID == sent[1].ID {
		t.Fatal("ids not distinct")
	}
	e.call(t, "notifications_send", []any{})
	// A table with keys is read whole, in key order.
	e.call(t, "notifications_send", map[string]any{
		"b": obj("user_id", to, "subject", "second", "content", obj(), "code", int64(1)),
		"a": obj("user_id", to, "subject", "first", "content", obj(), "code", int64(1)),
	})
	if sent := e.notifier.sent; len(sent) != 4 || sent[2].Subject != "first" || sent[3].Subject != "second" {
		t.Fatalf("sent = %+v", sent)
	}

	good := func(extra ...any) map[string]any {
		m := obj("user_id", to, "subject", "s", "content", obj(), "code", int64(1))
		for i := 0; i < len(extra); i += 2 {
			if extra[i+1] == nil {
				delete(m, extra[i].(string))
			} else {
				m[extra[i].(string)] = extra[i+1]
			}
		}
		return m
	}
	tests := []struct {
		elem any
		want string
	}{
		{"x", "expects a valid set of notifications"},
		{good("persistent", "y"), "expects persistent to be boolean"},
		{good("subject", int64(1)), "expects subject to be string"},
		{good("content", "c"), "expects content to be a table"},
		{good("code", "1"), "expects code to be number"},
		{good("code", int64(-1)), "expects code to number above 0"},
		{good("user_id", int64(1)), "expects user_id to be string"},
		{good("user_id", "nope"), "expects user_id to be a valid UUID"},
		{good("sender_id", int64(1)), "expects sender_id to be string"},
		{good("sender_id", "nope"), "expects sender_id to be a valid UUID"},
		{good("subject", ""), "expects subject to be provided and to be non-empty"},
		{good("content", nil), "expects content to be provided and be valid JSON"},
		{good("user_id", nil), "expects user_id to be provided and be a valid UUID"},
		{good("user_id", runtime.NilUUID), "expects user_id to be provided and be a valid UUID"},
		{good("code", nil), "expects code to be provided and be a number above 0"},
	}
	for _, tt := range tests {
		e.wantErr(t, "bad argument #1 to notifications_send ("+tt.want+")", "notifications_send", []any{tt.elem})
	}
}

func TestNotificationsWithoutNotifier(t *testing.T) {
	e := bare()
	e.wantErr(t, "notification_send: service not available on this server", "notification_send",
		runtime.NewUUID().String(), "s", obj(), int64(1))
}
