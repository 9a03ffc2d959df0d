package match

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// create starts a match of the "game" module and returns its id and handler.
func (e *env) create(t *testing.T) (string, *fakeHandler) {
	t.Helper()
	id, err := e.reg.Create(context.Background(), "game", nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	return id, e.f.handlers[len(e.f.handlers)-1]
}

// running reports whether match id is still in the registry.
func (e *env) running(id string) bool {
	_, ok, _ := e.reg.Get(id)
	return ok
}

// send queues match data from s to match id.
func (e *env) send(t *testing.T, s *session.Session, id string, op int64, data string) {
	t.Helper()
	if err := e.reg.Data(s, id, &rtapi.MatchDataSend{MatchId: id, OpCode: op, Data: []byte(data)}); err != nil {
		t.Fatalf("Data: %v", err)
	}
}

// got reports whether c received match data with op and data.
func (c *recConn) got(op int64, data string) bool {
	return c.find(func(env *rtapi.Envelope) bool {
		d := env.GetMatchData()
		return d != nil && d.OpCode == op && string(d.Data) == data
	}) != nil
}

// leftMatch reports whether c saw its own session leave a match.
func (c *recConn) leftMatch(sessionID string) bool {
	return c.find(func(env *rtapi.Envelope) bool {
		for _, l := range env.GetMatchPresenceEvent().GetLeaves() {
			if l.SessionId == sessionID {
				return true
			}
		}
		return false
	}) != nil
}

// shutdownWithin runs Shutdown(ctx, grace) and fails the test if it has not
// returned within limit; it returns how long Shutdown took.
func shutdownWithin(t *testing.T, reg *Registry, ctx context.Context, grace, limit time.Duration) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		reg.Shutdown(ctx, grace)
	}()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(limit):
		// The cleanup's Shutdown(…, 0) halts the matches, which frees
		// the blocked call.
		t.Fatalf("Shutdown(grace %s) still blocked after %s", grace, limit)
		return 0
	}
}

// TestShutdownGraceStopsMatchesThatKeepRunning is the regression test of a
// Shutdown that waited for each match on one timer: the timer fired once,
// for the first match, and with a context without a deadline Shutdown then
// waited forever for the second match that kept running after
// match_terminate. Every match that returns a state from match_terminate
// must keep ticking during the grace period and be stopped when it ends.
func TestShutdownGraceStopsMatchesThatKeepRunning(t *testing.T) {
	const grace = 300 * time.Millisecond
	cases := []struct {
		name    string
		matches int
		ctx     func(t *testing.T) context.Context
	}{
		{"one match, no deadline", 1, func(t *testing.T) context.Context { return t.Context() }},
		{"two matches, no deadline", 2, func(t *testing.T) context.Context { return t.Context() }},
		{"five matches, no deadline", 5, func(t *testing.T) context.Context { return t.Context() }},
		{"three matches, deadline after the grace", 3, func(t *testing.T) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			t.Cleanup(cancel)
			return ctx
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// loopsAtTerminate holds, per handler, its loop count when
			// match_terminate ran.
			var loopsAtTerminate sync.Map
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onTerminate = func(int) error {
					loopsAtTerminate.Store(h, h.loops.Load())
					return nil // keep the state: the match goes on
				}
			})
			var hs []*fakeHandler
			for range c.matches {
				_, h := e.create(t)
				hs = append(hs, h)
			}
			took := shutdownWithin(t, e.reg, c.ctx(t), grace, grace+5*time.Second)
			if took < grace {
				t.Errorf("Shutdown returned after %s, before the grace period of %s ended", took, grace)
			}
			if n := e.reg.Count(); n != 0 {
				t.Fatalf("%d matches still running after Shutdown", n)
			}
			for i, h := range hs {
				if !h.closed.Load() {
					t.Errorf("match %d: handler not closed", i)
				}
				v, ok := loopsAtTerminate.Load(h)
				if !ok {
					t.Errorf("match %d: match_terminate not called", i)
					continue
				}
				if at := v.(int64); h.loops.Load() <= at {
					t.Errorf("match %d: no tick after match_terminate (%d loops): a match that keeps its state runs until the grace ends", i, at)
				}
			}
		})
	}
}

// TestShutdownEndsEarlyWhenMatchesEnd checks that Shutdown does not wait
// out the grace period once every match has ended in match_terminate.
func TestShutdownEndsEarlyWhenMatchesEnd(t *testing.T) {
	const grace = time.Minute
	e := newEnv(t, Config{}, nil) // match_terminate returns a nil state
	for range 3 {
		e.create(t)
	}
	shutdownWithin(t, e.reg, t.Context(), grace, 10*time.Second)
	if n := e.reg.Count(); n != 0 {
		t.Fatalf("%d matches still running after Shutdown", n)
	}
}

