package nk

import (
	"github.com/arbiterhq/arbiter/runtime"
)

// The account group: accounts and users through runtime/account.Service.

const userDoc = "A user table: user_id, username, display_name, avatar_url, lang_tag, location, timezone, online, edge_count, create_time, update_time (unix seconds) and metadata (a table)."

func (a *API) accountFuncs() []*Func {
	return []*Func{
		{
			Name:   "account_get_id",
			Doc:    "Returns a user's account.",
			Params: []Param{{Name: "user_id", Type: TypeString, Doc: "The user id (a UUID)."}},
			Results: []Result{{Name: "account", Type: TypeMap,
				Doc: "An account table: the fields of a user table, user (the user table), wallet (a table of name to integer), and when set email, devices (a list of {id}), custom_id, verify_time and disable_time (unix seconds). " + userDoc}},
			Run: a.accountGetID,
		},
		{
			Name:   "account_update_id",
			Doc:    "Changes a user's account: each argument that is nil leaves its field unchanged.",
			Params: accountUpdateParams(),
			Run:    a.accountUpdateID,
		},
		{
			Name: "users_get_id",
			Doc:  "Returns the users with the given ids; unknown ones are left out.",
			Params: []Param{
				{Name: "user_ids", Type: TypeTable, Optional: true, Doc: "A list of user ids (UUIDs); nil for none."},
				{Name: "facebook_ids", Type: TypeTable, Optional: true,
					Doc: "A list of Facebook ids, for compatibility: Arbiter links no Facebook accounts, so they find no one."},
			},
			Results: []Result{{Name: "users", Type: TypeList, Doc: "A list of user tables. " + userDoc}},
			Run:     a.usersGetID,
		},
	}
}

func accountUpdateParams() []Param {
	str := func(name, doc string) Param {
		return Param{Name: name, Type: TypeString, Optional: true, Doc: doc + " nil leaves it unchanged; \"\" clears it."}
	}
	return []Param{
		{Name: "user_id", Type: TypeString, Doc: "The user id (a UUID)."},
		{Name: "metadata", Type: TypeTable, Optional: true, Doc: "A table stored as the account's JSON metadata; nil leaves it unchanged."},
		{Name: "username", Type: TypeString, Optional: true, Default: "", Doc: "A new unique username; nil or \"\" leaves it unchanged."},
		str("display_name", "The display name."),
		str("timezone", "The timezone."),
		str("location", "The location."),
		str("lang_tag", "The language tag."),
		str("avatar_url", "The avatar URL."),
	}
}

func (a *API) accountGetID(c *Call, args []any) ([]any, error) {
	id := args[0].(string)
	switch {
	case id == "":
		return nil, badArg("account_get_id", 1, "expects user id")
	case !runtime.ValidUUID(id):
		return nil, badArg("account_get_id", 1, "invalid user id")
	case a.d.Accounts == nil:
		return nil, unavailable("account_get_id")
	}
	acct, err := a.d.Accounts.Account(callCtx(c), id)
	if err != nil {
		return nil, Errorf("failed to get account for user_id %s: %s", id, err.Error())
	}
	t, err := accountTable(acct)
	if err != nil {
		return nil, err
	}
	return []any{t}, nil
}

func accountTable(acct runtime.Account) (map[string]any, error) {
	t, err := userTable(acct.User)
	if err != nil {
		return nil, err
	}
	user, _ := userTable(acct.User) // a second copy: the two tables are distinct
	t["user"] = user
	wallet, err := decodeObject(jsonOrEmpty(acct.Wallet))
	if err != nil {
		return nil, Errorf("failed to convert wallet to json: %v", err)
	}
	t["wallet"] = wallet
	if acct.Email != "" {
		t["email"] = acct.Email
	}
	if len(acct.Devices) > 0 {
		devices := make([]any, len(acct.Devices))
		for i, d := range acct.Devices {
			devices[i] = map[string]any{"id": d}
		}
		t["devices"] = devices
	}
	if acct.CustomID != "" {
		t["custom_id"] = acct.CustomID
	}
	if !acct.VerifyTime.IsZero() {
		t["verify_time"] = acct.VerifyTime.Unix()
	}
	if !acct.DisableTime.IsZero() {
		t["disable_time"] = acct.DisableTime.Unix()
	}
	return t, nil
}

func jsonOrEmpty(w string) string {
	if w == "" {
		return "{}"
	}
	return w
}

func userTable(u runtime.User) (map[string]any, error) {
	metadata, err := decodeObject(jsonOrEmpty(u.Metadata))
	if err != nil {
		return nil, Errorf("failed to convert metadata to json: %v", err)
	}
	return map[string]any{
		"user_id":      u.ID,
		"username":     u.Username,
		"display_name": u.DisplayName,
		"avatar_url":   u.AvatarURL,
		"lang_tag":     u.LangTag,
		"location":     u.Location,
		"timezone":     u.Timezone,
		"online":       u.Online,
		"edge_count":   int64(u.EdgeCount),
		"create_time":  unixSeconds(u.CreateTime),
		"update_time":  unixSeconds(u.UpdateTime),
		"metadata":     metadata,
	}, nil
}

func (a *API) accountUpdateID(c *Call, args []any) ([]any, error) {
	id := args[0].(string)
	if !runtime.ValidUUID(id) {
		return nil, badArg("account_update_id", 1, "expects user ID to be a valid identifier")
	}
	var u runtime.AccountUpdate
	if args[1] != nil {
		b, err := encodeJSON(tableMap(args[1]))
		if err != nil {
			return nil, badArg("account_update_id", 2, "failed to convert metadata: "+err.Error())
		}
		s := string(b)
		u.Metadata = &s
	}
	if name := args[2].(string); name != "" {
		u.Username = &name
	}
	for i, dst := range []**string{&u.DisplayName, &u.Timezone, &u.Location, &u.LangTag, &u.AvatarURL} {
		if s, ok := args[3+i].(string); ok {
			*dst = &s
		}
	}
	if a.d.Accounts == nil {
		return nil, unavailable("account_update_id")
	}
	if err := a.d.Accounts.UpdateAccount(callCtx(c), id, u); err != nil {
		return nil, Errorf("error while trying to update user: %v", err)
	}
	return nil, nil
}

func (a *API) usersGetID(c *Call, args []any) ([]any, error) {
	ids, err := idList(args[0], "invalid user ids list", "each user id must be a string", 1)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !runtime.ValidUUID(id) {
			return nil, badArg("users_get_id", 1, "each user id must be a valid id string")
		}
	}
	if _, err := idList(args[1], "invalid facebook ids list", "each facebook id must be a string", 2); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []any{[]any{}}, nil
	}
	if a.d.Accounts == nil {
		return nil, unavailable("users_get_id")
	}
	users, err := a.d.Accounts.Users(callCtx(c), ids, nil)
	if err != nil {
		return nil, wrap("failed to get users: ", err)
	}
	out := make([]any, len(users))
	for i, u := range users {
		if out[i], err = userTable(u); err != nil {
			return nil, err
		}
	}
	return []any{out}, nil
}

// idList checks a list of non-empty strings, argument n of users_get_id.
// nil and an empty table are empty lists; a table with keys is refused.
func idList(v any, listMsg, elemMsg string, n int) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if m, isMap := v.(map[string]any); isMap {
		if len(m) > 0 {
			return nil, badArg("users_get_id", n, listMsg)
		}
		return nil, nil
	}
	l := v.([]any)
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok || s == "" {
			return nil, badArg("users_get_id", n, elemMsg)
		}
		out[i] = s
	}
	return out, nil
}
