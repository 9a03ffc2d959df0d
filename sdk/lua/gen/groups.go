package main

import (
	"strings"

	"github.com/arbiterhq/arbiter/runtime/nk"
)

// group is a section of the reference: the functions whose names start
// with one of its prefixes.
type group struct {
	Title    string
	Doc      string
	Prefixes []string
	Funcs    []*nk.Func
}

// groupDefs are the sections, in order. A function no prefix matches goes
// to a last "Other functions" section, so a new nk function always appears.
func groupDefs() []group {
	return []group{
		{Title: "Registration", Prefixes: []string{"register_", "run_once", "get_context"},
			Doc: "What a module registers while it loads (its top-level code), and code that runs once per server process. Registrations made anywhere else (in an RPC, in a match) do nothing."},
		{Title: "Matches", Prefixes: []string{"match_"},
			Doc: "Authoritative matches, run by a match module (see [Match handler](#match-handler)), and relayed ones."},
		{Title: "Storage", Prefixes: []string{"storage_"},
			Doc: "Storage objects: JSON objects in collections, owned by a user or by the server (the nil UUID \"00000000-0000-0000-0000-000000000000\"). These functions act as the server: they bypass the objects' permissions."},
		{Title: "Accounts and users", Prefixes: []string{"account_", "users_"}},
		{Title: "Notifications", Prefixes: []string{"notification"}},
		{Title: "Streams and sessions", Prefixes: []string{"stream_", "session_"},
			Doc: "Streams are what presences join and realtime messages go through: chat channels, matches, parties, statuses, and streams of a module's own (see [nk_stream](#nk_stream))."},
		{Title: "Cache", Prefixes: []string{"localcache_"}},
		{Title: "Events", Prefixes: []string{"event"}},
		{Title: "Logging", Prefixes: []string{"logger_"}},
		{Title: "Utilities", Prefixes: []string{"json_", "uuid_", "time", "base64", "base16", "md5_", "sha256_", "hmac_"},
			Doc: "JSON, UUIDs, time, encodings and hashes."},
	}
}

// groups sorts funcs (already sorted by name) into their sections; empty
// sections are left out.
func groups(funcs []*nk.Func) []group {
	defs := groupDefs()
	other := group{Title: "Other functions"}
	for _, f := range funcs {
		placed := false
		for i := range defs {
			if defs[i].has(f.Name) {
				defs[i].Funcs = append(defs[i].Funcs, f)
				placed = true
				break
			}
		}
		if !placed {
			other.Funcs = append(other.Funcs, f)
		}
	}
	out := make([]group, 0, len(defs)+1)
	for _, g := range append(defs, other) {
		if len(g.Funcs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (g group) has(name string) bool {
	for _, p := range g.Prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
