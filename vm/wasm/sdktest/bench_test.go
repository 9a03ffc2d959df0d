package sdktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// BenchmarkRustMatchLoop measures one match_loop call into the Rust
// tic-tac-toe, in a running game, with 0 and 10 messages. Each message is a
// MOVE the game parses as JSON and rejects (position 9), answering the
// sender: the steady-state work of a busy tick.
func BenchmarkRustMatchLoop(b *testing.B) {
	wasmBytes := rustModule(b, "tictactoe_rust")
	e := newEngine(b)
	inst, _ := load(b, e, "tictactoe_rust.wasm", wasmBytes)
	for _, n := range []int{0, 10} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			d := &dispatcher{}
			h, err := inst.NewHandler(context.Background(), "tictactoe_rust", matchEnv("tictactoe_rust", d))
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			ctx := context.Background()
			if _, err := h.Init(ctx, nil); err != nil {
				b.Fatal(err)
			}
			if err := h.Join(ctx, 0, []match.Presence{bob, alice}); err != nil {
				b.Fatal(err)
			}
			msgs := make([]match.Message, n)
			for k := range msgs {
				msgs[k] = move(bob, `{"position":9}`)
			}
			budget := runtime.NewBudget(context.Background(), time.Second)
			b.ReportAllocs()
			for k := 1; b.Loop(); k++ {
				d.sent = d.sent[:0]
				ctx := budget.Start()
				err := h.Loop(ctx, int64(k), msgs)
				budget.Stop()
				if err != nil {
					b.Fatal(err)
				}
			}
			if len(d.sent) != n {
				b.Fatalf("last tick sent %d messages, want %d", len(d.sent), n)
			}
		})
	}
}

// BenchmarkRustNewMatch measures creating a match of the Rust tic-tac-toe:
// a new instance, its init, match_create and match_init, and closing it.
func BenchmarkRustNewMatch(b *testing.B) {
	wasmBytes := rustModule(b, "tictactoe_rust")
	e := newEngine(b)
	inst, _ := load(b, e, "tictactoe_rust.wasm", wasmBytes)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h, err := inst.NewHandler(ctx, "tictactoe_rust", matchEnv("tictactoe_rust", &dispatcher{}))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := h.Init(ctx, nil); err != nil {
			b.Fatal(err)
		}
		h.Close()
	}
}

// BenchmarkRustRPC measures the Rust echo RPC on a pooled instance.
func BenchmarkRustRPC(b *testing.B) {
	wasmBytes := rustModule(b, "rpc_rust")
	e := newEngine(b)
	_, reg := load(b, e, "rpc_rust.wasm", wasmBytes)
	c := &runtime.CallContext{UserID: "user-1", Username: "one", ExecutionMode: runtime.ModeRPC}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.rpcs["echo"](context.Background(), c, "hello"); err != nil {
			b.Fatal(err)
		}
	}
}
