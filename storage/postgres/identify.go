package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/storage/internal/sqlcore"
)

// identifySQL holds, for each identity kind, the statement that finds the
// account of an identity or creates it, in one round trip:
//
//	$1 identity id, $2 user id, $3 username, $4 now, $5 password hash (email only)
//
// The found CTE looks the identity up; the new CTE inserts the user only when
// found is empty, and for a device a third CTE links it. Data-modifying CTEs
// always run, and the whole statement is atomic, so a concurrent creation of
// the same identity or username fails it with a unique violation, which
// Identify resolves like the shared code does.
var identifySQL = map[runtime.IdentityKind]string{}

func init() {
	inserts := map[runtime.IdentityKind]struct{ columns, values, link string }{
		runtime.IdentityDevice: {"", "", `, link AS (INSERT INTO user_device (id, user_id) SELECT $1::text, id FROM new)`},
		runtime.IdentityCustom: {", custom_id", ", $1::text", ""},
		runtime.IdentityEmail:  {", email, password", ", $1::text, $5::bytea", ""},
	}
	for kind, ins := range inserts {
		lookup, err := sqlcore.LookupSQL(kind)
		if err != nil {
			panic(err)
		}
		identifySQL[kind] = fmt.Sprintf(`WITH found AS (%s),
new AS (INSERT INTO users (id, username, create_time, update_time%s)
	SELECT $2::text, $3::text, $4::bigint, $4::bigint%s WHERE NOT EXISTS (SELECT 1 FROM found)
	RETURNING *)%s
SELECT found.*, false FROM found
UNION ALL
SELECT %s, true FROM new`, lookup, ins.columns, ins.values, ins.link, sqlcore.Columns("new.", true))
	}
}

// Identify implements runtime.IdentityStore. A lookup without create is the
// shared one; with create it is one statement, one round trip, whether the
// account exists or is created.
func (s *Store) Identify(ctx context.Context, id runtime.Identity, create bool, nu runtime.NewUser) (runtime.Identified, error) {
	if !create {
		return s.core.Identify(ctx, id, false, nu)
	}
	if err := sqlcore.CheckIdentify(id, create, nu); err != nil {
		return runtime.Identified{}, err
	}
	args := []any{id.ID, nu.ID, nu.Username, time.Now().UnixMicro()}
	if id.Kind == runtime.IdentityEmail {
		args = append(args, id.Secret)
	}
	var created bool
	q := querier{s.pool}
	res, err := sqlcore.ScanIdentified(q.QueryRow(ctx, identifySQL[id.Kind], args...), id.Kind, &created)
	if err != nil && isUniqueViolation(err) {
		return s.ResolveConflict(ctx, id, nu)
	}
	res.Created = created
	return res, err
}
