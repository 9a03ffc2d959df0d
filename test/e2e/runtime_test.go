package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// The JavaScript tests under runtime/ need server modules: the
// repository's sample modules (modules/: tictactoe, lobby, pingpong) and
// the fixtures of testdata/modules (Nakama's documented Lua examples,
// copied verbatim, and a few test-only modules). TestNakamaJS does not run
// them: its server has no modules.
var runtimeModules = []string{"../../modules", "testdata/modules"}

// runtimeConfig is the configuration of the servers under runtime/: a fast
// matchmaker, so that a test waits for a pass a few hundred milliseconds
// rather than Nakama's 15 s, and a generous callback budget, so that a
// match does not end because a busy machine ran the race detector over one
// of its callbacks (the budget itself is tested in runtime/match). The
// shutdown grace is short: a match whose match_terminate returns a state,
// as the documented minimal handler's does, runs on until the grace ends.
func runtimeConfig(revPrecision bool) func(*app.Config) {
	return func(c *app.Config) {
		c.ShutdownGrace = time.Second
		c.Matchmaker.Interval = 200 * time.Millisecond
		c.Matchmaker.MaxIntervals = 2
		c.Matchmaker.RevPrecision = revPrecision
		c.Match.CallBudget = 2 * time.Second
	}
}

// runtimeFiles gives each file of runtime/ its server. Every file gets a
// server of its own, so that its matches, labels and matchmaker tickets
// cannot meet another file's (node runs files in parallel; the tests of
// one file run one after the other).
var runtimeFiles = map[string]serverOptions{
	"runtime/lua_examples.test.mjs": {Modules: runtimeModules, Config: runtimeConfig(false)},
	"runtime/rpc.test.mjs":          {Modules: runtimeModules, Config: runtimeConfig(false)},
	"runtime/tictactoe.test.mjs":    {Modules: runtimeModules, Config: runtimeConfig(false)},
	// The Rust, AssemblyScript and Go versions of tictactoe.lua; e2e_rpcs.lua
	// creates their matches.
	"runtime/tictactoe_wasm.test.mjs": {Modules: runtimeModules, WASMModules: true, Config: runtimeConfig(false)},
	"runtime/matchmaker.test.mjs":     {Modules: runtimeModules, Config: runtimeConfig(false)},
	// Nakama's "should not match on range" cases hold only when every
	// member's query must match the others (rev_precision): with one-way
	// matching a ticket whose own property is out of the other's range
	// still finds that other ticket when it searches (see
	// matchmaker_mutual.test.mjs).
	"runtime/matchmaker_mutual.test.mjs": {Modules: runtimeModules, Config: runtimeConfig(true)},
	// The documentation's matched hook creates a pingpong match; it would
	// replace lobby.lua's hook, so it runs without lobby.lua.
	"runtime/matchmaker_hook.test.mjs": {
		Modules: []string{"../../modules/pingpong.lua", "testdata/matchmaker_hook"},
		Config:  runtimeConfig(false),
	},
	"runtime/session_end.test.mjs": {Modules: runtimeModules, Config: runtimeConfig(false)},
}

// TestRuntimeJS runs the JavaScript tests of runtime/ with nakama-js, each
// file against a server of its own loaded with modules. Matches, RPCs and
// the matchmaker live in memory; the store only holds the accounts, which
// TestNakamaJS covers on every store, so these run on SQLite only.
func TestRuntimeJS(t *testing.T) {
	requireNode(t)
	files, err := filepath.Glob("runtime/*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no runtime/*.test.mjs files found (%v)", err)
	}
	for _, f := range files {
		if _, ok := runtimeFiles[f]; !ok {
			t.Errorf("%s has no server in runtimeFiles", f)
		}
	}
	names := make([]string, 0, len(runtimeFiles))
	for f := range runtimeFiles {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		opts := runtimeFiles[f]
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test.mjs"), func(t *testing.T) {
			t.Parallel()
			s := startServer(t, opts)
			runNode(t, s, f)
		})
	}
}
