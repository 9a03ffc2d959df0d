package wasm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// benchMatch returns a handler of the SDK's example match, initialised.
func benchMatch(b *testing.B, e *Engine, l *loaded) match.Handler {
	h, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Init(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	return h
}

func BenchmarkMatchLoop(b *testing.B) {
	e := newEngine(b, sdkConfig(b, Config{}))
	l, _ := mustLoad(b, e, "match.wasm", sdkExample(b, "match"))
	sender := match.Presence{UserID: "u1", SessionID: "s1", Username: "one", Node: "node"}
	for _, n := range []int{0, 10} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			h := benchMatch(b, e, l)
			defer h.Close()
			d := h.(*handler).env.Dispatcher.(*fakeDispatcher)
			msgs := make([]match.Message, n)
			for k := range msgs {
				msgs[k] = match.Message{Sender: sender, OpCode: 1, Data: []byte("0123456789abcdef"), Reliable: true, ReceiveTimeMs: 1}
			}
			budget := runtime.NewBudget(context.Background(), time.Second)
			b.ReportAllocs()
			for k := 0; b.Loop(); k++ {
				d.calls = d.calls[:0]
				ctx := budget.Start()
				err := h.Loop(ctx, int64(k), msgs)
				budget.Stop()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMatchLoopHandWritten(b *testing.B) {
	e := newEngine(b, Config{})
	l, _ := mustLoad(b, e, "m.wasm", matchGuest(nil).bytes())
	h := benchMatch(b, e, l)
	defer h.Close()
	budget := runtime.NewBudget(context.Background(), time.Second)
	b.ReportAllocs()
	for k := 0; b.Loop(); k++ {
		ctx := budget.Start()
		err := h.Loop(ctx, int64(k), nil)
		budget.Stop()
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewMatch(b *testing.B) {
	e := newEngine(b, sdkConfig(b, Config{}))
	l, _ := mustLoad(b, e, "match.wasm", sdkExample(b, "match"))
	b.ReportAllocs()
	for b.Loop() {
		h := benchMatch(b, e, l)
		h.Close()
	}
}

func BenchmarkRPC(b *testing.B) {
	e := newEngine(b, sdkConfig(b, Config{}))
	_, r := mustLoad(b, e, "rpc.wasm", sdkExample(b, "rpc"))
	c := &runtime.CallContext{UserID: "user-1", Username: "one", ExecutionMode: runtime.ModeRPC}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.rpcs["echo"](context.Background(), c, "hello"); err != nil {
			b.Fatal(err)
		}
	}
}
