package wasm

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// migratingGuest is matchGuest with the snapshot and restore exports
// answering with the given replies, and the policies in its init reply.
func migratingGuest(policies map[string]any, snapshot, restore *cannedReply) *guest {
	g := matchGuestWith(map[string]any{"match_handlers": []any{"arena"}, "match_policies": policies}, nil)
	if snapshot != nil {
		g.reply(exSnapshot.String(), snapshot.status, snapshot.value)
	}
	if restore != nil {
		g.reply(exRestore.String(), restore.status, restore.value)
	}
	return g
}

func TestReloadPolicyRegistrations(t *testing.T) {
	e := newEngine(t, Config{})
	ok := &cannedReply{statusOK, []byte("state")}
	tests := []struct {
		name     string
		policies map[string]any
		snap     *cannedReply
		restore  *cannedReply
		want     module.Policy // "" when the load fails
		err      string
	}{
		{"none", nil, nil, nil, module.PolicyKeep, ""},
		{"keep", map[string]any{"arena": "keep"}, nil, nil, module.PolicyKeep, ""},
		{"migrate", map[string]any{"arena": "migrate"}, ok, ok, module.PolicyMigrate, ""},
		{"migrate without exports", map[string]any{"arena": "migrate"}, nil, ok, "",
			`registers the migrate policy for "arena" but does not export arbiter_match_snapshot`},
		{"unknown handler", map[string]any{"other": "keep"}, nil, nil, "", `match_policies names "other", which is not in match_handlers`},
		{"bad value", map[string]any{"arena": "sometimes"}, nil, nil, "", `match_policies["arena"]: reload policy must be`},
		{"not a string", map[string]any{"arena": int64(1)}, nil, nil, "", `match_policies["arena"] must be`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _, err := loadOne(t, e, "arena.wasm", migratingGuest(tc.policies, tc.snap, tc.restore).bytes())
			if tc.err != "" {
				var le *module.LoadError
				if !errors.As(err, &le) || le.Path != "arena.wasm" {
					t.Fatalf("error %v, want a LoadError naming arena.wasm", err)
				}
				wantErr(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p, found := l.MatchPolicy("arena"); !found || p != tc.want {
				t.Fatalf("policy %q %v, want %q", p, found, tc.want)
			}
			if _, found := l.MatchPolicy("nope"); found {
				t.Fatal("an unknown handler has a policy")
			}
		})
	}
}

func TestSnapshotRestoreCanned(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, Config{})
	newMatch := func(t *testing.T, g *guest) (*loaded, match.Handler) {
		t.Helper()
		l, _ := mustLoad(t, e, "arena.wasm", g.bytes())
		h, err := l.NewHandler(ctx, "arena", matchEnv(&fakeDispatcher{}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.Close)
		return l, h
	}

	t.Run("no exports", func(t *testing.T) {
		l, h := newMatch(t, migratingGuest(nil, nil, nil))
		if _, err := h.(match.Snapshotter).Snapshot(ctx, 1); err == nil || !strings.Contains(err.Error(), "does not export arbiter_match_snapshot") {
			t.Fatalf("snapshot: %v", err)
		}
		if err := h.Loop(ctx, 1, nil); err != nil {
			t.Fatalf("the match broke after a refused snapshot: %v", err)
		}
		if _, err := l.Restore(ctx, "arena", matchEnv(&fakeDispatcher{}), 1, []byte("x")); err == nil || !strings.Contains(err.Error(), "does not export arbiter_match_restore") {
			t.Fatalf("restore: %v", err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		l, h := newMatch(t, migratingGuest(nil, &cannedReply{statusOK, []byte{1, 2, 3}}, &cannedReply{statusOK, nil}))
		snap, err := h.(match.Snapshotter).Snapshot(ctx, 1)
		if err != nil || string(snap.([]byte)) != "\x01\x02\x03" {
			t.Fatalf("snapshot %v %v", snap, err)
		}
		nh, err := l.Restore(ctx, "arena", matchEnv(&fakeDispatcher{}), 1, snap)
		if err != nil {
			t.Fatal(err)
		}
		defer nh.Close()
		if err := nh.Loop(ctx, 2, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Restore(ctx, "arena", matchEnv(&fakeDispatcher{}), 1, map[string]any{}); err == nil {
			t.Fatal("restored from a map")
		}
		if _, err := l.Restore(ctx, "nope", matchEnv(&fakeDispatcher{}), 1, snap); !errors.Is(err, match.ErrModuleNotFound) {
			t.Fatalf("unknown handler: %v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		l, h := newMatch(t, migratingGuest(nil, &cannedReply{statusError, errMap("not now")}, &cannedReply{statusError, errMap("bad data")}))
		if _, err := h.(match.Snapshotter).Snapshot(ctx, 1); err == nil || err.Error() != "not now" {
			t.Fatalf("snapshot: %v", err)
		}
		if err := h.Loop(ctx, 1, nil); err != nil {
			t.Fatalf("the match broke after a refused snapshot: %v", err)
		}
		if _, err := l.Restore(ctx, "arena", matchEnv(&fakeDispatcher{}), 1, []byte("x")); err == nil || err.Error() != "bad data" {
			t.Fatalf("restore: %v", err)
		}
	})
	t.Run("not bytes", func(t *testing.T) {
		_, h := newMatch(t, migratingGuest(nil, &cannedReply{statusOK, int64(7)}, nil))
		if _, err := h.(match.Snapshotter).Snapshot(ctx, 1); err == nil || !strings.Contains(err.Error(), "want bytes") {
			t.Fatalf("snapshot: %v", err)
		}
	})
}

// TestSDKMigrate moves a match of the Go SDK's arena example to a second
// load of the module: the state (players, message count) carries over.
func TestSDKMigrate(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, sdkConfig(t, Config{}))
	old, _ := mustLoad(t, e, "examples/match.wasm", sdkExample(t, "match"))
	if p, _ := old.MatchPolicy("arena"); p != module.PolicyMigrate {
		t.Fatalf("the example's policy is %q, want migrate", p)
	}
	env := matchEnv(&fakeDispatcher{})
	h, err := old.NewHandler(ctx, "arena", env)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Init(ctx, map[string]any{"capacity": int64(3)}); err != nil {
		t.Fatal(err)
	}
	p1 := match.Presence{UserID: "u1", SessionID: "s1", Username: "one", Node: "node"}
	if err := h.Join(ctx, 0, []match.Presence{p1}); err != nil {
		t.Fatal(err)
	}
	msgs := []match.Message{{Sender: p1, OpCode: 1, Data: []byte("a")}, {Sender: p1, OpCode: 1, Data: []byte("b")}}
	if err := h.Loop(ctx, 1, msgs); err != nil {
		t.Fatal(err)
	}
	snap, err := h.(match.Snapshotter).Snapshot(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}

	next, _ := mustLoad(t, e, "examples/match.wasm", sdkExample(t, "match"))
	env.Context.MatchLabel = "players=1"
	nh, err := next.Restore(ctx, "arena", env, 2, snap)
	if err != nil {
		t.Fatal(err)
	}
	defer nh.Close()
	if err := nh.Loop(ctx, 2, msgs[:1]); err != nil {
		t.Fatal(err)
	}
	if out, err := nh.Signal(ctx, 3, "count"); err != nil || out != "messages=3 label=players=1" {
		t.Fatalf("signal %q %v, want the count carried over (3) and the match's label", out, err)
	}
	// The players carried over too: the last one leaving ends the match.
	if err := nh.Leave(ctx, 3, []match.Presence{p1}); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("leave of the last player: %v", err)
	}
}

func TestTrimClosesPools(t *testing.T) {
	e := newEngine(t, Config{})
	l, r := mustLoad(t, e, "m.wasm", okGuest().bytes())
	ctx := context.Background()
	if out, err := r.rpcs["echo"](ctx, nil, ""); err != nil || out != "pong" {
		t.Fatalf("before Trim: %q %v", out, err)
	}
	l.Trim()
	if _, err := r.rpcs["echo"](ctx, nil, ""); !errors.Is(err, errPoolClosed) {
		t.Fatalf("after Trim: %v", err)
	}
}
