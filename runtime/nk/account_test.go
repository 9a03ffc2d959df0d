package nk

import (
	"context"
	"reflect"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestAccountGetAndUpdate(t *testing.T) {
	e := newEnv(t)
	id := e.newUser(t, "alice")

	e.call(t, "account_update_id", id, obj("level", int64(3), "tags", []any{"a"}), nil, "Alice", nil, "Paris")
	acct := e.call(t, "account_get_id", id)[0].(map[string]any)
	want := map[string]any{
		"user_id": id, "username": "alice", "display_name": "Alice", "location": "Paris",
		"timezone": "", "lang_tag": "en", "avatar_url": "", "online": false, "edge_count": int64(0),
		"custom_id": "custom-alice",
	}
	for k, v := range want {
		if acct[k] != v {
			t.Errorf("account[%s] = %v, want %v", k, acct[k], v)
		}
	}
	if !reflect.DeepEqual(acct["metadata"], map[string]any{"level": int64(3), "tags": []any{"a"}}) {
		t.Errorf("metadata = %#v", acct["metadata"])
	}
	if !reflect.DeepEqual(acct["wallet"], map[string]any{}) {
		t.Errorf("wallet = %#v", acct["wallet"])
	}
	user := acct["user"].(map[string]any)
	if user["username"] != "alice" || user["metadata"].(map[string]any)["level"] != int64(3) || acct["create_time"].(int64) <= 0 {
		t.Errorf("user = %v", user)
	}
	for _, absent := range []string{"email", "devices", "verify_time", "disable_time"} {
		if _, ok := acct[absent]; ok {
			t.Errorf("%s present", absent)
		}
	}

	// "" for username leaves it; "" for the others clears them.
	e.call(t, "account_update_id", id, nil, "", "")
	acct = e.call(t, "account_get_id", id)[0].(map[string]any)
	if acct["username"] != "alice" || acct["display_name"] != "" || acct["location"] != "Paris" {
		t.Fatalf("after clearing = %v", acct)
	}
	e.call(t, "account_update_id", id, nil, "alicia")
	if got := e.call(t, "account_get_id", id)[0].(map[string]any)["username"]; got != "alicia" {
		t.Fatalf("username = %v", got)
	}
}

func TestAccountErrors(t *testing.T) {
	e := newEnv(t)
	id := e.newUser(t, "alice")
	e.newUser(t, "bob")
	missing := runtime.NewUUID().String()
	e.wantErr(t, "bad argument #1 to account_get_id (expects user id)", "account_get_id", "")
	e.wantErr(t, "bad argument #1 to account_get_id (invalid user id)", "account_get_id", "x")
	e.wantErr(t, "failed to get account for user_id "+missing+": Account not found.", "account_get_id", missing)
	e.wantErr(t, "bad argument #1 to account_update_id (expects user ID to be a valid identifier)", "account_update_id", "x")
	e.wantErr(t, "bad argument #2 to account_update_id (table expected, got string)", "account_update_id", id, "m")
	e.wantErr(t, "error while trying to update user: Username is already in use.", "account_update_id", id, nil, "bob")
	e.wantErr(t, "error while trying to update user: No fields to update.", "account_update_id", id)
}

func TestUsersGetID(t *testing.T) {
	e := newEnv(t)
	a, b := e.newUser(t, "alice"), e.newUser(t, "bob")
	users := e.call(t, "users_get_id", []any{a, b, runtime.NewUUID().String()})[0].([]any)
	if len(users) != 2 {
		t.Fatalf("users = %v", users)
	}
	names := map[any]bool{}
	for _, u := range users {
		m := u.(map[string]any)
		names[m["username"]] = true
		if _, ok := m["metadata"].(map[string]any); !ok {
			t.Errorf("metadata = %#v", m["metadata"])
		}
	}
	if !names["alice"] || !names["bob"] {
		t.Fatalf("names = %v", names)
	}
	for _, args := range [][]any{{}, {nil}, {[]any{}}, {map[string]any{}}, {nil, []any{"fb"}}} {
		if got := e.call(t, "users_get_id", args...)[0].([]any); len(got) != 0 {
			t.Errorf("users_get_id%v = %v", args, got)
		}
	}
	e.wantErr(t, "bad argument #1 to users_get_id (invalid user ids list)", "users_get_id", obj("a", a))
	e.wantErr(t, "bad argument #1 to users_get_id (each user id must be a string)", "users_get_id", []any{int64(1)})
	e.wantErr(t, "bad argument #1 to users_get_id (each user id must be a string)", "users_get_id", []any{""})
	e.wantErr(t, "bad argument #1 to users_get_id (each user id must be a valid id string)", "users_get_id", []any{"x"})
	e.wantErr(t, "bad argument #2 to users_get_id (invalid facebook ids list)", "users_get_id", nil, obj("a", "b"))
	e.wantErr(t, "bad argument #2 to users_get_id (each facebook id must be a string)", "users_get_id", nil, []any{true})
}

func TestAccountIdentities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	byDevice, byEmail := runtime.NewUUID().String(), runtime.NewUUID().String()
	for _, c := range []struct {
		id   string
		kind runtime.IdentityKind
		ext  string
	}{{byDevice, runtime.IdentityDevice, "device-0123456789"}, {byEmail, runtime.IdentityEmail, "a@example.com"}} {
		if _, err := e.store.Identify(ctx, runtime.Identity{Kind: c.kind, ID: c.ext}, true,
			runtime.NewUser{ID: c.id, Username: "u" + c.id[:8]}); err != nil {
			t.Fatal(err)
		}
	}
	acct := e.call(t, "account_get_id", byDevice)[0].(map[string]any)
	if !reflect.DeepEqual(acct["devices"], []any{map[string]any{"id": "device-0123456789"}}) {
		t.Fatalf("devices = %#v", acct["devices"])
	}
	if acct := e.call(t, "account_get_id", byEmail)[0].(map[string]any); acct["email"] != "a@example.com" {
		t.Fatalf("email = %v", acct["email"])
	}
}
