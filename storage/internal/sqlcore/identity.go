package sqlcore

import (
	"context"
	"errors"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// userColumns are the columns of runtime.User, in the order scanUser reads.
var userColumns = []string{
	"id", "username", "display_name", "avatar_url", "lang_tag", "location",
	"timezone", "metadata", "edge_count", "create_time", "update_time",
}

// identityColumns are the columns ScanIdentified reads: the user, then the
// password hash and the disable time.
var identityColumns = append(append([]string{}, userColumns...), "password", "disable_time")

// Columns returns the user columns, each qualified with prefix ("u." or "").
// With identity set it adds the columns ScanIdentified reads after them.
func Columns(prefix string, identity bool) string {
	cols := userColumns
	if identity {
		cols = identityColumns
	}
	return prefix + strings.Join(cols, ", "+prefix)
}

// userDest returns the scan destinations of the user columns.
func userDest(u *runtime.User, create, update *int64) []any {
	return []any{
		&u.ID, &u.Username, &u.DisplayName, &u.AvatarURL, &u.LangTag, &u.Location,
		&u.Timezone, &u.Metadata, &u.EdgeCount, create, update,
	}
}

// ScanIdentified scans a row of Columns(prefix, true) followed by extra
// destinations into the result of looking up an identity of kind.
func ScanIdentified(row Row, kind runtime.IdentityKind, extra ...any) (runtime.Identified, error) {
	var (
		res                     runtime.Identified
		create, update, disable int64
		secret                  []byte
	)
	dest := append(userDest(&res.User, &create, &update), &secret, &disable)
	if err := row.Scan(append(dest, extra...)...); err != nil {
		if errors.Is(err, ErrNoRows) {
			return res, errNoSuchIdentity
		}
		return res, err
	}
	res.User.CreateTime, res.User.UpdateTime = FromMicros(create), FromMicros(update)
	res.Disabled = disable != 0
	if kind == runtime.IdentityEmail || kind == runtime.IdentityUsername {
		res.Secret = secret
	}
	return res, nil
}

// LookupSQL returns the query that selects Columns("u.", true) of the
// account linked to an identity of kind, whose id is $1.
func LookupSQL(kind runtime.IdentityKind) (string, error) {
	cols := Columns("u.", true)
	switch kind {
	case runtime.IdentityDevice:
		return "SELECT " + cols + " FROM user_device d JOIN users u ON u.id = d.user_id WHERE d.id = $1", nil
	case runtime.IdentityCustom:
		return "SELECT " + cols + " FROM users u WHERE u.custom_id = $1", nil
	case runtime.IdentityEmail:
		return "SELECT " + cols + " FROM users u WHERE u.email = $1", nil
	case runtime.IdentityUsername:
		return "SELECT " + cols + " FROM users u WHERE u.username = $1", nil
	}
	return "", errIdentityKind
}

// CheckIdentify validates the arguments of Identify. A username finds an
// account but never creates one.
func CheckIdentify(id runtime.Identity, create bool, nu runtime.NewUser) error {
	if _, err := LookupSQL(id.Kind); err != nil {
		return err
	}
	if create && id.Kind == runtime.IdentityUsername {
		return errCreateByUsername
	}
	if id.ID == "" {
		return errIdentityID
	}
	if create && (nu.ID == "" || nu.Username == "") {
		return errNewUser
	}
	return nil
}

// Identify implements runtime.IdentityStore: a lookup on the read side and,
// when that finds nothing, a write transaction that looks again and creates
// the account and its link.
func (s *Store) Identify(ctx context.Context, id runtime.Identity, create bool, nu runtime.NewUser) (runtime.Identified, error) {
	if err := CheckIdentify(id, create, nu); err != nil {
		return runtime.Identified{}, err
	}
	res, err := s.lookup(ctx, s.db.Read(), id)
	if !create || !errors.Is(err, runtime.ErrNotFound) {
		return res, err
	}
	err = s.db.Tx(ctx, func(q Querier) error {
		res, err = s.lookup(ctx, q, id)
		if !errors.Is(err, runtime.ErrNotFound) {
			return err
		}
		res, err = s.create(ctx, q, id, nu)
		return err
	})
	if err != nil && s.d.IsUniqueViolation(err) {
		return s.ResolveConflict(ctx, id, nu)
	}
	return res, err
}

// lookup finds the account linked to id.
func (s *Store) lookup(ctx context.Context, q Querier, id runtime.Identity) (runtime.Identified, error) {
	sql, err := LookupSQL(id.Kind)
	if err != nil {
		return runtime.Identified{}, err
	}
	return ScanIdentified(q.QueryRow(ctx, sql, id.ID), id.Kind)
}

// create inserts the account nu and links id to it.
func (s *Store) create(ctx context.Context, q Querier, id runtime.Identity, nu runtime.NewUser) (runtime.Identified, error) {
	var custom, email, secret any
	switch id.Kind {
	case runtime.IdentityCustom:
		custom = id.ID
	case runtime.IdentityEmail:
		email, secret = id.ID, id.Secret
	}
	res, err := ScanIdentified(q.QueryRow(ctx,
		`INSERT INTO users (id, username, custom_id, email, password, create_time, update_time)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING `+Columns("", true),
		nu.ID, nu.Username, custom, email, secret, nowMicros()), id.Kind)
	if err != nil {
		return res, err
	}
	if id.Kind == runtime.IdentityDevice {
		if _, err := q.Exec(ctx, "INSERT INTO user_device (id, user_id) VALUES ($1, $2)", id.ID, nu.ID); err != nil {
			return res, err
		}
	}
	res.Created = true
	return res, nil
}

// ResolveConflict explains a unique violation met while creating the account
// nu for id: another caller linked id first (its account is returned), or
// another account holds the username (ErrUsernameTaken), or another account
// holds the identity some other way (ErrIdentityTaken).
func (s *Store) ResolveConflict(ctx context.Context, id runtime.Identity, nu runtime.NewUser) (runtime.Identified, error) {
	res, err := s.lookup(ctx, s.db.Read(), id)
	if !errors.Is(err, runtime.ErrNotFound) {
		return res, err
	}
	var n int
	err = s.db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE username = $1", nu.Username).Scan(&n)
	switch {
	case err != nil:
		return res, err
	case n > 0:
		return res, runtime.ErrUsernameTaken
	}
	return res, runtime.ErrIdentityTaken
}
