package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// notificationColumns are the columns scanNotification reads, in its order.
const notificationColumns = "id, user_id, subject, content, code, sender_id, create_time"

// notificationCursor is the position of a notification in its user's list:
// its create time and id. It travels as unpadded URL-safe base64 of JSON.
type notificationCursor struct {
	CreateTime int64  `json:"t"`
	ID         string `json:"i"`
}

// notificationsPerInsert is the rows of one INSERT. Statements come in two
// shapes only, this many rows and one row, so that they stay few in the
// statement caches; and small, since SQLite prepares a statement with
// thousands of parameters slowly (500 rows take 30 times as long as 62
// statements of 8).
const notificationsPerInsert = 8

// AddNotifications implements runtime.NotificationStore: one statement per
// 8 notifications and one for each left over, in a transaction when there
// are several.
func (s *Store) AddNotifications(ctx context.Context, ns []runtime.Notification) error {
	for _, n := range ns {
		if n.ID == "" || n.UserID == "" {
			return errNotification
		}
	}
	full := len(ns) / notificationsPerInsert
	statements := full + len(ns)%notificationsPerInsert
	if statements == 0 {
		return nil
	}
	return s.atomic(ctx, statements, func(q Querier) error {
		for i := range full {
			if err := insertNotifications(ctx, q, ns[i*notificationsPerInsert:(i+1)*notificationsPerInsert]); err != nil {
				return err
			}
		}
		for i := full * notificationsPerInsert; i < len(ns); i++ {
			if err := insertNotifications(ctx, q, ns[i:i+1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertNotifications(ctx context.Context, q Querier, ns []runtime.Notification) error {
	var b strings.Builder
	b.WriteString("INSERT INTO notification (" + notificationColumns + ") VALUES ")
	args := make([]any, 0, 7*len(ns))
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s)", params(len(args)+1, 7))
		args = append(args, n.ID, n.UserID, n.Subject, n.Content, n.Code, n.SenderID, Micros(n.CreateTime))
	}
	_, err := q.Exec(ctx, b.String(), args...)
	return err
}

// ListNotifications implements runtime.NotificationStore.
func (s *Store) ListNotifications(ctx context.Context, userID string, limit int, cursor string) ([]runtime.Notification, string, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	var after notificationCursor
	if cursor != "" {
		if err := decodeJSONCursor(cursor, &after); err != nil {
			return nil, "", err
		}
	}
	out := make([]runtime.Notification, 0, min(limit, 16))
	err := queryAll(ctx, s.db.Read(), func(r Rows) error {
		var (
			n      runtime.Notification
			create int64
		)
		err := r.Scan(&n.ID, &n.UserID, &n.Subject, &n.Content, &n.Code, &n.SenderID, &create)
		n.CreateTime, n.Persistent = FromMicros(create), true
		out = append(out, n)
		return err
	}, "SELECT "+notificationColumns+` FROM notification
		WHERE user_id = $1 AND (create_time, id) > ($2, $3)
		ORDER BY create_time, id LIMIT $4`, userID, after.CreateTime, after.ID, limit)
	if err != nil {
		return nil, "", err
	}
	if len(out) == 0 {
		return out, cursor, nil
	}
	last := out[len(out)-1]
	return out, encodeJSONCursor(notificationCursor{CreateTime: Micros(last.CreateTime), ID: last.ID}), nil
}

// DeleteNotifications implements runtime.NotificationStore with one
// statement.
func (s *Store) DeleteNotifications(ctx context.Context, userID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, userID)
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.db.Write().Exec(ctx, fmt.Sprintf("DELETE FROM notification WHERE user_id = $1 AND id IN (%s)",
		params(2, len(ids))), args...)
	return err
}
