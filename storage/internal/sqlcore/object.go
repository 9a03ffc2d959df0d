package sqlcore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// objectColumns are the columns scanObject reads, in its order.
const objectColumns = "collection, key, user_id, value, version, permission_read, permission_write, create_time, update_time"

// Statements of one object write, by its version precondition. $1..$8 are the
// row, $9 the caller; a user caller (not "") only overwrites objects whose
// write permission is 1.
const (
	insertObject = `INSERT INTO storage (collection, user_id, key, value, version,
		permission_read, permission_write, create_time, update_time)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`
	// writeAny has no precondition.
	writeAny = insertObject + ` ON CONFLICT (collection, user_id, key) DO UPDATE SET
		value = excluded.value, version = excluded.version,
		permission_read = excluded.permission_read, permission_write = excluded.permission_write,
		update_time = excluded.update_time
		WHERE $9 = '' OR storage.permission_write = 1
		RETURNING create_time, update_time`
	// writeAbsent is the "*" precondition: the object must not exist.
	writeAbsent = insertObject + ` ON CONFLICT (collection, user_id, key) DO NOTHING
		RETURNING create_time, update_time`
	// writeVersion needs the stored version to equal $10.
	writeVersion = `UPDATE storage SET value = $4, version = $5,
		permission_read = $6, permission_write = $7, update_time = $8
		WHERE collection = $1 AND user_id = $2 AND key = $3 AND version = $10
		AND ($9 = '' OR permission_write = 1)
		RETURNING create_time, update_time`
	// deleteObject deletes if the version ($4) matches when given and the
	// caller ($5) may write the object.
	deleteObject = `DELETE FROM storage
		WHERE collection = $1 AND user_id = $2 AND key = $3
		AND ($4 = '' OR version = $4)
		AND ($5 = '' OR (user_id = $5 AND permission_write = 1))`
	// readPermission keeps the objects the caller ($N) may read.
	readPermission = "(permission_read = 2 OR (permission_read = 1 AND user_id = $%d))"
)

// scanObject scans a row of objectColumns.
func scanObject(r Row) (runtime.Object, error) {
	var (
		o              runtime.Object
		create, update int64
	)
	err := r.Scan(&o.Collection, &o.Key, &o.UserID, &o.Value, &o.Version,
		&o.PermissionRead, &o.PermissionWrite, &create, &update)
	o.CreateTime, o.UpdateTime = FromMicros(create), FromMicros(update)
	return o, err
}

// ReadObjects implements runtime.ObjectStore with one query.
func (s *Store) ReadObjects(ctx context.Context, caller string, ids []runtime.ObjectID) ([]runtime.Object, error) {
	out := []runtime.Object{}
	if len(ids) == 0 {
		return out, nil
	}
	var b strings.Builder
	args := make([]any, 0, 3*len(ids)+1)
	b.WriteString("SELECT " + objectColumns + " FROM storage WHERE (")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" OR ")
		}
		n := len(args)
		fmt.Fprintf(&b, "(collection = $%d AND user_id = $%d AND key = $%d)", n+1, n+2, n+3)
		args = append(args, id.Collection, id.UserID, id.Key)
	}
	b.WriteString(")")
	if caller != "" {
		args = append(args, caller)
		fmt.Fprintf(&b, " AND "+readPermission, len(args))
	}
	err := queryAll(ctx, s.db.Read(), func(r Rows) error {
		o, err := scanObject(r)
		out = append(out, o)
		return err
	}, b.String(), args...)
	return out, err
}

