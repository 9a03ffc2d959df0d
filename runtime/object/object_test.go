package object

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// fakeStore records what reaches the store and answers with err.
type fakeStore struct {
	caller string
	writes []runtime.ObjectWrite
	ids    []runtime.ObjectID
	list   *runtime.ObjectList
	calls  int
	err    error
}

func (f *fakeStore) ReadObjects(_ context.Context, caller string, ids []runtime.ObjectID) ([]runtime.Object, error) {
	f.calls++
	f.caller, f.ids = caller, ids
	return nil, f.err
}

func (f *fakeStore) WriteObjects(_ context.Context, caller string, ws []runtime.ObjectWrite) ([]runtime.ObjectAck, error) {
	f.calls++
	f.caller, f.writes = caller, ws
	if f.err != nil {
		return nil, f.err
	}
	return make([]runtime.ObjectAck, len(ws)), nil
}

func (f *fakeStore) DeleteObjects(_ context.Context, caller string, ids []runtime.ObjectID) error {
	f.calls++
	f.caller, f.ids = caller, ids
	return f.err
}

func (f *fakeStore) ListObjects(_ context.Context, q runtime.ObjectList) ([]runtime.Object, string, error) {
	f.calls++
	f.list = &q
	return nil, "", f.err
}

const (
	alice = "5f0c6a4e-1b2d-4c3e-8f40-000000000001"
	bob   = "5f0c6a4e-1b2d-4c3e-8f40-000000000002"
)

// wantMessage checks that err is an InvalidArgument error with message msg,
// or nil when msg is "".
func wantMessage(t *testing.T, err error, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var e *runtime.Error
	if !errors.As(err, &e) || e.Code != runtime.InvalidArgument || e.Message != msg {
		t.Fatalf("err = %#v, want InvalidArgument %q", err, msg)
	}
}

const (
	msgNames  = "Invalid collection or key value supplied. They must be set."
	msgLength = "Invalid collection or key value supplied. They must be at most 128 bytes."
	msgRead   = "Invalid Read permission supplied. It must be either 0, 1 or 2."
	msgWrite  = "Invalid Write permission supplied. It must be either 0 or 1."
	msgValue  = "Value must be a JSON object."
	msgUserID = "Invalid user ID - make sure user ID is a valid UUID."
	msgLimit  = "Invalid limit - limit must be between 1 and 100."
	msgOwner  = "Storage write rejected - an object of another user cannot be written."
)

