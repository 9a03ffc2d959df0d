package sqlcore

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// scanUser scans a row of Columns(prefix, false) followed by extra.
func scanUser(row Row, extra ...any) (runtime.User, error) {
	var (
		u              runtime.User
		create, update int64
	)
	if err := row.Scan(append(userDest(&u, &create, &update), extra...)...); err != nil {
		return u, err
	}
	u.CreateTime, u.UpdateTime = FromMicros(create), FromMicros(update)
	return u, nil
}

// Account implements runtime.AccountStore.
func (s *Store) Account(ctx context.Context, userID string) (runtime.Account, error) {
	var (
		a               runtime.Account
		verify, disable int64
		err             error
	)
	q := s.db.Read()
	a.User, err = scanUser(q.QueryRow(ctx, "SELECT "+Columns("", false)+
		", COALESCE(email, ''), COALESCE(custom_id, ''), wallet, verify_time, disable_time FROM users WHERE id = $1", userID),
		&a.Email, &a.CustomID, &a.Wallet, &verify, &disable)
	if errors.Is(err, ErrNoRows) {
		return a, errNoSuchUser
	}
	if err != nil {
		return a, err
	}
	a.VerifyTime, a.DisableTime = FromMicros(verify), FromMicros(disable)
	err = queryAll(ctx, q, func(r Rows) error {
		var d string
		err := r.Scan(&d)
		a.Devices = append(a.Devices, d)
		return err
	}, "SELECT id FROM user_device WHERE user_id = $1 ORDER BY id", userID)
	return a, err
}

// UpdateAccount implements runtime.AccountStore.
func (s *Store) UpdateAccount(ctx context.Context, userID string, u runtime.AccountUpdate) error {
	fields := []struct {
		column string
		value  *string
	}{
		{"username", u.Username}, {"display_name", u.DisplayName}, {"avatar_url", u.AvatarURL},
		{"lang_tag", u.LangTag}, {"location", u.Location}, {"timezone", u.Timezone}, {"metadata", u.Metadata},
	}
	if u.Username != nil && *u.Username == "" {
		return errUsername
	}
	var set strings.Builder
	args := []any{userID, nowMicros()}
	set.WriteString("update_time = $2")
	for _, f := range fields {
		if f.value != nil {
			args = append(args, *f.value)
			set.WriteString(", " + f.column + " = $" + strconv.Itoa(len(args)))
		}
	}
	n, err := s.db.Write().Exec(ctx, "UPDATE users SET "+set.String()+" WHERE id = $1", args...)
	switch {
	case err != nil && s.d.IsUniqueViolation(err):
		return runtime.ErrUsernameTaken
	case err != nil:
		return err
	case n == 0:
		return errNoSuchUser
	}
	return nil
}

// Users implements runtime.AccountStore.
func (s *Store) Users(ctx context.Context, ids, usernames []string) ([]runtime.User, error) {
	if len(ids)+len(usernames) == 0 {
		return []runtime.User{}, nil
	}
	args := make([]any, 0, len(ids)+len(usernames))
	var where []string
	if len(ids) > 0 {
		where = append(where, "id IN ("+params(1, len(ids))+")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if len(usernames) > 0 {
		where = append(where, "username IN ("+params(len(args)+1, len(usernames))+")")
		for _, n := range usernames {
			args = append(args, n)
		}
	}
	users := []runtime.User{}
	err := queryAll(ctx, s.db.Read(), func(r Rows) error {
		u, err := scanUser(r)
		users = append(users, u)
		return err
	}, "SELECT "+Columns("", false)+" FROM users WHERE "+strings.Join(where, " OR ")+" ORDER BY id", args...)
	return users, err
}