// WriteObjects implements runtime.ObjectStore. Rows are written in key order,
// whatever the order of ws, so that concurrent batches cannot deadlock.
func (s *Store) WriteObjects(ctx context.Context, caller string, ws []runtime.ObjectWrite) ([]runtime.ObjectAck, error) {
	for _, w := range ws {
		if err := checkWrite(caller, w); err != nil {
			return nil, err
		}
	}
	acks := make([]runtime.ObjectAck, len(ws))
	now := nowMicros()
	err := s.atomic(ctx, len(ws), func(q Querier) error {
		for _, i := range keyOrder(ws, writeKey) {
			ack, err := s.writeObject(ctx, q, caller, ws[i], now)
			if err != nil {
				return err
			}
			acks[i] = ack
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acks, nil
}

// checkWrite validates one write before any is made.
func checkWrite(caller string, w runtime.ObjectWrite) error {
	switch {
	case w.Collection == "" || w.Key == "":
		return errObjectName
	case w.PermissionRead < runtime.ReadNone || w.PermissionRead > runtime.ReadPublic,
		w.PermissionWrite < runtime.WriteNone || w.PermissionWrite > runtime.WriteOwner:
		return errObjectPerm
	case caller != "" && w.UserID != caller:
		return runtime.ErrPermission
	}
	return nil
}

// writeObject writes one object under its precondition.
func (s *Store) writeObject(ctx context.Context, q Querier, caller string, w runtime.ObjectWrite,
	now int64) (runtime.ObjectAck, error) {
	ack := runtime.ObjectAck{Collection: w.Collection, Key: w.Key, UserID: w.UserID,
		Version: runtime.ObjectVersion(w.Value)}
	args := []any{w.Collection, w.UserID, w.Key, w.Value, ack.Version, w.PermissionRead, w.PermissionWrite, now}
	var sql string
	switch w.Version {
	case "":
		sql, args = writeAny, append(args, caller)
	case "*":
		sql = writeAbsent
	default:
		sql, args = writeVersion, append(args, caller, w.Version)
	}
	var create, update int64
	err := q.QueryRow(ctx, sql, args...).Scan(&create, &update)
	if errors.Is(err, ErrNoRows) {
		return ack, s.refusal(ctx, q, caller, w.Collection, w.UserID, w.Key)
	}
	ack.CreateTime, ack.UpdateTime = FromMicros(create), FromMicros(update)
	return ack, err
}

// refusal explains why a write of an object changed nothing:
// ErrPermission when the caller may not write the stored object,
// ErrVersionMismatch otherwise.
func (s *Store) refusal(ctx context.Context, q Querier, caller, collection, userID, key string) error {
	var write int
	err := q.QueryRow(ctx, "SELECT permission_write FROM storage WHERE collection = $1 AND user_id = $2 AND key = $3",
		collection, userID, key).Scan(&write)
	switch {
	case errors.Is(err, ErrNoRows):
		return runtime.ErrVersionMismatch
	case err != nil:
		return err
	case caller != "" && (userID != caller || write != runtime.WriteOwner):
		return runtime.ErrPermission
	}
	return runtime.ErrVersionMismatch
}

// DeleteObjects implements runtime.ObjectStore: all or none, and any id that
// deletes no row rejects the batch with ErrDeleteRejected, except a missing
// object the server names without a version, which is skipped.
func (s *Store) DeleteObjects(ctx context.Context, caller string, ids []runtime.ObjectID) error {
	return s.atomic(ctx, len(ids), func(q Querier) error {
		for _, i := range keyOrder(ids, idKey) {
			id := ids[i]
			n, err := q.Exec(ctx, deleteObject, id.Collection, id.UserID, id.Key, id.Version, caller)
			if err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if caller != "" || id.Version != "" {
				return runtime.ErrDeleteRejected
			}
		}
		return nil
	})
}

// writeKey and idKey return the primary key of an object, in index order.
func writeKey(w runtime.ObjectWrite) [3]string { return [3]string{w.Collection, w.UserID, w.Key} }
func idKey(id runtime.ObjectID) [3]string      { return [3]string{id.Collection, id.UserID, id.Key} }

// keyOrder returns the indexes of xs sorted by their keys.
func keyOrder[T any](xs []T, key func(T) [3]string) []int {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := key(xs[a]), key(xs[b])
		return cmp.Or(cmp.Compare(ka[0], kb[0]), cmp.Compare(ka[1], kb[1]), cmp.Compare(ka[2], kb[2]))
	})
	return order
}
