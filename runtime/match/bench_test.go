package match

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// BenchmarkTick measures the engine's share of one tick (a handler that
// does nothing, 4 queued messages), without and with the metrics hook: the
// difference is what measuring ticks costs.
func BenchmarkTick(b *testing.B) {
	run := func(b *testing.B, ticks func(string) func(time.Duration, int)) {
		router := session.NewRouter(protoCodec{}, nil)
		tracker := session.NewTracker(func(session.Event) {})
		reg := NewRegistry(Deps{Factory: &factory{}, Tracker: tracker, Router: router, Ticks: ticks})
		h := &fakeHandler{onLoop: func(context.Context, int64, []Message) error { return nil }}
		m := &Match{r: reg, id: "bench.arbiter", module: "game", handler: h, tickRate: 10,
			budget: runtime.NewBudget(context.Background(), time.Second)}
		b.Cleanup(m.budget.Close)
		if reg.ticks != nil {
			m.ticks = reg.ticks("game")
		}
		msgs := make([]Message, 4)
		b.ReportAllocs()
		for b.Loop() {
			m.input = append(m.input[:0], msgs...)
			m.onTick()
		}
	}
	b.Run("nohook", func(b *testing.B) { run(b, nil) })
	b.Run("metrics", func(b *testing.B) {
		m := metrics.New(prometheus.NewRegistry())
		run(b, func(module string) func(time.Duration, int) { return m.Ticks(module).Tick })
	})
}