// TestTerminateGraceSeconds checks the grace_seconds match_terminate gets:
// the grace period in whole seconds, rounded up (a grace taken from a
// deadline a moment into the shutdown is the configured value), and no
// match_terminate at all without a grace period.
func TestTerminateGraceSeconds(t *testing.T) {
	cases := []struct {
		name  string
		grace time.Duration
		want  int // -1: match_terminate not called
	}{
		{"whole seconds", 3 * time.Second, 3},
		{"from a deadline a moment ago", 3*time.Second - 20*time.Millisecond, 3},
		{"under a second", 200 * time.Millisecond, 1},
		{"one and a half", 1500 * time.Millisecond, 2},
		{"no grace", 0, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got atomic.Int64
			got.Store(-1)
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onTerminate = func(secs int) error {
					got.Store(int64(secs))
					return ErrNilState // end now: no need to wait out the grace
				}
			})
			_, h := e.create(t)
			shutdownWithin(t, e.reg, t.Context(), c.grace, c.grace+5*time.Second)
			if g := got.Load(); g != int64(c.want) {
				t.Fatalf("grace_seconds = %d, want %d (calls %v)", g, c.want, h.callList())
			}
		})
	}
}

// TestKick checks the real Match.Kick, called by a handler during
// match_loop: the kicked presence leaves the match stream, match_leave is
// called for it, it receives no more match data and its own data is
// dropped, while the other player stays.
func TestKick(t *testing.T) {
	const opKick, opSay = 1, 2
	cases := []struct {
		name   string
		kicker int // index of the player who sends the kick
		kicked int // index of the player kicked; -1: a session not in the match
	}{
		{"another player", 0, 1},
		{"the sender itself", 0, 0},
		{"a session not in the match", 0, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onLoop = func(_ context.Context, _ int64, msgs []Message) error {
					for _, m := range msgs {
						if m.OpCode == opKick {
							if err := h.env.Dispatcher.Kick([]Presence{{SessionID: string(m.Data)}}); err != nil {
								return err
							}
							continue
						}
						if err := h.env.Dispatcher.Broadcast(m.OpCode, m.Data, nil, &m.Sender, true); err != nil {
							return err
						}
					}
					return nil
				}
			})
			id, h := e.create(t)
			uuid, _, _ := ParseID(id)
			stream := e.reg.get(uuid).stream
			alice, ca := player("alice")
			bob, cb := player("bob")
			sessions, conns, names := []*session.Session{alice, bob}, []*recConn{ca, cb}, []string{"alice", "bob"}
			for _, s := range sessions {
				e.join(t, s, id)
			}
			eventually(t, "match_join for both", func() bool {
				calls := h.callList()
				return slices.Contains(calls, "join:alice") && slices.Contains(calls, "join:bob")
			})

			target := runtime.NewUUID().String()
			if c.kicked >= 0 {
				target = sessions[c.kicked].ID
			}
			e.send(t, sessions[c.kicker], id, opKick, target)
			stayer := 1 - c.kicked
			if c.kicked < 0 {
				stayer = c.kicker
			} else {
				eventually(t, "match_leave of the kicked player", func() bool {
					return slices.Contains(h.callList(), "leave:"+names[c.kicked])
				})
				kicked := sessions[c.kicked]
				if _, member := e.tracker.Get(kicked, stream); member {
					t.Fatal("the kicked session is still on the match stream")
				}
				if !conns[stayer].leftMatch(kicked.ID) {
					t.Error("the other player was not told of the kicked player's leave")
				}
				// The kicked player's own data is dropped: it sends first,
				// so its echo would come before the stayer's.
				e.send(t, kicked, id, opSay, "from the kicked")
			}
			e.send(t, sessions[stayer], id, opSay, "after the kick")
			eventually(t, "the echo after the kick", func() bool { return conns[stayer].got(opSay, "after the kick") })

			wantSize := 2
			if c.kicked >= 0 {
				wantSize = 1
				if conns[c.kicked].got(opSay, "after the kick") {
					t.Error("the kicked session still receives match data")
				}
				if conns[stayer].got(opSay, "from the kicked") {
					t.Error("data from the kicked session reached the match")
				}
			} else {
				for i, conn := range conns {
					if !conn.got(opSay, "after the kick") {
						t.Errorf("%s: no echo after kicking a stranger", names[i])
					}
				}
				for _, call := range h.callList() {
					if strings.HasPrefix(call, "leave:") {
						t.Errorf("kicking a stranger called match_leave: %v", h.callList())
					}
				}
			}
			if info, ok, _ := e.reg.Get(id); !ok || info.Size != wantSize {
				t.Fatalf("match after the kick: %+v, running %v; want size %d", info, ok, wantSize)
			}
		})
	}
}

