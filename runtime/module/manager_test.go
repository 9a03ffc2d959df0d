package module

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

func TestLoadSwitchesAndReleasesTheReplacedSet(t *testing.T) {
	m, e := newManager(t)
	s1 := mustLoad(t, m, map[string]string{"a.fake": "rpc v one"})
	if s1.Version != 1 || call(t, m, "v") != "one" || m.Generation() != 1 {
		t.Fatalf("first set: version %d", s1.Version)
	}
	s2 := mustLoad(t, m, map[string]string{"a.fake": "rpc v two"})
	if s2.Version != 2 || call(t, m, "V") != "two" {
		t.Fatalf("second set: version %d", s2.Version)
	}
	first := e.instances()[0]
	if !first.trimmed.Load() || !first.closed.Load() {
		t.Fatal("the replaced set was not released")
	}
	st := m.Stats()
	if st.Version != 2 || st.Reloads != 1 || st.Failures != 0 || st.LiveSets != 1 {
		t.Fatalf("stats %+v", st)
	}
	if last := m.LastReload(); last.Err != nil || last.Version != 2 || last.Trigger != "load" {
		t.Fatalf("last reload %+v", last)
	}
}

func TestFailedLoadKeepsTheSet(t *testing.T) {
	m, e := newManager(t)
	mustLoad(t, m, map[string]string{"a.fake": "rpc v one"})
	_, err := m.Load(context.Background(), files(map[string]string{"a.fake": "rpc v two", "b.fake": "\n\nfail oops here"}))
	var le *LoadError
	if !errors.As(err, &le) || le.Path != "b.fake" || le.Line != 3 || err.Error() != "b.fake:3: oops here" {
		t.Fatalf("error %v, want b.fake:3: oops here", err)
	}
	if call(t, m, "v") != "one" || m.Current().Version != 1 {
		t.Fatal("the failed load switched")
	}
	if st := m.Stats(); st.Failures != 1 || st.Reloads != 0 {
		t.Fatalf("stats %+v", st)
	}
	last := m.LastReload()
	if !errors.As(last.Err, &le) || last.Version != 1 {
		t.Fatalf("last reload %+v", last)
	}
	if e.instances()[0].closed.Load() {
		t.Fatal("the serving set was closed")
	}
	// An unknown kind of file fails too, naming it.
	if _, err := m.Load(context.Background(), []File{{Name: "x", Path: "x.txt"}}); err == nil || !strings.Contains(err.Error(), "x.txt") {
		t.Fatalf("unknown file: %v", err)
	}
}

func TestRunningCallHoldsItsSet(t *testing.T) {
	m, e := newManager(t)
	mustLoad(t, m, map[string]string{"a.fake": "rpc slow block\nrpc v one"})
	done := make(chan error, 1)
	go func() {
		out, err := m.CallRPC(context.Background(), "slow", nil, "")
		if err == nil && out != "block" {
			err = fmt.Errorf("answer %q", out)
		}
		done <- err
	}()
	eventually(t, "the call to start", func() bool { return m.Current().calls.Load() == 1 })
	mustLoad(t, m, map[string]string{"a.fake": "rpc v two"})
	if call(t, m, "v") != "two" {
		t.Fatal("the next call did not use the new set")
	}
	old := e.instances()[0]
	if old.trimmed.Load() || old.closed.Load() {
		t.Fatal("the old set was released under a running call")
	}
	close(e.gate)
	if err := <-done; err != nil {
		t.Fatalf("the running call failed: %v", err)
	}
	if !old.trimmed.Load() || !old.closed.Load() {
		t.Fatal("the old set was not released after its last call")
	}
}

