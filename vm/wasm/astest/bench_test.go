package astest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// startedMatch returns a tic-tac-toe match with both players in.
func startedMatch(b *testing.B, inst module.Instance) (match.Handler, *recorder) {
	b.Helper()
	d := &recorder{}
	env := match.Env{MatchID: "m1.node1", Node: "node1", Module: "tictactoe_as", Dispatcher: d,
		Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node1", MatchID: "m1.node1", MatchNode: "node1"}}
	ctx := context.Background()
	h, err := inst.NewHandler(ctx, "tictactoe_as", env)
	if err != nil {
		b.Fatal(err)
	}
	setup, err := h.Init(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	if err := h.Join(ctx, 0, []match.Presence{px, po}); err != nil {
		b.Fatal(err)
	}
	env.Context.MatchLabel = `{"game":"tictactoe","open":0}`
	d.take()
	return h, d
}

// BenchmarkMatchLoop is one match_loop call into the AssemblyScript
// tic-tac-toe, under a CPU budget as the match engine runs it. With
// messages, each is a MOVE by the player whose turn it is not, so each is
// decoded, checked and answered with a REJECTED broadcast, and the state
// stays the same from one call to the next.
func BenchmarkMatchLoop(b *testing.B) {
	inst, _ := load(b, "tictactoe_as.wasm")
	for _, n := range []int{0, 10} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			h, d := startedMatch(b, inst)
			defer h.Close()
			msgs := make([]match.Message, n)
			for k := range msgs {
				msgs[k] = move(po, `{"position":4}`)
			}
			budget := runtime.NewBudget(context.Background(), time.Second)
			b.ReportAllocs()
			for k := int64(1); b.Loop(); k++ {
				d.calls = d.calls[:0]
				ctx := budget.Start()
				err := h.Loop(ctx, k, msgs)
				budget.Stop()
				if err != nil {
					b.Fatal(err)
				}
			}
			if len(d.calls) != n {
				b.Fatalf("%d broadcasts in the last loop, want %d", len(d.calls), n)
			}
		})
	}
}

// BenchmarkNewMatch is the cost of a new match: an instance of the module
// (instantiation, _initialize, arbiter_init), match_create and match_init,
// then closing it.
func BenchmarkNewMatch(b *testing.B) {
	inst, _ := load(b, "tictactoe_as.wasm")
	env := match.Env{MatchID: "m1.node1", Node: "node1", Module: "tictactoe_as", Dispatcher: &recorder{}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h, err := inst.NewHandler(ctx, "tictactoe_as", env)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := h.Init(ctx, nil); err != nil {
			b.Fatal(err)
		}
		h.Close()
	}
}

// BenchmarkEchoRPC is one call of the echo_as RPC on a pooled instance.
func BenchmarkEchoRPC(b *testing.B) {
	_, r := load(b, "echo_as.wasm")
	fn := r.rpcs["echo_as"]
	c := rpcContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(context.Background(), c, "hello"); err != nil {
			b.Fatal(err)
		}
	}
}
