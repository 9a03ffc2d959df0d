package storagetest

import (
	"fmt"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// server is the caller id of the server.
const server = ""

// write returns a write of value under (collection, key, owner) with the
// given permissions and no precondition.
func write(collection, key, owner, value string, read, perm int) runtime.ObjectWrite {
	return runtime.ObjectWrite{Collection: collection, Key: key, UserID: owner, Value: value,
		PermissionRead: read, PermissionWrite: perm}
}

// mustWrite writes ws as caller and fails the test on error.
func mustWrite(t *testing.T, s Store, caller string, ws ...runtime.ObjectWrite) []runtime.ObjectAck {
	t.Helper()
	acks, err := s.WriteObjects(t.Context(), caller, ws)
	if err != nil {
		t.Fatalf("WriteObjects as %q: %v", caller, err)
	}
	return acks
}

// readOne reads one object as the server; ok is false when it is missing.
func readOne(t *testing.T, s Store, collection, key, owner string) (runtime.Object, bool) {
	t.Helper()
	objs, err := s.ReadObjects(t.Context(), server, []runtime.ObjectID{{Collection: collection, Key: key, UserID: owner}})
	if err != nil {
		t.Fatalf("ReadObjects: %v", err)
	}
	if len(objs) == 0 {
		return runtime.Object{}, false
	}
	return objs[0], true
}

// wantValue fails the test unless the stored value is want ("" for missing).
func wantValue(t *testing.T, s Store, collection, key, owner, want string) {
	t.Helper()
	o, _ := readOne(t, s, collection, key, owner)
	if o.Value != want {
		t.Fatalf("%s/%s/%q holds %q, want %q", collection, key, owner, o.Value, want)
	}
}

func testObjectWrite(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	owner := newID()
	ws := []runtime.ObjectWrite{
		write("saves", "slot-2", owner, `{"hp":2}`, runtime.ReadOwner, runtime.WriteOwner),
		write("saves", "slot-1", owner, `{"hp":1}`, runtime.ReadPublic, runtime.WriteNone),
		write("配置", "ключ-🎮", server, `{"名前":"Ünïcødé","e":"🎮"}`, runtime.ReadNone, runtime.WriteNone),
	}
	acks := mustWrite(t, s, server, ws...)
	if len(acks) != len(ws) {
		t.Fatalf("%d acks for %d writes", len(acks), len(ws))
	}
	for i, w := range ws {
		a := acks[i]
		want := runtime.ObjectAck{Collection: w.Collection, Key: w.Key, UserID: w.UserID,
			Version: runtime.ObjectVersion(w.Value), CreateTime: a.CreateTime, UpdateTime: a.CreateTime}
		wantEqual(t, fmt.Sprintf("ack %d", i), a, want)
		if a.CreateTime.IsZero() {
			t.Fatalf("ack %d has no create time", i)
		}
		got, ok := readOne(t, s, w.Collection, w.Key, w.UserID)
		wantEqual(t, "read back", got, runtime.Object{Collection: w.Collection, Key: w.Key, UserID: w.UserID,
			Value: w.Value, Version: a.Version, PermissionRead: w.PermissionRead, PermissionWrite: w.PermissionWrite,
			CreateTime: a.CreateTime, UpdateTime: a.UpdateTime})
		if !ok {
			t.Fatal("written object is missing")
		}
	}

	// Overwriting keeps create_time and moves update_time.
	again := mustWrite(t, s, server, write("saves", "slot-2", owner, `{"hp":3}`, runtime.ReadOwner, runtime.WriteOwner))
	if !again[0].CreateTime.Equal(acks[0].CreateTime) || again[0].UpdateTime.Before(acks[0].UpdateTime) {
		t.Fatalf("overwrite ack %+v after %+v", again[0], acks[0])
	}

	t.Run("EmptyInputs", func(t *testing.T) {
		acks, err := s.WriteObjects(ctx, server, nil)
		if err != nil || len(acks) != 0 {
			t.Fatalf("WriteObjects(nil) = %v, %v", acks, err)
		}
		objs, err := s.ReadObjects(ctx, server, nil)
		if err != nil || len(objs) != 0 {
			t.Fatalf("ReadObjects(nil) = %v, %v", objs, err)
		}
		wantErr(t, s.DeleteObjects(ctx, server, nil), nil)
		objs, err = s.ReadObjects(ctx, owner, []runtime.ObjectID{{Collection: "saves", Key: "nope", UserID: owner}})
		if err != nil || len(objs) != 0 {
			t.Fatalf("reading a missing object = %v, %v", objs, err)
		}
	})
	t.Run("InvalidWrites", func(t *testing.T) {
		for _, w := range []runtime.ObjectWrite{
			write("", "k", owner, "{}", 1, 1),
			write("c", "", owner, "{}", 1, 1),
			write("c", "k", owner, "{}", 3, 1),
			write("c", "k", owner, "{}", -1, 1),
			write("c", "k", owner, "{}", 1, 2),
		} {
			_, err := s.WriteObjects(ctx, server, []runtime.ObjectWrite{write("c", "ok", owner, "{}", 1, 1), w})
			wantCode(t, err, runtime.InvalidArgument)
		}
		wantValue(t, s, "c", "ok", owner, "")
	})
}

func testObjectVersions(t *testing.T, open Opener) {
	const old, stale = `{"v":1}`, "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name    string
		exists  bool
		version string // "current" is replaced by the stored version
		want    error
	}{
		{"none, absent", false, "", nil},
		{"none, present", true, "", nil},
		{"star, absent", false, "*", nil},
		{"star, present", true, "*", runtime.ErrVersionMismatch},
		{"current", true, "current", nil},
		{"stale", true, stale, runtime.ErrVersionMismatch},
		{"version, absent", false, stale, runtime.ErrVersionMismatch},
	}
	s := open(t)
	for _, caller := range []string{server, "owner-" + newID()} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/caller=%q", c.name, caller), func(t *testing.T) {
				owner := caller
				key := newID()
				if c.exists {
					mustWrite(t, s, server, write("v", key, owner, old, 1, 1))
				}
				w := write("v", key, owner, `{"v":2}`, 1, 1)
				w.Version = c.version
				if c.version == "current" {
					w.Version = runtime.ObjectVersion(old)
				}
				acks, err := s.WriteObjects(t.Context(), caller, []runtime.ObjectWrite{w})
				wantErr(t, err, c.want)
				switch {
				case c.want == nil:
					wantEqual(t, "ack version", acks[0].Version, runtime.ObjectVersion(w.Value))
					wantValue(t, s, "v", key, owner, w.Value)
				case c.exists:
					wantValue(t, s, "v", key, owner, old)
				default:
					wantValue(t, s, "v", key, owner, "")
				}
			})
		}
	}
}

