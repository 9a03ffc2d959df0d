package storagetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// listAll lists q page by page, checking each page's size, and returns every
// object's "owner/key" in listing order.
func listAll(t *testing.T, s Store, q runtime.ObjectList, names map[string]string) []string {
	t.Helper()
	var out []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("listing does not end")
		}
		objs, cursor, err := s.ListObjects(t.Context(), q)
		wantErr(t, err, nil)
		limit := cmpOr(q.Limit, 100)
		if len(objs) > limit || (cursor != "" && len(objs) != limit) {
			t.Fatalf("page %d has %d objects (limit %d) and cursor %q", pages, len(objs), limit, cursor)
		}
		for _, o := range objs {
			if o.Collection != q.Collection {
				t.Fatalf("listing of %q returned an object of %q", q.Collection, o.Collection)
			}
			out = append(out, names[o.UserID]+"/"+o.Key)
		}
		if cursor == "" {
			return out
		}
		q.Cursor = cursor
	}
}

func cmpOr(v, fallback int) int {
	if v == 0 {
		return fallback
	}
	return v
}

// listFixture writes, in collection "l", 7 objects for each of two users
// and the server, with every read permission, and one object elsewhere.
// Keys mix case and scripts so that the order is bytewise.
func listFixture(t *testing.T, s Store) (alice, bob string, names map[string]string) {
	t.Helper()
	// Random ids would make the order of owners random; these sort as named.
	alice, bob = "a-alice-"+newID(), "b-bob-"+newID()
	names = map[string]string{server: "server", alice: "alice", bob: "bob"}
	keys := []string{"Zeta", "alpha", "beta", "é", "🎮", "Alpha", "k7"}
	var ws []runtime.ObjectWrite
	for _, owner := range []string{bob, server, alice} {
		for i, k := range keys {
			ws = append(ws, write("l", k, owner, fmt.Sprintf(`{"i":%d}`, i), i%3, 1))
		}
	}
	ws = append(ws, write("other", "alpha", alice, "{}", 2, 1))
	mustWrite(t, s, server, ws...)
	return alice, bob, names
}

// expectedList is the listing of the fixture's objects of owners that pass keep.
func expectedList(names map[string]string, owners []string, keep func(owner string, read int) bool) []string {
	keys := []string{"Zeta", "alpha", "beta", "é", "🎮", "Alpha", "k7"}
	sorted := slices.Sorted(slices.Values(keys))
	var out []string
	for _, owner := range owners {
		for _, k := range sorted {
			if keep(owner, slices.Index(keys, k)%3) {
				out = append(out, names[owner]+"/"+k)
			}
		}
	}
	return out
}

func testObjectList(t *testing.T, open Opener) {
	s := open(t)
	alice, bob, names := listFixture(t, s)
	owners := []string{server, alice, bob}
	all := func(string, int) bool { return true }
	only := func(who string) func(string, int) bool { return func(o string, _ int) bool { return o == who } }
	empty := ""
	cases := []struct {
		name string
		q    runtime.ObjectList
		want []string
	}{
		{"all, one page", runtime.ObjectList{Collection: "l"}, expectedList(names, owners, all)},
		{"all, pages of 1", runtime.ObjectList{Collection: "l", Limit: 1}, expectedList(names, owners, all)},
		{"all, pages of 3", runtime.ObjectList{Collection: "l", Limit: 3}, expectedList(names, owners, all)},
		{"all, pages of 7", runtime.ObjectList{Collection: "l", Limit: 7}, expectedList(names, owners, all)},
		{"one owner", runtime.ObjectList{Collection: "l", UserID: &alice, Limit: 2}, expectedList(names, owners, only(alice))},
		{"server owned", runtime.ObjectList{Collection: "l", UserID: &empty, Limit: 4}, expectedList(names, owners, only(server))},
		{"unknown collection", runtime.ObjectList{Collection: "none"}, nil},
		{"unknown owner", runtime.ObjectList{Collection: "l", UserID: &[]string{"nobody"}[0]}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantEqual(t, "listing", listAll(t, s, c.q, names), c.want)
		})
	}
	t.Run("invalid cursor", func(t *testing.T) {
		for _, cursor := range []string{"%%%", "bm90IGpzb24", "W10"} {
			_, _, err := s.ListObjects(t.Context(), runtime.ObjectList{Collection: "l", Cursor: cursor})
			wantErr(t, err, runtime.ErrBadCursor)
			_, _, err = s.ListObjects(t.Context(), runtime.ObjectList{Caller: alice, Collection: "l", Cursor: cursor})
			wantErr(t, err, runtime.ErrBadCursor)
		}
	})
	t.Run("default limit", func(t *testing.T) {
		var ws []runtime.ObjectWrite
		for i := range 101 {
			ws = append(ws, write("big", fmt.Sprintf("k%03d", i), server, "{}", 2, 1))
		}
		mustWrite(t, s, server, ws...)
		objs, cursor, err := s.ListObjects(t.Context(), runtime.ObjectList{Collection: "big"})
		wantErr(t, err, nil)
		if len(objs) != 100 || cursor == "" {
			t.Fatalf("first page has %d objects and cursor %q", len(objs), cursor)
		}
		objs, cursor, err = s.ListObjects(t.Context(), runtime.ObjectList{Collection: "big", Cursor: cursor})
		wantErr(t, err, nil)
		if len(objs) != 1 || objs[0].Key != "k100" || cursor != "" {
			t.Fatalf("second page = %+v, cursor %q", objs, cursor)
		}
	})
}

func testObjectListPermissions(t *testing.T, open Opener) {
	s := open(t)
	alice, bob, names := listFixture(t, s)
	owners := []string{server, alice, bob}
	// Listing one owner shows what a read would; listing every owner shows a
	// user the public objects only, their own private ones excluded.
	visibleTo := func(caller string) func(string, int) bool {
		return func(owner string, read int) bool {
			return read == runtime.ReadPublic || (read == runtime.ReadOwner && owner == caller)
		}
	}
	public := func(_ string, read int) bool { return read == runtime.ReadPublic }
	all := func(string, int) bool { return true }
	stranger := "c-carol-" + newID()
	empty := ""
	cases := []struct {
		name   string
		caller string
		owner  *string
		want   []string
	}{
		{"alice, all owners", alice, nil, expectedList(names, owners, public)},
		{"bob, all owners", bob, nil, expectedList(names, owners, public)},
		{"stranger, all owners", stranger, nil, expectedList(names, owners, public)},
		{"alice lists bob", alice, &bob, expectedList(names, []string{bob}, visibleTo(alice))},
		{"alice lists herself", alice, &alice, expectedList(names, []string{alice}, visibleTo(alice))},
		{"alice lists the server", alice, &empty, expectedList(names, []string{server}, visibleTo(alice))},
		{"server, all owners", server, nil, expectedList(names, owners, all)},
		{"server lists alice", server, &alice, expectedList(names, []string{alice}, all)},
	}
	for _, c := range cases {
		for _, limit := range []int{1, 2, 5, 0} {
			t.Run(fmt.Sprintf("%s/limit=%d", c.name, limit), func(t *testing.T) {
				q := runtime.ObjectList{Caller: c.caller, Collection: "l", UserID: c.owner, Limit: limit}
				wantEqual(t, "listing", listAll(t, s, q, names), c.want)
			})
		}
	}
}
