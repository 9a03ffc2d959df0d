package module

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/test/testlog"
)

// TestReloadSwitchesHooks loads versions of a module in turn: the
// matchmaker hook and the shutdown hooks that run are always those of the
// current version, also through a hook taken before a reload.
func TestReloadSwitchesHooks(t *testing.T) {
	ctx := context.Background()
	logs := &testlog.Buffer{}
	m, e := newManagerLog(t, debugLogger(logs))
	steps := []struct {
		name       string
		src        string
		matchmaker string   // the hook's answer; "" for no hook
		shutdown   []string // the shutdown hooks run
		failed     bool     // a shutdown hook failed, and was logged
	}{
		{"v1", "matchmaker v1\nshutdown v1", "v1", []string{"v1"}, false},
		{"v2", "matchmaker v2\nshutdown v2", "v2", []string{"v2"}, false},
		{"v3 without hooks", "rpc x y", "", nil, false},
		{"v4 hooks again", "matchmaker v4\nshutdown v4", "v4", []string{"v4"}, false},
		{"v5 failing shutdown", "matchmaker v5\nshutdown fail", "v5", []string{"fail"}, true},
	}
	var before MatchmakerFunc // the hook as the previous version gave it
	for _, st := range steps {
		mustLoad(t, m, map[string]string{"hooks.fake": st.src})
		hook := m.MatchmakerHook()
		if st.matchmaker == "" {
			if hook != nil {
				t.Fatalf("%s: a hook without a registration", st.name)
			}
		} else {
			if hook == nil {
				t.Fatalf("%s: no matchmaker hook", st.name)
			}
			if got, err := hook(ctx, nil, nil); err != nil || got != st.matchmaker {
				t.Fatalf("%s: the hook answers %q %v, want %q", st.name, got, err, st.matchmaker)
			}
		}
		if before != nil {
			// Taken before the reload, the hook runs the current version; a
			// version without one answers "" (a relayed match).
			if got, err := before(ctx, nil, nil); err != nil || got != st.matchmaker {
				t.Fatalf("%s: the previous hook answers %q %v, want %q", st.name, got, err, st.matchmaker)
			}
		}
		if hook != nil {
			before = hook
		}
		m.RunShutdown(ctx, nil)
		if got := e.shutdowns(); !slices.Equal(got, st.shutdown) {
			t.Fatalf("%s: shutdown hooks run %q, want %q", st.name, got, st.shutdown)
		}
		failures := logs.Records(t, "shutdown hook failed")
		if got := len(failures) > 0; got != st.failed {
			t.Fatalf("%s: shutdown failure logged = %v, want %v", st.name, got, st.failed)
		}
		if st.failed && !strings.Contains(failures[0]["error"].(string), "shutdown hook fail failed") {
			t.Fatalf("%s: logged %v", st.name, failures[0])
		}
	}
}

// TestMigrateFallbackIsLogged checks the warning of a match that was to
// migrate to the new code but keeps its own, with what says which match
// and why.
func TestMigrateFallbackIsLogged(t *testing.T) {
	const warning = "match keeps its code: its state could not be handed to the new code"
	ctx := context.Background()
	tests := []struct {
		name, old, next string
		reason          string // a part of the logged error; "" for no warning
	}{
		{"no snapshot", "match game\nnosnapshot", "match game migrate", "cannot snapshot"},
		{"no restore", "match game", "match game migrate\nnorestore", "restoring the state in the new code: cannot restore"},
		{"module gone", "match game", "match other migrate", ""}, // the new code has no "game": no migration to try
		{"keep", "match game", "match game keep", ""},
		{"migrated", "match game", "match game migrate", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testlog.Buffer{}
			m, _ := newManagerLog(t, debugLogger(logs))
			mustLoad(t, m, map[string]string{"g.fake": tc.old})
			h, err := m.NewHandler(ctx, "game", match.Env{MatchID: "m1.node"})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			mustLoad(t, m, map[string]string{"g.fake": tc.next})
			nh, err := m.Upgrade(ctx, h, "game", match.Env{MatchID: "m1.node"}, 3)
			if nh != nil {
				defer nh.Close()
			}
			recs := logs.Records(t, warning)
			if tc.reason == "" {
				if len(recs) != 0 {
					t.Fatalf("logged %v, want no warning", recs)
				}
				return
			}
			if err == nil || nh != nil {
				t.Fatalf("upgrade: %v %v, want the match to keep its code", nh, err)
			}
			if len(recs) != 1 {
				t.Fatalf("%d warnings logged, want 1", len(recs))
			}
			r := recs[0]
			want := map[string]any{"level": "WARN", "match_id": "m1.node", "module": "game",
				"version": float64(1), "new_version": float64(2)}
			for k, v := range want {
				if r[k] != v {
					t.Errorf("%s = %v, want %v (record %v)", k, r[k], v, r)
				}
			}
			if msg, _ := r["error"].(string); !strings.Contains(msg, tc.reason) {
				t.Errorf("error %q, want it to contain %q", msg, tc.reason)
			}
			if st := m.Stats(); st.MigrationFailures != 1 {
				t.Errorf("stats %+v, want one migration failure", st)
			}
		})
	}
}
