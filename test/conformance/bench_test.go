package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// The benchmarks drive the four tic-tac-toe versions through match.Handler
// as a match's goroutine does, with a dispatcher that only counts, so that
// they measure the VMs and the modules, not the registry and the router.
// Each call runs under a runtime.Budget, as in the server (the WASM engine
// checks for its end at every loop back-edge; see sdk/go/arbiter/keys.go).

// short names the benchmarks' rows.
func short(handler string) string {
	if s, ok := strings.CutPrefix(handler, "tictactoe_"); ok {
		return s
	}
	return "lua"
}

// countDispatcher counts broadcasts and keeps the label in the context.
type countDispatcher struct {
	sent int
	ctx  *runtime.CallContext
}

func (d *countDispatcher) Broadcast(int64, []byte, []match.Presence, *match.Presence, bool) error {
	d.sent++
	return nil
}

func (d *countDispatcher) BroadcastDeferred(int64, []byte, []match.Presence, *match.Presence, bool) error {
	d.sent++
	return nil
}

func (d *countDispatcher) Kick([]match.Presence) error { return nil }

func (d *countDispatcher) UpdateLabel(label string) error {
	d.ctx.MatchLabel = label
	return nil
}

func presence(p player) match.Presence {
	return match.Presence{UserID: p.userID, SessionID: p.session, Username: p.username, Node: node, Reason: 1}
}

// newMatch creates and initialises a match of handler on w's modules.
func newMatch(tb testing.TB, w *world, handler string, ctx context.Context) (match.Handler, *countDispatcher) {
	c := &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: node, MatchID: "bench." + node, MatchNode: node}
	d := &countDispatcher{ctx: c}
	h, err := w.modules.NewHandler(ctx, handler, match.Env{MatchID: c.MatchID, Node: node, Module: handler, Dispatcher: d, Context: c})
	if err != nil {
		tb.Fatal(err)
	}
	setup, err := h.Init(ctx, map[string]any{})
	if err != nil {
		tb.Fatal(err)
	}
	c.MatchTickRate, c.MatchLabel = setup.TickRate, setup.Label
	return h, d
}

// BenchmarkMatchLoop measures one match_loop call of each version in a
// running game, with 0 and 10 messages. Each message is a MOVE of the
// player whose turn it is, to position 9: the module parses its JSON and
// answers the sender "invalid position", the steady work of a busy tick.
func BenchmarkMatchLoop(b *testing.B) {
	w := newWorld(b)
	for _, handler := range handlers {
		for _, n := range []int{0, 10} {
			b.Run(fmt.Sprintf("%s/messages=%d", short(handler), n), func(b *testing.B) {
				ctx := context.Background()
				h, d := newMatch(b, w, handler, ctx)
				defer h.Close()
				if err := h.Join(ctx, 0, []match.Presence{presence(bob), presence(alice)}); err != nil {
					b.Fatal(err)
				}
				msgs := make([]match.Message, n)
				for k := range msgs {
					msgs[k] = match.Message{Sender: presence(bob), OpCode: opMove, Data: []byte(move(9)), Reliable: true, ReceiveTimeMs: 1}
				}
				budget := runtime.NewBudget(ctx, time.Second)
				defer budget.Close()
				b.ReportAllocs()
				for tick := int64(1); b.Loop(); tick++ {
					d.sent = 0
					ctx := budget.Start()
					err := h.Loop(ctx, tick, msgs)
					budget.Stop()
					if err != nil {
						b.Fatal(err)
					}
				}
				if d.sent != n {
					b.Fatalf("the last tick sent %d messages, want %d", d.sent, n)
				}
			})
		}
	}
}

// BenchmarkNewMatch measures creating a match of each version: a new
// instance (a Lua VM, a WASM instance with its init), match_create,
// match_init, and closing it.
func BenchmarkNewMatch(b *testing.B) {
	w := newWorld(b)
	for _, handler := range handlers {
		b.Run(short(handler), func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				h, _ := newMatch(b, w, handler, ctx)
				h.Close()
			}
		})
	}
}

// TestBenchmarkGames checks what the benchmarks rely on: each version
// answers the benchmark's message once, and a match ends when asked.
func TestBenchmarkGames(t *testing.T) {
	w := newWorld(t)
	for _, handler := range handlers {
		t.Run(short(handler), func(t *testing.T) {
			ctx := context.Background()
			h, d := newMatch(t, w, handler, ctx)
			defer h.Close()
			if err := h.Join(ctx, 0, []match.Presence{presence(bob), presence(alice)}); err != nil {
				t.Fatal(err)
			}
			d.sent = 0
			msg := match.Message{Sender: presence(bob), OpCode: opMove, Data: []byte(move(9)), Reliable: true}
			if err := h.Loop(ctx, 1, []match.Message{msg, msg}); err != nil || d.sent != 2 {
				t.Fatalf("loop: %v, %d messages sent, want 2", err, d.sent)
			}
			if err := h.Terminate(ctx, 2, 0); !errors.Is(err, match.ErrNilState) {
				t.Fatalf("terminate: %v, want the nil state", err)
			}
		})
	}
}
