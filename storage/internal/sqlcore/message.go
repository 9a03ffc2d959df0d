package sqlcore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// messageColumns are the columns scanMessage reads, in its order.
const messageColumns = "id, channel_id, code, sender_id, username, content, create_time, update_time"

// messageCursor is a position in a channel's history: the create time and
// id of a message, the channel, the direction of the listing it belongs to
// (Forward) and whether it continues that listing (Next) or goes back.
type messageCursor struct {
	ChannelID  string `json:"c"`
	CreateTime int64  `json:"t"`
	ID         string `json:"i"`
	Forward    bool   `json:"f"`
	Next       bool   `json:"n"`
}

// ascending reports whether the rows after the cursor are read oldest first:
// a forward listing's next page, or a backward listing's previous page.
func (c messageCursor) ascending() bool { return c.Forward == c.Next }

// AddMessage implements runtime.MessageStore.
func (s *Store) AddMessage(ctx context.Context, m runtime.ChannelMessage) error {
	if m.ID == "" || m.ChannelID == "" {
		return errMessage
	}
	_, err := s.db.Write().Exec(ctx, "INSERT INTO message ("+messageColumns+") VALUES ("+params(1, 8)+")",
		m.ID, m.ChannelID, m.Code, m.SenderID, m.Username, m.Content, Micros(m.CreateTime), Micros(m.UpdateTime))
	return err
}

// UpdateMessage implements runtime.MessageStore.
func (s *Store) UpdateMessage(ctx context.Context, m runtime.ChannelMessage) (time.Time, error) {
	return s.returningCreate(ctx, `UPDATE message SET content = $4, username = $5, update_time = $6
		WHERE id = $1 AND channel_id = $2 AND sender_id = $3 RETURNING create_time`,
		m.ID, m.ChannelID, m.SenderID, m.Content, m.Username, Micros(m.UpdateTime))
}

// RemoveMessage implements runtime.MessageStore.
func (s *Store) RemoveMessage(ctx context.Context, channelID, id, senderID string) (time.Time, error) {
	return s.returningCreate(ctx, `DELETE FROM message WHERE id = $1 AND channel_id = $2 AND sender_id = $3
		RETURNING create_time`, id, channelID, senderID)
}

// returningCreate runs a statement that returns the create time of the one
// message it changes; no row means no such message of that sender.
func (s *Store) returningCreate(ctx context.Context, sql string, args ...any) (time.Time, error) {
	var create int64
	err := s.db.Write().QueryRow(ctx, sql, args...).Scan(&create)
	if errors.Is(err, ErrNoRows) {
		return time.Time{}, errNoSuchMessage
	}
	return FromMicros(create), err
}

// ListMessages implements runtime.MessageStore. It reads one row past the
// page in the cursor's direction to learn whether more follow. A cursor
// that goes back (a Prev) reads rows in the opposite order of the listing;
// the page is then reversed and the two cursors change roles.
func (s *Store) ListMessages(ctx context.Context, q runtime.MessageList) (runtime.MessagePage, error) {
	var page runtime.MessagePage
	if q.ChannelID == "" {
		return page, errMessage
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	var in *messageCursor
	if q.Cursor != "" {
		in = &messageCursor{}
		if err := decodeJSONCursor(q.Cursor, in); err != nil {
			return page, err
		}
		if in.ChannelID != q.ChannelID || in.Forward != q.Forward {
			return page, runtime.ErrBadCursor
		}
	}
	msgs, more, err := s.readMessages(ctx, q.ChannelID, q.Forward, in, limit)
	if err != nil {
		return page, err
	}
	pos := func(m runtime.ChannelMessage, next bool) *messageCursor {
		return &messageCursor{ChannelID: q.ChannelID, CreateTime: Micros(m.CreateTime), ID: m.ID,
			Forward: q.Forward, Next: next}
	}
	// next continues the read past its last row; prev goes back from its
	// first row.
	var next, prev *messageCursor
	if more {
		next = pos(msgs[len(msgs)-1], true)
	}
	if in != nil && len(msgs) > 0 {
		prev = pos(msgs[0], false)
	}
	if in != nil && !in.Next {
		slices.Reverse(msgs)
		next, prev = prev, next
		if next != nil {
			next.Next = true
		}
		if prev != nil {
			prev.Next = false
		}
	}
	page.Messages, page.Next, page.Prev = msgs, encodeCursorOrEmpty(next), encodeCursorOrEmpty(prev)
	switch {
	case len(msgs) > 0:
		last := msgs[len(msgs)-1]
		page.Cacheable = encodeJSONCursor(messageCursor{ChannelID: q.ChannelID, CreateTime: Micros(last.CreateTime),
			ID: last.ID, Forward: true, Next: true})
	case in != nil:
		c := *in
		c.Forward, c.Next = true, true
		page.Cacheable = encodeJSONCursor(c)
	}
	return page, nil
}

// encodeCursorOrEmpty encodes c, or returns "" for nil.
func encodeCursorOrEmpty(c *messageCursor) string {
	if c == nil {
		return ""
	}
	return encodeJSONCursor(c)
}

// readMessages reads up to limit messages of a channel from the start (in
// the listing's direction) or from a cursor (in the cursor's direction),
// and reports whether more follow.
func (s *Store) readMessages(ctx context.Context, channelID string, forward bool, in *messageCursor,
	limit int) ([]runtime.ChannelMessage, bool, error) {
	asc := forward
	if in != nil {
		asc = in.ascending()
	}
	args := []any{channelID}
	sql := "SELECT " + messageColumns + " FROM message WHERE channel_id = $1"
	if in != nil {
		op := "<"
		if asc {
			op = ">"
		}
		sql += " AND (create_time, id) " + op + " ($2, $3)"
		args = append(args, in.CreateTime, in.ID)
	}
	if asc {
		sql += " ORDER BY create_time, id"
	} else {
		sql += " ORDER BY create_time DESC, id DESC"
	}
	args = append(args, limit+1)
	sql += " LIMIT " + params(len(args), 1)
	msgs := make([]runtime.ChannelMessage, 0, min(limit+1, 16))
	err := queryAll(ctx, s.db.Read(), func(r Rows) error {
		var (
			m              runtime.ChannelMessage
			create, update int64
		)
		err := r.Scan(&m.ID, &m.ChannelID, &m.Code, &m.SenderID, &m.Username, &m.Content, &create, &update)
		m.CreateTime, m.UpdateTime, m.Persistent = FromMicros(create), FromMicros(update), true
		msgs = append(msgs, m)
		return err
	}, sql, args...)
	if err != nil {
		return nil, false, err
	}
	if len(msgs) > limit {
		return msgs[:limit], true, nil
	}
	return msgs, false, nil
}