func TestWriteValidation(t *testing.T) {
	ok := runtime.ObjectWrite{Collection: "c", Key: "k", Value: `{"a":1}`, PermissionRead: 1, PermissionWrite: 1}
	with := func(change func(*runtime.ObjectWrite)) runtime.ObjectWrite {
		w := ok
		change(&w)
		return w
	}
	long := strings.Repeat("n", MaxNameBytes+1)
	cases := []struct {
		name   string
		caller string
		w      runtime.ObjectWrite
		want   string
	}{
		{"valid", alice, ok, ""},
		{"valid with spaces around the object", alice, with(func(w *runtime.ObjectWrite) { w.Value = " \n{}\t" }), ""},
		{"names of 128 bytes", alice, with(func(w *runtime.ObjectWrite) { w.Collection, w.Key = long[1:], long[1:] }), ""},
		{"all permissions at their extremes", alice, with(func(w *runtime.ObjectWrite) { w.PermissionRead, w.PermissionWrite = 0, 0 }), ""},
		{"public read", alice, with(func(w *runtime.ObjectWrite) { w.PermissionRead = 2 }), ""},
		{"own user id", alice, with(func(w *runtime.ObjectWrite) { w.UserID = alice }), ""},
		{"server writes for a user", "", with(func(w *runtime.ObjectWrite) { w.UserID = bob }), ""},
		{"server writes its own", "", ok, ""},
		{"collection empty", alice, with(func(w *runtime.ObjectWrite) { w.Collection = "" }), msgNames},
		{"key empty", alice, with(func(w *runtime.ObjectWrite) { w.Key = "" }), msgNames},
		{"value empty", alice, with(func(w *runtime.ObjectWrite) { w.Value = "" }), msgNames},
		{"collection too long", alice, with(func(w *runtime.ObjectWrite) { w.Collection = long }), msgLength},
		{"key too long", alice, with(func(w *runtime.ObjectWrite) { w.Key = long }), msgLength},
		{"read 3", alice, with(func(w *runtime.ObjectWrite) { w.PermissionRead = 3 }), msgRead},
		{"read -1", alice, with(func(w *runtime.ObjectWrite) { w.PermissionRead = -1 }), msgRead},
		{"write 2", alice, with(func(w *runtime.ObjectWrite) { w.PermissionWrite = 2 }), msgWrite},
		{"write -1", alice, with(func(w *runtime.ObjectWrite) { w.PermissionWrite = -1 }), msgWrite},
		{"value an array", alice, with(func(w *runtime.ObjectWrite) { w.Value = `[{}]` }), msgValue},
		{"value a string", alice, with(func(w *runtime.ObjectWrite) { w.Value = `"{}"` }), msgValue},
		{"value a number", alice, with(func(w *runtime.ObjectWrite) { w.Value = `1` }), msgValue},
		{"value null", alice, with(func(w *runtime.ObjectWrite) { w.Value = `null` }), msgValue},
		{"value truncated", alice, with(func(w *runtime.ObjectWrite) { w.Value = `{"a":` }), msgValue},
		{"value with trailing text", alice, with(func(w *runtime.ObjectWrite) { w.Value = `{} {}` }), msgValue},
		{"value only spaces", alice, with(func(w *runtime.ObjectWrite) { w.Value = `  ` }), msgValue},
		{"another user's object", alice, with(func(w *runtime.ObjectWrite) { w.UserID = bob }), msgOwner},
		{"server writes for a bad user id", "", with(func(w *runtime.ObjectWrite) { w.UserID = "bob" }), msgUserID},
		{"names before permissions", alice, with(func(w *runtime.ObjectWrite) { w.Key, w.PermissionRead = "", 9 }), msgNames},
		{"permissions before value", alice, with(func(w *runtime.ObjectWrite) { w.PermissionWrite, w.Value = 5, "[]" }), msgWrite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &fakeStore{}
			// The bad object is second, after a valid one: nothing is written.
			_, err := New(store).Write(t.Context(), c.caller, []runtime.ObjectWrite{ok, c.w})
			wantMessage(t, err, c.want)
			if c.want != "" && store.calls != 0 {
				t.Fatalf("an invalid batch reached the store")
			}
		})
	}
}

func TestWriteOwner(t *testing.T) {
	store := &fakeStore{}
	ws := []runtime.ObjectWrite{
		{Collection: "c", Key: "a", Value: "{}", PermissionRead: 1, PermissionWrite: 1},
		{Collection: "c", Key: "b", Value: "{}", UserID: alice, PermissionRead: 1, PermissionWrite: 1},
	}
	acks, err := New(store).Write(t.Context(), alice, ws)
	if err != nil || len(acks) != 2 {
		t.Fatalf("Write = %v, %v", acks, err)
	}
	if store.caller != alice || store.writes[0].UserID != alice || store.writes[1].UserID != alice {
		t.Fatalf("store got caller %q and writes %+v; want every object owned by the caller", store.caller, store.writes)
	}
	store = &fakeStore{}
	if acks, err := New(store).Write(t.Context(), alice, nil); acks != nil || err != nil || store.calls != 0 {
		t.Fatalf("empty Write = %v, %v with %d store calls", acks, err, store.calls)
	}
}

