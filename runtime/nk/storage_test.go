package nk

import (
	"reflect"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func obj(fields ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(fields); i += 2 {
		m[fields[i].(string)] = fields[i+1]
	}
	return m
}

func TestStorageWriteReadDelete(t *testing.T) {
	e := newEnv(t)
	user := e.newUser(t, "alice")
	acks := e.call(t, "storage_write", []any{
		obj("collection", "c", "key", "k1", "user_id", user, "value", obj("n", int64(1)), "permission_read", int64(2)),
		obj("collection", "c", "key", "k2", "value", []any{"a"}, "permission_write", 0.0),
	})[0].([]any)
	if len(acks) != 2 {
		t.Fatalf("acks = %v", acks)
	}
	a0, a1 := acks[0].(map[string]any), acks[1].(map[string]any)
	if a0["key"] != "k1" || a0["user_id"] != user || a1["key"] != "k2" || a1["user_id"] != runtime.NilUUID {
		t.Fatalf("acks not in input order or wrong owner: %v", acks)
	}
	if a0["version"] != runtime.ObjectVersion(`{"n":1}`) {
		t.Fatalf("version = %v", a0["version"])
	}

	objs := e.call(t, "storage_read", []any{
		obj("collection", "c", "key", "k1", "user_id", user),
		obj("collection", "c", "key", "k2"),
		obj("collection", "c", "key", "missing"),
	})[0].([]any)
	byKey := map[string]map[string]any{}
	for _, o := range objs {
		byKey[o.(map[string]any)["key"].(string)] = o.(map[string]any)
	}
	k1, k2 := byKey["k1"], byKey["k2"]
	if len(objs) != 2 || k1 == nil || k2 == nil {
		t.Fatalf("read = %v", objs)
	}
	if !reflect.DeepEqual(k1["value"], map[string]any{"n": int64(1)}) || k1["permission_read"] != int64(2) ||
		k1["permission_write"] != int64(1) || k1["user_id"] != user || k1["create_time"].(int64) <= 0 {
		t.Fatalf("k1 = %v", k1)
	}
	// A list value is stored as an object keyed by index, as Nakama converts it.
	if !reflect.DeepEqual(k2["value"], map[string]any{"1": "a"}) || k2["user_id"] != runtime.NilUUID || k2["permission_write"] != int64(0) {
		t.Fatalf("k2 = %v", k2)
	}

	// Conditional writes.
	e.wantErr(t, "failed to write storage objects: Storage write rejected - version check failed.",
		"storage_write", []any{obj("collection", "c", "key", "k1", "user_id", user, "value", obj(), "version", "*")})
	e.call(t, "storage_write", []any{obj("collection", "c", "key", "k1", "user_id", user, "value", obj(), "version", a0["version"])})

	// Deletes: a missing object without version is skipped; with a wrong
	// version nothing is deleted.
	e.call(t, "storage_delete", []any{obj("collection", "c", "key", "missing")})
	e.wantErr(t, "failed to remove storage: Storage delete rejected - not found, version check failed, or permission denied.",
		"storage_delete", []any{obj("collection", "c", "key", "k2", "user_id", runtime.NilUUID, "version", "nope")})
	e.call(t, "storage_delete", []any{obj("collection", "c", "key", "k2")})
	if got := e.call(t, "storage_read", []any{obj("collection", "c", "key", "k2")})[0].([]any); len(got) != 0 {
		t.Fatalf("k2 not deleted: %v", got)
	}
}

func TestStorageEmptyInputs(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"storage_read", "storage_write"} {
		for _, in := range []any{[]any{}, map[string]any{}, map[string]any{"a": obj()}} {
			if got := e.call(t, name, in)[0].([]any); len(got) != 0 {
				t.Errorf("%s(%v) = %v", name, in, got)
			}
		}
	}
	e.call(t, "storage_delete", []any{})
}

