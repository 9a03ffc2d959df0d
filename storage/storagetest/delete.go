package storagetest

import (
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func testObjectAtomicity(t *testing.T, open Opener) {
	s := open(t)
	owner := "owner-" + newID()
	mustWrite(t, s, server,
		write("a", "existing", owner, `"old"`, 1, 1),
		write("a", "locked", owner, `"locked"`, 1, 0))
	bad := write("a", "existing", owner, `"new"`, 1, 1)
	bad.Version = "ffffffffffffffffffffffffffffffff"
	locked := write("a", "locked", owner, `"new"`, 1, 1)
	cases := []struct {
		name   string
		caller string
		ws     []runtime.ObjectWrite
		want   error
	}{
		{"bad version in the middle", server, []runtime.ObjectWrite{
			write("a", "z-new", owner, `1`, 1, 1), bad, write("a", "b-new", owner, `2`, 1, 1)}, runtime.ErrVersionMismatch},
		{"bad version first", server, []runtime.ObjectWrite{bad, write("a", "z-new", owner, `1`, 1, 1)}, runtime.ErrVersionMismatch},
		{"permission last", owner, []runtime.ObjectWrite{
			write("a", "b-new", owner, `1`, 1, 1), write("a", "existing", owner, `"new"`, 1, 1), locked}, runtime.ErrPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acks, err := s.WriteObjects(t.Context(), c.caller, c.ws)
			wantErr(t, err, c.want)
			if acks != nil {
				t.Fatalf("failed batch returned acks %+v", acks)
			}
			wantValue(t, s, "a", "existing", owner, `"old"`)
			wantValue(t, s, "a", "locked", owner, `"locked"`)
			wantValue(t, s, "a", "z-new", owner, "")
			wantValue(t, s, "a", "b-new", owner, "")
		})
	}
	t.Run("acks in input order", func(t *testing.T) {
		keys := []string{"k3", "k1", "k2"}
		var ws []runtime.ObjectWrite
		for _, k := range keys {
			ws = append(ws, write("order", k, owner, `"`+k+`"`, 1, 1))
		}
		for i, a := range mustWrite(t, s, server, ws...) {
			if a.Key != keys[i] || a.Version != runtime.ObjectVersion(ws[i].Value) {
				t.Fatalf("ack %d = %+v, want key %s", i, a, keys[i])
			}
		}
	})
	t.Run("delete batch with a bad version", func(t *testing.T) {
		err := s.DeleteObjects(t.Context(), server, []runtime.ObjectID{
			{Collection: "a", Key: "locked", UserID: owner},
			{Collection: "a", Key: "existing", UserID: owner, Version: bad.Version},
		})
		wantErr(t, err, runtime.ErrVersionMismatch)
		wantValue(t, s, "a", "locked", owner, `"locked"`)
	})
}

func testObjectDelete(t *testing.T, open Opener) {
	s := open(t)
	alice, bob := "alice-"+newID(), "bob-"+newID()
	stale := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name    string
		caller  string
		owner   string
		exists  bool
		write   int
		version string // "current" is replaced by the stored version
		want    error
		deleted bool
	}{
		{"server deletes", server, alice, true, 0, "", nil, true},
		{"server deletes own", server, server, true, 0, "", nil, true},
		{"owner deletes writable", alice, alice, true, 1, "", nil, true},
		{"owner deletes with version", alice, alice, true, 1, "current", nil, true},
		{"owner deletes locked", alice, alice, true, 0, "", runtime.ErrPermission, false},
		{"other user deletes", bob, alice, true, 1, "", runtime.ErrPermission, false},
		{"user deletes server object", bob, server, true, 1, "", runtime.ErrPermission, false},
		{"stale version", server, alice, true, 1, stale, runtime.ErrVersionMismatch, false},
		{"star on existing", server, alice, true, 1, "*", runtime.ErrVersionMismatch, false},
		{"missing is skipped", alice, alice, false, 1, "", nil, true},
		{"missing of another is skipped", bob, alice, false, 1, "", nil, true},
		{"star on missing", server, alice, false, 1, "*", nil, true},
		{"version on missing", server, alice, false, 1, stale, runtime.ErrVersionMismatch, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := newID()
			if c.exists {
				mustWrite(t, s, server, write("d", key, c.owner, `"x"`, 1, c.write))
			}
			id := runtime.ObjectID{Collection: "d", Key: key, UserID: c.owner, Version: c.version}
			if c.version == "current" {
				id.Version = runtime.ObjectVersion(`"x"`)
			}
			wantErr(t, s.DeleteObjects(t.Context(), c.caller, []runtime.ObjectID{id}), c.want)
			_, present := readOne(t, s, "d", key, c.owner)
			if present == c.deleted {
				t.Fatalf("object present = %v after delete, want %v", present, !c.deleted)
			}
		})
	}
	t.Run("batch", func(t *testing.T) {
		ws := []runtime.ObjectWrite{write("d", "b1", alice, "1", 1, 1), write("d", "b2", alice, "2", 1, 1)}
		mustWrite(t, s, server, ws...)
		ids := []runtime.ObjectID{{Collection: "d", Key: "b2", UserID: alice}, {Collection: "d", Key: "gone", UserID: alice},
			{Collection: "d", Key: "b1", UserID: alice}}
		wantErr(t, s.DeleteObjects(t.Context(), alice, ids), nil)
		wantValue(t, s, "d", "b1", alice, "")
		wantValue(t, s, "d", "b2", alice, "")
	})
}
