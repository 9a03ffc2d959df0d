package lua

import (
	"context"
	"runtime"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// minimalMatch is the smallest complete match module.
const minimalMatch = `local M = {}
function M.match_init(context, params) return {}, 10, "" end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages) return state end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds) return state end
function M.match_signal(context, dispatcher, tick, state, data) return state, data end
return M`

// relayMatch reads every message and sends it back to its sender.
const relayMatch = `local M = {}
function M.match_init(context, params) return {count = 0}, 10, "" end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages)
  for _, m in ipairs(messages) do
    state.count = state.count + 1
    dispatcher.broadcast_message(m.op_code, m.data, {m.sender})
  end
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds) return state end
function M.match_signal(context, dispatcher, tick, state, data) return state, data end
return M`

// nullDispatcher accepts everything and keeps nothing.
type nullDispatcher struct{}

func (nullDispatcher) Broadcast(int64, []byte, []match.Presence, *match.Presence, bool) error {
	return nil
}
func (nullDispatcher) BroadcastDeferred(int64, []byte, []match.Presence, *match.Presence, bool) error {
	return nil
}
func (nullDispatcher) Kick([]match.Presence) error { return nil }
func (nullDispatcher) UpdateLabel(string) error    { return nil }

func benchHandler(b *testing.B, src string) *handler {
	cfg := testConfig()
	cfg.MatchMemoryLimit = benchMemoryLimit
	inst, _ := loadWith(b, cfg, map[string]string{"game.lua": src})
	h, err := inst.NewHandler(context.Background(), "game", vmtest.Env("game", nullDispatcher{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	if _, err := h.Init(bg, nil); err != nil {
		b.Fatal(err)
	}
	return h.(*handler)
}

// benchMemoryLimit is the memory limit of benchmarked matches.
var benchMemoryLimit int64

func benchLoop(b *testing.B, src string, n int) {
	h := benchHandler(b, src)
	msgs := make([]match.Message, n)
	for i := range msgs {
		msgs[i] = match.Message{Sender: vmtest.Presence("p"), OpCode: 1, Data: []byte(`{"x":1}`), Reliable: true}
	}
	budget := runtimeBudget()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx := budget.Start()
		if err := h.Loop(ctx, int64(i), msgs); err != nil {
			b.Fatal(err)
		}
		budget.Stop()
	}
}

// BenchmarkMatchLoop measures one match_loop call under a CPU budget, as
// the match engine makes it.
func BenchmarkMatchLoop(b *testing.B) {
	b.Run("minimal/0msgs", func(b *testing.B) { benchLoop(b, minimalMatch, 0) })
	b.Run("minimal/10msgs", func(b *testing.B) { benchLoop(b, minimalMatch, 10) })
	b.Run("relay/10msgs", func(b *testing.B) { benchLoop(b, relayMatch, 10) })
	benchMemoryLimit = DefaultMatchMemoryLimit
	defer func() { benchMemoryLimit = 0 }()
	b.Run("minimal/0msgs/memlimit", func(b *testing.B) { benchLoop(b, minimalMatch, 0) })
}

// BenchmarkRPC measures an RPC call through the pool.
func BenchmarkRPC(b *testing.B) {
	_, reg := load(b, map[string]string{"m.lua": "local nk = require('nakama')\n" + rpcBody("return payload")})
	fn := reg.RPCs["t"]
	c := vmtestRPCContext()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := fn(bg, c, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerMemory reports the heap a minimal match's handler holds
// at rest, measured over 1,000 handlers.
func BenchmarkHandlerMemory(b *testing.B) {
	inst, _ := load(b, map[string]string{"game.lua": minimalMatch})
	const n = 1000
	var perMatch uint64
	for i := 0; i < b.N; i++ {
		perMatch = handlerBytes(b, inst, n)
	}
	b.ReportMetric(float64(perMatch), "bytes/match")
}

// handlerBytes returns the heap bytes per handler of n live handlers,
// each after match_init.
func handlerBytes(tb testing.TB, inst *Instance, n int) uint64 {
	hs := make([]match.Handler, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range hs {
		h, err := inst.NewHandler(bg, "game", vmtest.Env("game", nullDispatcher{}))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := h.Init(bg, nil); err != nil {
			tb.Fatal(err)
		}
		hs[i] = h
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (after.HeapAlloc - before.HeapAlloc) / uint64(n)
	for _, h := range hs {
		h.Close()
	}
	return per
}

// TestHandlerMemoryTarget checks that a minimal match stays under 64 KB at
// rest.
func TestHandlerMemoryTarget(t *testing.T) {
	inst, _ := load(t, map[string]string{"game.lua": minimalMatch})
	if per := handlerBytes(t, inst, 200); per > 64<<10 {
		t.Errorf("a minimal match holds %d bytes, want at most 64 KiB", per)
	} else {
		t.Logf("a minimal match holds %d bytes", per)
	}
}

// BenchmarkMemoryEstimate measures one estimate of a minimal match's
// memory (made at most once per second per match).
func BenchmarkMemoryEstimate(b *testing.B) {
	h := benchHandler(b, minimalMatch)
	h.mem.limit = DefaultMatchMemoryLimit
	b.ReportAllocs()
	b.ResetTimer()
	var used int64
	for i := 0; i < b.N; i++ {
		used = h.mem.estimate(h)
	}
	b.ReportMetric(float64(used), "estimated-bytes")
}
