package rest_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// writeObjects writes objects (key → read permission) to collection as u.
func (f *fixture) writeObjects(u user, collection string, objects map[string]int) {
	f.t.Helper()
	body := `{"objects":[`
	keys := make([]string, 0, len(objects))
	for k := range objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			body += ","
		}
		body += `{"collection":` + quote(collection) + `,"key":` + quote(k) + `,"value":` + quote(`{"key":`+quote(k)+`}`) +
			`,"permission_read":` + strconv.Itoa(objects[k]) + `}`
	}
	body += `]}`
	f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: body})
}

// listPage is one page of a storage listing.
type listPage struct {
	keys   []string
	owners []string
	cursor string
}

func (f *fixture) list(u user, path string) listPage {
	f.t.Helper()
	body := f.ok(req{method: "GET", path: path, auth: []string{bearer(u.token)}})
	var p listPage
	objs, _ := body["objects"].([]any)
	for _, o := range objs {
		m := o.(map[string]any)
		p.keys = append(p.keys, str(m["key"]))
		p.owners = append(p.owners, str(m["user_id"]))
		if str(m["collection"]) == "" || str(m["value"]) == "" || str(m["version"]) == "" {
			f.t.Fatalf("%s: object without its fields: %v", path, m)
		}
	}
	p.cursor = str(body["cursor"])
	return p
}

// listAll pages through a listing at path with the query q and limit, and
// returns the keys by page.
func (f *fixture) listAll(u user, base string, query url.Values, limit string) [][]string {
	f.t.Helper()
	var pages [][]string
	cursor := ""
	for range 20 {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		if limit != "" {
			q.Set("limit", limit)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		path := base
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		p := f.list(u, path)
		pages = append(pages, p.keys)
		if p.cursor == "" {
			return pages
		}
		cursor = p.cursor
	}
	f.t.Fatalf("%s: more than 20 pages", base)
	return nil
}

// TestStorageListByOwner lists one owner's objects by path
// (GET /v2/storage/{collection}/{user_id}), page by page: the owner sees
// their private and public objects, another user the public ones only, and
// no other owner's or collection's objects appear.
func TestStorageListByOwner(t *testing.T) {
	f := newFixture(t)
	owner, other := f.newUser(), f.newUser()
	// Read permissions: 0 no read, 1 owner read, 2 public read.
	f.writeObjects(owner, "items", map[string]int{"a": 2, "b": 1, "c": 2, "d": 0, "e": 2, "f": 1})
	f.writeObjects(owner, "elsewhere", map[string]int{"z": 2})
	f.writeObjects(other, "items", map[string]int{"a": 2, "x": 2})

	cases := []struct {
		name   string
		caller user
		owner  user
		limit  string
		pages  [][]string
	}{
		{"owner, limit 2", owner, owner, "2", [][]string{{"a", "b"}, {"c", "e"}, {"f"}}},
		{"owner, limit 5", owner, owner, "5", [][]string{{"a", "b", "c", "e", "f"}}},
		{"owner, limit 100", owner, owner, "100", [][]string{{"a", "b", "c", "e", "f"}}},
		{"owner, exact page", owner, owner, "1", [][]string{{"a"}, {"b"}, {"c"}, {"e"}, {"f"}}},
		{"another user, limit 2", other, owner, "2", [][]string{{"a", "c"}, {"e"}}},
		{"owner of the other objects", owner, other, "10", [][]string{{"a", "x"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			base := "/v2/storage/items/" + c.owner.id
			got := f.listAll(c.caller, base, nil, c.limit)
			if !equalPages(got, c.pages) {
				t.Fatalf("pages %v, want %v", got, c.pages)
			}
			// Every object is the owner's.
			p := f.list(c.caller, base+"?limit=100")
			for _, o := range p.owners {
				if o != c.owner.id {
					t.Fatalf("listing of %s has an object of %s", c.owner.id, o)
				}
			}
			// The query form lists the same.
			if q := f.listAll(c.caller, "/v2/storage/items", url.Values{"user_id": {c.owner.id}}, c.limit); !equalPages(q, c.pages) {
				t.Fatalf("?user_id= pages %v, want %v as by path", q, c.pages)
			}
		})
	}
	f.t = t
	// Without a limit the listing still pages, with a cursor to the rest.
	first := f.list(owner, "/v2/storage/items/"+owner.id)
	if len(first.keys) == 0 || first.keys[0] != "a" || first.cursor == "" {
		t.Fatalf("listing without a limit: %+v", first)
	}
	// A collection nobody wrote lists nothing.
	if p := f.list(owner, "/v2/storage/none/"+owner.id+"?limit=10"); len(p.keys) != 0 || p.cursor != "" {
		t.Fatalf("empty collection: %+v", p)
	}
}

func equalPages(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}