func testObjectWritePermissions(t *testing.T, open Opener) {
	s := open(t)
	alice, bob := "alice-"+newID(), "bob-"+newID()
	mustWrite(t, s, server,
		write("p", "locked", alice, `"locked"`, 1, runtime.WriteNone),
		write("p", "open", alice, `"open"`, 1, runtime.WriteOwner),
		write("p", "server", server, `"server"`, 2, runtime.WriteOwner))
	cases := []struct {
		name    string
		caller  string
		w       runtime.ObjectWrite
		version string
		want    error
	}{
		{"owner writes writable", alice, write("p", "open", alice, `1`, 1, 1), "", nil},
		{"owner writes new object", alice, write("p", "new", alice, `1`, 2, 0), "", nil},
		{"owner writes locked", alice, write("p", "locked", alice, `1`, 1, 1), "", runtime.ErrPermission},
		{"owner writes locked with version", alice, write("p", "locked", alice, `1`, 1, 1),
			runtime.ObjectVersion(`"locked"`), runtime.ErrPermission},
		{"owner writes locked with star", alice, write("p", "locked", alice, `1`, 1, 1), "*", runtime.ErrPermission},
		{"other writes writable", bob, write("p", "open", alice, `1`, 1, 1), "", runtime.ErrPermission},
		{"other creates for owner", bob, write("p", "bobs-gift", alice, `1`, 1, 1), "", runtime.ErrPermission},
		{"user writes server object", bob, write("p", "server", server, `1`, 1, 1), "", runtime.ErrPermission},
		{"server writes locked", server, write("p", "locked", alice, `"unlocked"`, 1, 0), "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := readOne(t, s, c.w.Collection, c.w.Key, c.w.UserID)
			c.w.Version = c.version
			_, err := s.WriteObjects(t.Context(), c.caller, []runtime.ObjectWrite{c.w})
			wantErr(t, err, c.want)
			if c.want != nil {
				wantValue(t, s, c.w.Collection, c.w.Key, c.w.UserID, before.Value)
			}
		})
	}
}

func testObjectReadPermissions(t *testing.T, open Opener) {
	s := open(t)
	alice, bob := "alice-"+newID(), "bob-"+newID()
	var ids []runtime.ObjectID
	for _, owner := range []string{alice, server} {
		for read := runtime.ReadNone; read <= runtime.ReadPublic; read++ {
			key := fmt.Sprintf("r%d", read)
			mustWrite(t, s, server, write("r", key, owner, "{}", read, 1))
			ids = append(ids, runtime.ObjectID{Collection: "r", Key: key, UserID: owner})
		}
	}
	ids = append(ids, runtime.ObjectID{Collection: "r", Key: "missing", UserID: alice})
	cases := []struct {
		caller string
		want   []string // owner/key of the visible objects, in ids order
	}{
		{server, []string{"alice/r0", "alice/r1", "alice/r2", "server/r0", "server/r1", "server/r2"}},
		{alice, []string{"alice/r1", "alice/r2", "server/r2"}},
		{bob, []string{"alice/r2", "server/r2"}},
	}
	name := map[string]string{alice: "alice", server: "server"}
	for _, c := range cases {
		objs, err := s.ReadObjects(t.Context(), c.caller, ids)
		wantErr(t, err, nil)
		var got []string
		for _, id := range ids {
			for _, o := range objs {
				if o.UserID == id.UserID && o.Key == id.Key {
					got = append(got, name[o.UserID]+"/"+o.Key)
				}
			}
		}
		if len(objs) != len(got) {
			t.Fatalf("caller %q read %d objects, %d of them asked for", c.caller, len(objs), len(got))
		}
		wantEqual(t, fmt.Sprintf("visible to %q", c.caller), got, c.want)
	}
}
