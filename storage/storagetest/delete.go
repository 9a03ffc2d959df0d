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
		wantErr(t, err, runtime.ErrDeleteRejected)
		wantValue(t, s, "a", "locked", owner, `"locked"`)
	})
}

func testObjectDelete(t *testing.T, open Opener) {
	s := open(t)
	alice, bob := "alice-"+newID(), "bob-"+newID()
	stale := "0123456789abcdef0123456789abcdef"
	rejected := runtime.ErrDeleteRejected
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
		{"server deletes with version", server, alice, true, 0, "current", nil, true},
		{"owner deletes writable", alice, alice, true, 1, "", nil, true},
		{"owner deletes with version", alice, alice, true, 1, "current", nil, true},
		{"owner deletes locked", alice, alice, true, 0, "", rejected, false},
		{"owner deletes locked with version", alice, alice, true, 0, "current", rejected, false},
		{"other user deletes", bob, alice, true, 1, "", rejected, false},
		{"user deletes server object", bob, server, true, 1, "", rejected, false},
		{"owner stale version", alice, alice, true, 1, stale, rejected, false},
		{"owner star on existing", alice, alice, true, 1, "*", rejected, false},
		{"server stale version", server, alice, true, 1, stale, rejected, false},
		{"server star on existing", server, alice, true, 1, "*", rejected, false},
		{"owner missing", alice, alice, false, 1, "", rejected, true},
		{"owner missing with version", alice, alice, false, 1, stale, rejected, true},
		{"missing of another", bob, alice, false, 1, "", rejected, true},
		{"server missing is skipped", server, alice, false, 1, "", nil, true},
		{"server star on missing", server, alice, false, 1, "*", rejected, true},
		{"server version on missing", server, alice, false, 1, stale, rejected, true},
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
	batches := []struct {
		name    string
		caller  string
		objects []runtime.ObjectWrite
		ids     []runtime.ObjectID
		want    error
	}{
		{"server batch skips missing", server,
			[]runtime.ObjectWrite{write("d", "s1", alice, "1", 1, 0), write("d", "s2", bob, "2", 1, 1)},
			[]runtime.ObjectID{{Collection: "d", Key: "s2", UserID: bob}, {Collection: "d", Key: "gone", UserID: alice},
				{Collection: "d", Key: "s1", UserID: alice}}, nil},
		{"user batch", alice,
			[]runtime.ObjectWrite{write("d", "u1", alice, "1", 1, 1), write("d", "u2", alice, "2", 1, 1)},
			[]runtime.ObjectID{{Collection: "d", Key: "u2", UserID: alice}, {Collection: "d", Key: "u1", UserID: alice}}, nil},
		{"user batch with a missing id", alice,
			[]runtime.ObjectWrite{write("d", "m1", alice, "1", 1, 1), write("d", "m2", alice, "2", 1, 1)},
			[]runtime.ObjectID{{Collection: "d", Key: "m2", UserID: alice}, {Collection: "d", Key: "gone", UserID: alice},
				{Collection: "d", Key: "m1", UserID: alice}}, rejected},
		{"user batch with a locked id", alice,
			[]runtime.ObjectWrite{write("d", "l1", alice, "1", 1, 1), write("d", "l2", alice, "2", 1, 0)},
			[]runtime.ObjectID{{Collection: "d", Key: "l1", UserID: alice}, {Collection: "d", Key: "l2", UserID: alice}}, rejected},
		{"server batch with a stale version", server,
			[]runtime.ObjectWrite{write("d", "v1", alice, "1", 1, 1), write("d", "v2", alice, "2", 1, 1)},
			[]runtime.ObjectID{{Collection: "d", Key: "v1", UserID: alice}, {Collection: "d", Key: "v2", UserID: alice, Version: stale}},
			rejected},
	}
	for _, b := range batches {
		t.Run(b.name, func(t *testing.T) {
			mustWrite(t, s, server, b.objects...)
			wantErr(t, s.DeleteObjects(t.Context(), b.caller, b.ids), b.want)
			for _, o := range b.objects {
				want := ""
				if b.want != nil {
					want = o.Value // all or none: a rejected batch deletes nothing
				}
				wantValue(t, s, o.Collection, o.Key, o.UserID, want)
			}
		})
	}
}
