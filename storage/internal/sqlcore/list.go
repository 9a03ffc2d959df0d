package sqlcore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// DefaultListLimit is the page size of a listing that asks for none.
const DefaultListLimit = 100

// listCursor is where a page ended: the (user id, key) of its last object.
type listCursor struct {
	UserID string `json:"u"`
	Key    string `json:"k"`
}

func (c listCursor) encode() string { return encodeJSONCursor(c) }

func decodeCursor(s string) (listCursor, error) {
	var c listCursor
	err := decodeJSONCursor(s, &c)
	return c, err
}

// encodeJSONCursor returns c as a cursor: unpadded URL-safe base64 of its
// JSON, opaque to clients.
func encodeJSONCursor(c any) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // cursors are structs of strings, numbers and bools
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeJSONCursor decodes a cursor of encodeJSONCursor into c; anything
// else gives runtime.ErrBadCursor.
func decodeJSONCursor(s string, c any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, c) != nil {
		return runtime.ErrBadCursor
	}
	return nil
}

// ListObjects implements runtime.ObjectStore. The permission filter and the
// cursor are part of the query, which reads one row past the page to learn
// whether another page follows. A user listing every owner sees only public
// objects, their own private ones excluded, as in Nakama; a user listing one
// owner sees what ReadObjects would show them.
func (s *Store) ListObjects(ctx context.Context, l runtime.ObjectList) ([]runtime.Object, string, error) {
	limit := l.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	args := []any{l.Collection}
	where := []string{"collection = $1"}
	arg := func(v any) int { args = append(args, v); return len(args) }
	if l.UserID != nil {
		where = append(where, fmt.Sprintf("user_id = $%d", arg(*l.UserID)))
	}
	switch {
	case l.Caller == "":
	case l.UserID == nil:
		where = append(where, fmt.Sprintf("permission_read = %d", runtime.ReadPublic))
	default:
		where = append(where, fmt.Sprintf(readPermission, arg(l.Caller)))
	}
	if l.Cursor != "" {
		c, err := decodeCursor(l.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(user_id, key) > ($%d, $%d)", arg(c.UserID), arg(c.Key)))
	}
	sql := fmt.Sprintf("SELECT %s FROM storage WHERE %s ORDER BY user_id, key LIMIT $%d",
		objectColumns, strings.Join(where, " AND "), arg(limit+1))
	objs := make([]runtime.Object, 0, min(limit, 16))
	err := queryAll(ctx, s.db.Read(), func(r Rows) error {
		o, err := scanObject(r)
		objs = append(objs, o)
		return err
	}, sql, args...)
	if err != nil {
		return nil, "", err
	}
	if len(objs) <= limit {
		return objs, "", nil
	}
	last := objs[limit-1]
	return objs[:limit], listCursor{UserID: last.UserID, Key: last.Key}.encode(), nil
}