func TestStorageArgumentErrors(t *testing.T) {
	e := newEnv(t)
	bad := func(name string, elem any, msg string) {
		t.Helper()
		e.wantErr(t, "bad argument #1 to "+name+" ("+msg+")", name, []any{elem})
	}
	for _, name := range []string{"storage_read", "storage_write", "storage_delete"} {
		bad(name, obj("collection", int64(1), "key", "k"), "expects collection to be string")
		bad(name, obj("collection", "", "key", "k"), "expects collection to be a non-empty string")
		bad(name, obj("collection", "c", "key", true), "expects key to be string")
		bad(name, obj("collection", "c", "key", ""), "expects key to be a non-empty string")
		bad(name, obj("collection", "c", "key", "k", "user_id", int64(1)), "expects user_id to be string")
		bad(name, obj("collection", "c", "key", "k", "user_id", "nope"), "expects user_id to be a valid ID")
		bad(name, obj("key", "k", "value", obj()), "expects collection to be supplied")
		bad(name, obj("collection", "c", "value", obj()), "expects key to be supplied")
		bad(name, []any{}, "expects collection to be supplied")
	}
	bad("storage_read", "x", "expects a valid set of keys")
	bad("storage_write", "x", "expects a valid set of data")
	bad("storage_delete", "x", "expects a valid set of object IDs")
	bad("storage_write", obj("collection", "c", "key", "k"), "expects value to be supplied")
	bad("storage_write", obj("collection", "c", "key", "k", "value", "v"), "expects value to be table")
	bad("storage_write", obj("collection", "c", "key", "k", "value", obj(), "version", int64(1)), "expects version to be string")
	bad("storage_write", obj("collection", "c", "key", "k", "value", obj(), "version", ""), "expects version to be a non-empty string")
	bad("storage_write", obj("collection", "c", "key", "k", "value", obj(), "permission_read", "1"), "expects permission_read to be number")
	bad("storage_write", obj("collection", "c", "key", "k", "value", obj(), "permission_write", "1"), "expects permission_write to be number")
	bad("storage_delete", obj("collection", "c", "key", "k", "version", ""), "expects version to be a non-empty string")
	e.wantErr(t, "failed to write storage objects: Invalid Read permission supplied. It must be either 0, 1 or 2.",
		"storage_write", []any{obj("collection", "c", "key", "k", "value", obj(), "permission_read", int64(3))})
	e.wantErr(t, "bad argument #1 to storage_read (table expected, got string)", "storage_read", "x")
}

func TestStorageList(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
	var writes []any
	for _, k := range []string{"a", "b", "c"} {
		writes = append(writes, obj("collection", "l", "key", k, "user_id", alice, "value", obj("k", k), "permission_read", int64(2)))
	}
	writes = append(writes, obj("collection", "l", "key", "private", "user_id", alice, "value", obj(), "permission_read", int64(1)))
	writes = append(writes, obj("collection", "l", "key", "server", "value", obj()))
	e.call(t, "storage_write", writes)

	keys := func(out []any) []string {
		var ks []string
		for _, o := range out[0].([]any) {
			ks = append(ks, o.(map[string]any)["key"].(string))
		}
		return ks
	}
	out := e.call(t, "storage_list", alice, "l", int64(2))
	if len(keys(out)) != 2 || out[1] == nil {
		t.Fatalf("page 1 = %v, cursor %v", keys(out), out[1])
	}
	out2 := e.call(t, "storage_list", alice, "l", int64(10), out[1])
	if len(keys(out2)) != 2 || out2[1] != nil {
		t.Fatalf("page 2 = %v, cursor %v", keys(out2), out2[1])
	}
	// The server sees every owner's objects; a caller only what it may read.
	if got := keys(e.call(t, "storage_list", nil, "l", int64(10))); len(got) != 5 {
		t.Fatalf("server list = %v", got)
	}
	if got := keys(e.call(t, "storage_list", alice, "l", int64(10), nil, bob)); len(got) != 3 {
		t.Fatalf("bob's view = %v", got)
	}
	if got := keys(e.call(t, "storage_list", runtime.NilUUID, "l", int64(10))); len(got) != 1 || got[0] != "server" {
		t.Fatalf("server-owned = %v", got)
	}
	if out := e.call(t, "storage_list", nil, "l", int64(0)); len(out[0].([]any)) != 0 || out[1] != nil {
		t.Fatalf("limit 0 = %v", out)
	}
	e.wantErr(t, "bad argument #1 to storage_list (expects empty or a valid user ID)", "storage_list", "nope", "l", int64(1))
	e.wantErr(t, "bad argument #3 to storage_list (limit must not be negative)", "storage_list", nil, "l", int64(-1))
	e.wantErr(t, "bad argument #3 to storage_list (integer expected, got nil)", "storage_list", nil, "l")
	e.wantErr(t, "bad argument #5 to storage_list (expects caller ID to be empty or a valid identifier)", "storage_list", nil, "l", int64(1), nil, "x")
	e.wantErr(t, "failed to list storage objects: Malformed cursor was used.", "storage_list", nil, "l", int64(1), "garbage")
}

// storage_list has no upper limit: it reads pages of the service's maximum.
func TestStorageListBeyondServiceLimit(t *testing.T) {
	e := newEnv(t)
	var writes []any
	for i := range 130 {
		writes = append(writes, obj("collection", "big", "key", FormatNumber(int64(1000+i)), "value", obj()))
	}
	e.call(t, "storage_write", writes)
	out := e.call(t, "storage_list", nil, "big", int64(120))
	if n := len(out[0].([]any)); n != 120 || out[1] == nil {
		t.Fatalf("got %d objects, cursor %v", n, out[1])
	}
	rest := e.call(t, "storage_list", nil, "big", int64(1000), out[1])
	if n := len(rest[0].([]any)); n != 10 || rest[1] != nil {
		t.Fatalf("rest: %d objects, cursor %v", n, rest[1])
	}
}
