package sqlcore

import (
	"context"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// Revoke implements runtime.TokenStore. Revoking the same token, or all of
// a user's tokens, again keeps the later Before and the later Expires, which
// covers both revocations. Entries that have expired are pruned on the way.
func (s *Store) Revoke(ctx context.Context, r runtime.Revocation) error {
	w := s.db.Write()
	_, err := w.Exec(ctx, `INSERT INTO token_revocation (user_id, token_id, issued_before, expire_time)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, token_id) DO UPDATE SET
		issued_before = CASE WHEN excluded.issued_before > token_revocation.issued_before
			THEN excluded.issued_before ELSE token_revocation.issued_before END,
		expire_time = CASE WHEN excluded.expire_time > token_revocation.expire_time
			THEN excluded.expire_time ELSE token_revocation.expire_time END`,
		r.UserID, r.TokenID, Micros(r.Before), Micros(r.Expires))
	if err != nil {
		return err
	}
	_, err = w.Exec(ctx, "DELETE FROM token_revocation WHERE expire_time <= $1", nowMicros())
	return err
}

// Revocations implements runtime.TokenStore.
func (s *Store) Revocations(ctx context.Context, now time.Time) ([]runtime.Revocation, error) {
	out := []runtime.Revocation{}
	err := queryAll(ctx, s.db.Read(), func(rows Rows) error {
		var (
			r               runtime.Revocation
			before, expires int64
		)
		err := rows.Scan(&r.UserID, &r.TokenID, &before, &expires)
		r.Before, r.Expires = FromMicros(before), FromMicros(expires)
		out = append(out, r)
		return err
	}, `SELECT user_id, token_id, issued_before, expire_time FROM token_revocation
		WHERE expire_time > $1 ORDER BY user_id, token_id`, Micros(now))
	return out, err
}
