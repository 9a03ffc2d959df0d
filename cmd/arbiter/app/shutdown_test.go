package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/test/testlog"
)

// newAppWithModules starts a server over the given Lua modules, logging
// to the returned buffer; the caller shuts it down.
func newAppWithModules(t *testing.T, c Config, modules map[string]string) (*App, *testlog.Buffer) {
	t.Helper()
	c.Watch = "false"
	c.Modules = t.TempDir()
	for name, src := range modules {
		if err := os.WriteFile(filepath.Join(c.Modules, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := &testlog.Buffer{}
	a, err := New(t.Context(), c, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a, logs
}

// shutdownAsRun shuts a down as Run does, within c.ShutdownGrace, and
// fails the test if that takes far longer; it returns how long it took.
func shutdownAsRun(t *testing.T, a *App) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- a.Shutdown(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown = %v", err)
		}
		return time.Since(start)
	case <-time.After(a.cfg.ShutdownGrace + 10*time.Second):
		t.Fatalf("Shutdown did not return within its grace of %s", a.cfg.ShutdownGrace)
		return 0
	}
}

// TestShutdownRunsShutdownHooks checks that App.Shutdown runs the function
// registered with nk.register_shutdown, in the shutdown execution mode, and
// that one that never returns is stopped by the hook budget without
// holding up the shutdown.
func TestShutdownRunsShutdownHooks(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string // in a log line
	}{
		{"runs", "nk.logger_info('shutdown hook ran in mode ' .. context.execution_mode)", "shutdown hook ran in mode shutdown"},
		{"endless loop", "while true do end", "shutdown hook failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testConfig(t)
			c.ShutdownGrace = 10 * time.Second
			c.Lua.HookBudget = 100 * time.Millisecond
			src := "local nk = require('nakama')\nnk.register_shutdown(function(context)\n" + tc.body + "\nend)\n"
			a, logs := newAppWithModules(t, c, map[string]string{"hooks.lua": src})
			if lines := logs.Lines(tc.want); len(lines) != 0 {
				t.Fatalf("logged before the shutdown: %v", lines)
			}
			took := shutdownAsRun(t, a)
			if lines := logs.Lines(tc.want); len(lines) != 1 {
				t.Fatalf("want one log line with %q after Shutdown, got:\n%s", tc.want, logs.String())
			}
			if took > c.ShutdownGrace/2 {
				t.Fatalf("Shutdown took %s: the hook held it up", took)
			}
		})
	}
}

// terminatingMatch is a Lua match module whose match_terminate logs the
// grace_seconds it gets and returns terminate.
func terminatingMatch(terminate string) string {
	return `local nk = require('nakama')
local M = {}
function M.match_init(context, params) return {}, 10, '' end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages) return state end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds)
  nk.logger_info('match_terminate grace_seconds=' .. grace_seconds)
  return ` + terminate + `
end
function M.match_signal(context, dispatcher, tick, state, data) return state, data end
return M
`
}

// TestShutdownGraceSeconds checks that match_terminate gets the configured
// --shutdown-grace in grace_seconds, and that a match that returns a state
// from it runs until the grace period ends and is then stopped, while one
// that returns nil lets the shutdown finish at once.
func TestShutdownGraceSeconds(t *testing.T) {
	cases := []struct {
		name      string
		grace     time.Duration
		terminate string // what match_terminate returns
		keeps     bool
	}{
		{"keeps its state, 2s", 2 * time.Second, "state", true},
		{"keeps its state, 3s", 3 * time.Second, "state", true},
		{"ends itself", 5 * time.Second, "nil", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testConfig(t)
			c.ShutdownGrace = tc.grace
			a, logs := newAppWithModules(t, c, map[string]string{"game.lua": terminatingMatch(tc.terminate)})
			const matches = 2
			for range matches {
				if _, err := a.engine.matches.Create(t.Context(), "game", nil); err != nil {
					t.Fatal(err)
				}
			}
			took := shutdownAsRun(t, a)
			want := "match_terminate grace_seconds=" + strconv.Itoa(int(tc.grace/time.Second))
			if lines := logs.Lines("match_terminate grace_seconds="); len(lines) != matches || len(logs.Lines(want+`"`)) != matches {
				t.Fatalf("want %d lines with %q, got:\n%s", matches, want, strings.Join(lines, "\n"))
			}
			if n := a.engine.matches.Count(); n != 0 {
				t.Fatalf("%d matches running after Shutdown", n)
			}
			switch {
			case tc.keeps && took < tc.grace-500*time.Millisecond:
				t.Fatalf("Shutdown took %s: the matches were stopped before the grace of %s ended", took, tc.grace)
			case !tc.keeps && took > tc.grace/2:
				t.Fatalf("Shutdown took %s: it waited for matches that had ended", took)
			}
		})
	}
}
