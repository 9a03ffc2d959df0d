package arbiter

import (
	"sort"

	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// RPCFunc serves an RPC: it returns the response payload, or an error
// (an *Error chooses the code the client sees; others are internal).
type RPCFunc func(ctx *Context, payload string) (string, error)

// MatchmakerEntry is one matched player.
type MatchmakerEntry struct {
	Presence   Presence
	Properties map[string]any
	PartyID    string
}

// MatchmakerFunc is the matchmaker hook: it returns the id of a match for
// the players, or "" to let them meet in a relayed match.
type MatchmakerFunc func(ctx *Context, entries []MatchmakerEntry) (string, error)

// ShutdownFunc runs when the server shuts down.
type ShutdownFunc func(ctx *Context) error

var (
	rpcs       = map[string]RPCFunc{}
	matches    = map[string]func() Match{}
	matchmaker MatchmakerFunc
	shutdown   ShutdownFunc
	onLoad     func(ctx *Context) error
)

// RegisterRPC serves RPC id (case-insensitive) with fn. Call it from an
// init function of package main.
func RegisterRPC(id string, fn RPCFunc) { rpcs[id] = fn }

// RegisterMatch serves match handler name: each match gets a new Match
// from newMatch, kept in the match's own instance.
func RegisterMatch(name string, newMatch func() Match) { matches[name] = newMatch }

// RegisterMatchmakerMatched sets the matchmaker hook.
func RegisterMatchmakerMatched(fn MatchmakerFunc) { matchmaker = fn }

// RegisterShutdown sets the shutdown hook.
func RegisterShutdown(fn ShutdownFunc) { shutdown = fn }

// OnLoad sets a function run once when the server loads the module (not
// in each instance): one-time setup that may call nk functions. An error
// fails the load.
func OnLoad(fn func(ctx *Context) error) { onLoad = fn }

// registrations is the arbiter_init reply.
func registrations() map[string]any {
	ids := make([]string, 0, len(rpcs))
	for id := range rpcs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r := map[string]any{
		"rpcs":               ids,
		"match_handlers":     abi.SortedKeys(matches),
		"matchmaker_matched": matchmaker != nil,
		"shutdown":           shutdown != nil,
	}
	if len(policies) > 0 {
		ps := make(map[string]any, len(policies))
		for name, p := range policies {
			ps[name] = p
		}
		r["match_policies"] = ps
	}
	return r
}