func TestReadValidation(t *testing.T) {
	cases := []struct {
		name string
		id   runtime.ObjectID
		want string
	}{
		{"own object", runtime.ObjectID{Collection: "c", Key: "k", UserID: alice}, ""},
		{"server object", runtime.ObjectID{Collection: "c", Key: "k"}, ""},
		{"collection empty", runtime.ObjectID{Key: "k", UserID: alice}, msgNames},
		{"key empty", runtime.ObjectID{Collection: "c", UserID: alice}, msgNames},
		{"key too long", runtime.ObjectID{Collection: "c", Key: strings.Repeat("k", 129)}, msgLength},
		{"user id not a UUID", runtime.ObjectID{Collection: "c", Key: "k", UserID: "alice"}, msgUserID},
		{"user id upper-case braces", runtime.ObjectID{Collection: "c", Key: "k", UserID: "{" + alice + "}"}, msgUserID},
		{"nil UUID", runtime.ObjectID{Collection: "c", Key: "k", UserID: runtime.NilUUID}, msgUserID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &fakeStore{}
			_, err := New(store).Read(t.Context(), bob, []runtime.ObjectID{{Collection: "c", Key: "ok"}, c.id})
			wantMessage(t, err, c.want)
			if (store.calls != 0) != (c.want == "") {
				t.Fatalf("store calls = %d", store.calls)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	cases := []struct {
		name     string
		id       runtime.ObjectID
		storeErr error
		want     string
	}{
		{"own object", runtime.ObjectID{Collection: "c", Key: "k", Version: "v"}, nil, ""},
		{"names another user (ignored: a client deletes its own)", runtime.ObjectID{Collection: "c", Key: "k", UserID: bob}, nil, ""},
		{"collection empty", runtime.ObjectID{Key: "k"}, nil, msgNames},
		{"key too long", runtime.ObjectID{Collection: "c", Key: strings.Repeat("k", 129)}, nil, msgLength},
		{"refused by the store", runtime.ObjectID{Collection: "c", Key: "k"}, runtime.ErrDeleteRejected, runtime.ErrDeleteRejected.Message},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &fakeStore{err: c.storeErr}
			err := New(store).Delete(t.Context(), alice, []runtime.ObjectID{c.id})
			wantMessage(t, err, c.want)
			if c.want == "" || c.storeErr != nil {
				if store.caller != alice || store.ids[0].UserID != alice {
					t.Fatalf("store got caller %q and ids %+v; want the caller's own objects", store.caller, store.ids)
				}
			}
			if c.storeErr != nil && !errors.Is(err, runtime.ErrDeleteRejected) {
				t.Fatalf("err = %v, want it to match ErrDeleteRejected", err)
			}
		})
	}
	store := &fakeStore{err: errors.New("disk on fire")}
	if err := New(store).Delete(t.Context(), alice, []runtime.ObjectID{{Collection: "c", Key: "k"}}); runtime.CodeOf(err) != runtime.Internal {
		t.Fatalf("store failure = %v, want it passed on as internal", err)
	}
	t.Run("server deletes a user's object", func(t *testing.T) {
		store := &fakeStore{}
		if err := New(store).Delete(t.Context(), "", []runtime.ObjectID{{Collection: "c", Key: "k", UserID: bob}}); err != nil {
			t.Fatal(err)
		}
		if store.ids[0].UserID != bob {
			t.Fatalf("owner = %q, want %q", store.ids[0].UserID, bob)
		}
	})
}

func TestListValidation(t *testing.T) {
	user := func(s string) *string { return &s }
	cases := []struct {
		name      string
		q         runtime.ObjectList
		want      string
		wantLimit int
	}{
		{"default limit", runtime.ObjectList{Caller: alice, Collection: "c"}, "", 1},
		{"limit 1", runtime.ObjectList{Caller: alice, Collection: "c", Limit: 1}, "", 1},
		{"limit 100", runtime.ObjectList{Caller: alice, Collection: "c", Limit: 100}, "", 100},
		{"own objects", runtime.ObjectList{Caller: alice, Collection: "c", UserID: user(alice), Limit: 5}, "", 5},
		{"server objects", runtime.ObjectList{Collection: "c", UserID: user(""), Limit: 5}, "", 5},
		{"limit 101", runtime.ObjectList{Caller: alice, Collection: "c", Limit: 101}, msgLimit, 0},
		{"limit -1", runtime.ObjectList{Caller: alice, Collection: "c", Limit: -1}, msgLimit, 0},
		{"no collection", runtime.ObjectList{Caller: alice, Limit: 5}, "Invalid collection - collection must be set.", 0},
		{"user id not a UUID", runtime.ObjectList{Caller: alice, Collection: "c", UserID: user("bob")}, msgUserID, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &fakeStore{}
			_, _, err := New(store).List(t.Context(), c.q)
			wantMessage(t, err, c.want)
			if c.want != "" {
				if store.calls != 0 {
					t.Fatal("an invalid listing reached the store")
				}
				return
			}
			if store.list.Limit != c.wantLimit {
				t.Fatalf("store limit = %d, want %d", store.list.Limit, c.wantLimit)
			}
		})
	}
}