// TestDeferredBroadcast checks broadcast_message_deferred: the message goes
// out once the callback has returned (after what it broadcast at once), and
// is dropped when the callback fails or ends the match.
func TestDeferredBroadcast(t *testing.T) {
	const opGo, opNow, opLater = 1, 2, 3
	cases := []struct {
		name string
		ret  error // what match_loop returns after deferring
		sent bool
	}{
		{"sent after the callback returns", nil, true},
		{"dropped when the callback errors", errors.New("boom"), false},
		{"dropped when the callback returns a nil state", ErrNilState, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var conn atomic.Pointer[recConn]
			var early atomic.Bool
			var deferErr atomic.Pointer[string]
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onLoop = func(_ context.Context, _ int64, msgs []Message) error {
					for _, m := range msgs {
						if m.OpCode != opGo {
							continue
						}
						if err := h.env.Dispatcher.BroadcastDeferred(opLater, []byte("later"), nil, nil, true); err != nil {
							msg := err.Error()
							deferErr.Store(&msg)
						}
						if err := h.env.Dispatcher.Broadcast(opNow, []byte("now"), nil, nil, true); err != nil {
							msg := err.Error()
							deferErr.Store(&msg)
						}
						// Sends are synchronous: a deferred message sent at once
						// would be there already.
						early.Store(conn.Load().got(opLater, "later"))
						return c.ret
					}
					return nil
				}
			})
			id, _ := e.create(t)
			a, ca := player("alice")
			conn.Store(ca)
			e.join(t, a, id)
			e.send(t, a, id, opGo, "")
			eventually(t, "the immediate broadcast", func() bool { return ca.got(opNow, "now") })
			if msg := deferErr.Load(); msg != nil {
				t.Fatalf("broadcast refused: %s", *msg)
			}
			if early.Load() {
				t.Fatal("the deferred message was sent before the callback returned")
			}
			if c.sent {
				eventually(t, "the deferred broadcast", func() bool { return ca.got(opLater, "later") })
				var ops []int64
				ca.find(func(env *rtapi.Envelope) bool {
					if d := env.GetMatchData(); d != nil {
						ops = append(ops, d.OpCode)
					}
					return false
				})
				if !slices.Equal(ops, []int64{opNow, opLater}) {
					t.Fatalf("match data op codes %v, want the immediate one then the deferred one", ops)
				}
				if !e.running(id) {
					t.Fatal("the match ended")
				}
				return
			}
			// The match ends; its players are told (a leave) after the
			// deferred messages would have gone.
			eventually(t, "the match to end", func() bool { return ca.leftMatch(a.ID) })
			if ca.got(opLater, "later") {
				t.Fatal("the deferred message of a failed callback was sent")
			}
		})
	}
}

// TestDeferredQueueLimit checks that a callback cannot defer more than
// DeferredQueueSize broadcasts, and that those it deferred still go out.
func TestDeferredQueueLimit(t *testing.T) {
	const limit = 3
	var refused atomic.Int64
	var armed atomic.Bool // the next match_loop defers the broadcasts
	e := newEnv(t, Config{DeferredQueueSize: limit}, func(h *fakeHandler) {
		h.onLoop = func(context.Context, int64, []Message) error {
			if !armed.CompareAndSwap(true, false) {
				return nil
			}
			for i := range limit + 2 {
				if h.env.Dispatcher.BroadcastDeferred(int64(10+i), nil, nil, nil, true) != nil {
					refused.Add(1)
				}
			}
			return nil
		}
	})
	a, ca := player("alice")
	id, _ := e.create(t)
	e.join(t, a, id)
	eventually(t, "alice in the match", func() bool { info, _, _ := e.reg.Get(id); return info.Size == 1 })
	armed.Store(true)
	eventually(t, "the deferred broadcasts", func() bool { return ca.got(10+limit-1, "") })
	if n := refused.Load(); n != 2 {
		t.Fatalf("%d deferred broadcasts refused, want 2", n)
	}
	if ca.got(10+limit, "") {
		t.Fatal("a refused deferred broadcast was sent")
	}
}