func TestMatchHoldsItsSet(t *testing.T) {
	m, e := newManager(t)
	mustLoad(t, m, map[string]string{"g.fake": "match game"})
	h, err := m.NewHandler(context.Background(), "game", match.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.NewHandler(context.Background(), "nope", match.Env{}); !errors.Is(err, match.ErrModuleNotFound) {
		t.Fatalf("unknown module: %v", err)
	}
	mustLoad(t, m, map[string]string{"g.fake": "match game"})
	mustLoad(t, m, map[string]string{"g.fake": "match game"})
	old := e.instances()[0]
	if !old.trimmed.Load() || old.closed.Load() {
		t.Fatalf("a set running a match: trimmed %v closed %v, want trimmed only", old.trimmed.Load(), old.closed.Load())
	}
	if !e.instances()[1].closed.Load() {
		t.Fatal("a set with no match was not released")
	}
	if st := m.Stats(); st.LiveSets != 2 {
		t.Fatalf("live sets %d, want 2 (the current one and the match's)", st.LiveSets)
	}
	if out, _ := h.Signal(context.Background(), 0, ""); out != "1:0" {
		t.Fatalf("the match runs on %q, want instance 1", out)
	}
	h.Close()
	h.Close() // harmless
	if !old.closed.Load() || m.Stats().LiveSets != 1 {
		t.Fatal("the set was not released when its last match ended")
	}
}

// TestConcurrentCallsDuringSwitches runs calls and match creations on many
// goroutines while sets switch: none fails, answers never go back to an
// older version, and every replaced set is released at the end.
func TestConcurrentCallsDuringSwitches(t *testing.T) {
	m, e := newManager(t)
	mustLoad(t, m, map[string]string{"a.fake": "rpc v 0\nmatch game"})
	var stop atomic.Bool
	var calls atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := -1
			for !stop.Load() {
				out, err := m.CallRPC(context.Background(), "v", nil, "")
				if err != nil {
					errs <- err
					return
				}
				var n int
				fmt.Sscan(out, &n)
				if n < last {
					errs <- fmt.Errorf("answer went back from %d to %d", last, n)
					return
				}
				last = n
				calls.Add(1)
				h, err := m.NewHandler(context.Background(), "game", match.Env{})
				if err != nil {
					errs <- err
					return
				}
				h.Close()
			}
		}()
	}
	for i := 1; i <= 100; i++ {
		mustLoad(t, m, map[string]string{"a.fake": fmt.Sprintf("rpc v %d\nmatch game", i)})
		if i%10 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if calls.Load() == 0 {
		t.Fatal("no call ran")
	}
	all := e.instances()
	for _, in := range all[:len(all)-1] {
		if !in.closed.Load() || in.handlers.Load() != 0 {
			t.Fatalf("instance %d: closed %v, %d handlers open", in.id, in.closed.Load(), in.handlers.Load())
		}
	}
	if st := m.Stats(); st.LiveSets != 1 || st.Reloads != 100 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		old     string
		next    string
		moved   bool
		wantErr string
	}{
		{"keep", "match game", "match game keep", false, ""},
		{"migrate", "match game", "match game migrate", true, ""},
		{"old policy does not count", "match game migrate", "match game keep", false, ""},
		{"no snapshot", "match game\nnosnapshot", "match game migrate", false, "cannot snapshot"},
		{"no restore", "match game", "match game migrate\nnorestore", false, "cannot restore"},
		{"module gone", "match game", "match other migrate", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, e := newManager(t)
			mustLoad(t, m, map[string]string{"g.fake": c.old})
			h, err := m.NewHandler(ctx, "game", match.Env{MatchID: "m1"})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { h.Close() }()
			for range 3 {
				_ = h.Loop(ctx, 0, nil)
			}
			// The current set: nothing to do.
			if nh, err := m.Upgrade(ctx, h, "game", match.Env{}, 3); nh != nil || err != nil {
				t.Fatalf("upgrade on the current set: %v, %v", nh, err)
			}
			mustLoad(t, m, map[string]string{"g.fake": c.next})
			nh, err := m.Upgrade(ctx, h, "game", match.Env{MatchID: "m1"}, 3)
			switch {
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want %q", err, c.wantErr)
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.moved != (nh != nil):
				t.Fatalf("moved = %v, want %v", nh != nil, c.moved)
			}
			if !c.moved {
				if out, _ := h.Signal(ctx, 0, ""); out != "1:3" {
					t.Fatalf("the kept handler answers %q", out)
				}
				return
			}
			h.Close() // as the match does after a replacement
			h = nh
			if out, _ := h.Signal(ctx, 0, ""); out != "2:3" {
				t.Fatalf("the migrated handler answers %q, want instance 2 with the state 3", out)
			}
			if !e.instances()[0].closed.Load() {
				t.Fatal("the old set was not released after the migration")
			}
			if st := m.Stats(); st.Migrations != 1 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestMatchmakerHookAndShutdown(t *testing.T) {
	m, _ := newManager(t)
	if m.MatchmakerHook() != nil {
		t.Fatal("an empty set has a hook")
	}
	m.RunShutdown(context.Background(), nil) // nothing to run
	if _, err := m.CallRPC(context.Background(), "x", nil, ""); !errors.Is(err, runtime.ErrFunctionNotFound) {
		t.Fatalf("unknown rpc: %v", err)
	}
	if d := m.Describe(); d != "version 0: 0 files, 0 rpcs" {
		t.Fatalf("Describe = %q", d)
	}
}
