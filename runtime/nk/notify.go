package nk

import (
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// The notification group: notifications through Deps.Notifier. A sender of
// "" or the nil UUID is the server.

func (a *API) notifyFuncs() []*Func {
	return []*Func{
		{
			Name: "notification_send",
			Doc:  "Sends a notification to a user: delivered live to their sockets and, when persistent, stored until they delete it.",
			Params: []Param{
				{Name: "user_id", Type: TypeString, Doc: "The recipient's user id (a UUID)."},
				{Name: "subject", Type: TypeString, Doc: "The subject; must not be empty."},
				{Name: "content", Type: TypeTable, Doc: "A table sent as the JSON object content."},
				{Name: "code", Type: TypeInt, Doc: "The notification code; must be above 0 (codes 0 and below are the server's)."},
				{Name: "sender_id", Type: TypeString, Optional: true, Default: "", Doc: "The sending user's id, or \"\"/nil for the server."},
				{Name: "persistent", Type: TypeBool, Optional: true, Default: false, Doc: "Whether to store the notification. Default false."},
			},
			Run: a.notificationSend,
		},
		{
			Name: "notifications_send",
			Doc:  "Sends several notifications; see notification_send.",
			Params: []Param{{Name: "notifications", Type: TypeTable,
				Doc: "A list of tables {user_id, subject, content, code, sender_id?, persistent?} with the meanings of notification_send's arguments."}},
			Run: a.notificationsSend,
		},
	}
}

func (a *API) notificationSend(c *Call, args []any) ([]any, error) {
	const fn = "notification_send"
	n := runtime.Notification{UserID: args[0].(string), Subject: args[1].(string), Persistent: args[5].(bool)}
	if !runtime.ValidUUID(n.UserID) {
		return nil, badArg(fn, 1, "expects user_id to be a valid UUID")
	}
	if n.Subject == "" {
		return nil, badArg(fn, 2, "expects subject to be a non-empty string")
	}
	content, err := encodeJSON(tableMap(args[2]))
	if err != nil {
		return nil, badArg(fn, 3, "failed to convert content: "+err.Error())
	}
	n.Content = string(content)
	code := args[3].(int64)
	if code <= 0 {
		return nil, badArg(fn, 4, "expects code number to be a positive integer")
	}
	n.Code = int(code)
	if sender := args[4].(string); sender != "" {
		if !runtime.ValidUUID(sender) {
			return nil, badArg(fn, 5, "expects sender_id to either be not set, empty string or a valid UUID")
		}
		n.SenderID = ownerIn(sender)
	}
	return nil, a.sendNotifications(c, "notification_send", []runtime.Notification{n})
}

func (a *API) notificationsSend(c *Call, args []any) ([]any, error) {
	elems := allElems(args[0])
	ns := make([]runtime.Notification, 0, len(elems))
	for _, e := range elems {
		n, err := parseNotification(e)
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return nil, nil
	}
	return nil, a.sendNotifications(c, "notifications_send", ns)
}

// parseNotification checks one notifications_send element with Nakama's
// messages: field types first, then the required fields.
func parseNotification(e any) (runtime.Notification, error) {
	var n runtime.Notification
	m, ok := e.(map[string]any)
	if !ok {
		if _, isList := e.([]any); !isList {
			return n, notifArg("expects a valid set of notifications")
		}
	}
	if err := parseNotificationFields(m, &n); err != nil {
		return n, err
	}
	switch {
	case n.Subject == "":
		return n, notifArg("expects subject to be provided and to be non-empty")
	case n.Content == "":
		return n, notifArg("expects content to be provided and be valid JSON")
	case n.UserID == "" || n.UserID == runtime.NilUUID:
		return n, notifArg("expects user_id to be provided and be a valid UUID")
	case n.Code == 0:
		return n, notifArg("expects code to be provided and be a number above 0")
	}
	return n, nil
}

func notifArg(msg string) error { return badArg("notifications_send", 1, msg) }

func parseNotificationFields(m map[string]any, n *runtime.Notification) error {
	if v, present := m["persistent"]; present {
		b, ok := v.(bool)
		if !ok {
			return notifArg("expects persistent to be boolean")
		}
		n.Persistent = b
	}
	if v, present := m["subject"]; present {
		s, ok := v.(string)
		if !ok {
			return notifArg("expects subject to be string")
		}
		n.Subject = s
	}
	if v, present := m["content"]; present {
		if !isTable(v) {
			return notifArg("expects content to be a table")
		}
		b, err := encodeJSON(tableMap(v))
		if err != nil {
			return notifArg("failed to convert content: " + err.Error())
		}
		n.Content = string(b)
	}
	if err := parseNotificationCode(m, n); err != nil {
		return err
	}
	return parseNotificationIDs(m, n)
}

func parseNotificationCode(m map[string]any, n *runtime.Notification) error {
	v, present := m["code"]
	if !present {
		return nil
	}
	var code int64
	switch x := v.(type) {
	case int64:
		code = x
	case float64:
		code = int64(x)
	default:
		return notifArg("expects code to be number")
	}
	if code <= 0 {
		return notifArg("expects code to number above 0")
	}
	n.Code = int(code)
	return nil
}

func parseNotificationIDs(m map[string]any, n *runtime.Notification) error {
	if v, present := m["user_id"]; present {
		s, ok := v.(string)
		if !ok {
			return notifArg("expects user_id to be string")
		}
		if !runtime.ValidUUID(s) {
			return notifArg("expects user_id to be a valid UUID")
		}
		n.UserID = s
	}
	if v := m["sender_id"]; v != nil {
		s, ok := v.(string)
		if !ok {
			return notifArg("expects sender_id to be string")
		}
		if !runtime.ValidUUID(s) {
			return notifArg("expects sender_id to be a valid UUID")
		}
		n.SenderID = ownerIn(s)
	}
	return nil
}

// sendNotifications stamps ids and times and hands the notifications to the
// notifier.
func (a *API) sendNotifications(c *Call, fn string, ns []runtime.Notification) error {
	if a.d.Notifier == nil {
		return unavailable(fn)
	}
	now := time.Now().UTC()
	for i := range ns {
		ns[i].ID = runtime.NewUUID().String()
		ns[i].CreateTime = now
	}
	if err := a.d.Notifier.Send(callCtx(c), ns); err != nil {
		return wrap("failed to send notifications: ", err)
	}
	return nil
}