// TestReapEmptyMatches checks --match-max-empty: a match without players
// for MaxEmptySeconds ends; one with a player, or with no limit, goes on.
func TestReapEmptyMatches(t *testing.T) {
	const rate = 10
	cases := []struct {
		name     string
		maxEmpty int
		join     bool // a player joins, half the limit late
		leave    bool // and leaves after the limit has passed
		ends     bool
	}{
		{"empty", 1, false, false, true},
		{"with a player", 1, true, false, false},
		{"emptied", 1, true, true, true}, // counts afresh from the leave
		{"no limit", 0, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{MaxEmptySeconds: c.maxEmpty}, func(h *fakeHandler) { h.rate = rate })
			id, h := e.create(t)
			limit := int64(max(c.maxEmpty, 1) * rate) // in ticks
			from := int64(0)                          // loops before the match was last empty
			if c.join {
				eventually(t, "half the limit, empty", func() bool { return h.loops.Load() >= limit/2 })
				a, _ := player("alice")
				e.join(t, a, id)
				if c.leave {
					eventually(t, "the limit to pass with a player in", func() bool { return h.loops.Load() > limit+2 })
					if !e.running(id) {
						t.Fatal("a match with a player ended")
					}
					from = h.loops.Load()
					if err := e.reg.Leave(a, id); err != nil {
						t.Fatal(err)
					}
				}
			}
			if c.ends {
				eventually(t, "the empty match to end", func() bool { return !e.running(id) })
				if n := h.loops.Load(); n < from+limit-1 {
					t.Fatalf("ended after %d ticks (%d empty at most), before the limit of %d", n, n-from, limit)
				}
				return
			}
			eventually(t, "twice the limit", func() bool { return h.loops.Load() >= 2*limit })
			if !e.running(id) {
				t.Fatal("the match ended")
			}
		})
	}
}

// TestCallbackErrorEndsOnlyItsMatch checks that a callback that fails ends
// its own match, whose player is told, while another match keeps ticking
// and serving its player.
func TestCallbackErrorEndsOnlyItsMatch(t *testing.T) {
	cases := []struct {
		name     string
		callback string
		fail     func(e *env, h *fakeHandler, id string)
	}{
		{"match_loop", "match_loop", func(_ *env, h *fakeHandler, _ string) {}},
		{"match_signal", "match_signal", func(e *env, _ *fakeHandler, id string) {
			_, _ = e.reg.Signal(context.Background(), id, "x")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var bad atomic.Pointer[string]
			boom := errors.New("boom")
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onLoop = func(_ context.Context, _ int64, msgs []Message) error {
					if c.callback == "match_loop" {
						if id := bad.Load(); id != nil && *id == h.env.MatchID {
							return boom
						}
					}
					for _, m := range msgs {
						_ = h.env.Dispatcher.Broadcast(m.OpCode, m.Data, nil, &m.Sender, true)
					}
					return nil
				}
			})
			badID, badH := e.create(t)
			goodID, goodH := e.create(t)
			if c.callback == "match_signal" {
				badH.signalErr = boom // set before any signal: the signal's task sees it
			}
			a, ca := player("alice")
			b, cb := player("bob")
			e.join(t, a, badID)
			e.join(t, b, goodID)
			bad.Store(&badID)
			c.fail(e, badH, badID)
			eventually(t, "the failing match to end", func() bool { return !e.running(badID) })
			eventually(t, "its player to be told", func() bool { return ca.leftMatch(a.ID) })
			want := fmt.Sprintf("Match ended: %s failed: boom", c.callback)
			if ca.find(func(env *rtapi.Envelope) bool { return env.GetError().GetMessage() == want }) == nil {
				t.Errorf("the player of the failed match was not sent %q", want)
			}
			if !badH.closed.Load() {
				t.Error("the failed match's handler was not closed")
			}
			n := goodH.loops.Load()
			eventually(t, "the other match to keep ticking", func() bool { return goodH.loops.Load() > n+3 })
			e.send(t, b, goodID, 5, "still here")
			eventually(t, "the other match to echo", func() bool { return cb.got(5, "still here") })
			if !e.running(goodID) || goodH.closed.Load() {
				t.Fatal("the other match ended")
			}
			if cb.find(func(env *rtapi.Envelope) bool { return env.GetError() != nil }) != nil || cb.leftMatch(b.ID) {
				t.Fatal("the other match's player was told its match ended")
			}
		})
	}
}
