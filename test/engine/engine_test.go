// Package engine tests the match engine with the real Lua and WASM VMs:
// budgets under load, sustained tick rates, and RPC round trips over a real
// socket.
package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/vm/lua"
)

// counter counts ticks in its state; match_signal answers the count.
const counter = `
local M = {}
function M.match_init(ctx, params) return {ticks = 0, spin = params and params.spin}, params.rate or 10, "" end
function M.match_join_attempt(ctx, d, tick, s, p, m) return s, true end
function M.match_join(ctx, d, tick, s, ps) return s end
function M.match_leave(ctx, d, tick, s, ps) return s end
function M.match_loop(ctx, d, tick, s, msgs)
  if s.spin then while true do end end
  s.ticks = s.ticks + 1
  for _, m in ipairs(msgs) do d.broadcast_message(m.op_code, m.data) end
  return s
end
function M.match_terminate(ctx, d, tick, s, g) return nil end
function M.match_signal(ctx, d, tick, s, data) return s, tostring(s.ticks) end
return M
`

// world is a match registry over the Lua engine with one module.
type world struct {
	reg     *match.Registry
	tracker *session.Tracker
	router  *session.Router
	modules *module.Manager
}

func newWorld(tb testing.TB, budget time.Duration) *world {
	tb.Helper()
	return newWorldOf(tb, budget, "counter.lua", []byte(counter), func(api *nk.API) module.Engine {
		return lua.New(lua.Config{API: api})
	})
}

// newWorldOf is a world whose one module is the file name with data,
// loaded by the engine engineOf makes.
func newWorldOf(tb testing.TB, budget time.Duration, name string, data []byte, engineOf func(api *nk.API) module.Engine) *world {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		tb.Fatal(err)
	}
	w := &world{router: session.NewRouter(wire.Codec{}, nil), modules: module.NewManager(nil)}
	w.tracker = session.NewTracker(func(ev session.Event) { w.router.StreamEvent(w.tracker)(ev) })
	w.reg = match.NewRegistry(match.Deps{Config: match.Config{CallBudget: budget}, Factory: w.modules,
		Tracker: w.tracker, Router: w.router})
	api := nk.New(nk.Deps{Matches: w.reg, Tracker: w.tracker, Router: w.router})
	w.modules.SetEngines(engineOf(api))
	files, err := w.modules.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.modules.Load(context.Background(), files); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		w.reg.Shutdown(context.Background(), 0)
		w.modules.Close()
	})
	return w
}

func (w *world) create(tb testing.TB, params map[string]any) string {
	tb.Helper()
	id, err := w.reg.Create(context.Background(), "counter", params)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func (w *world) ticks(tb testing.TB, id string) int {
	tb.Helper()
	out, err := w.reg.Signal(context.Background(), id, "")
	if err != nil {
		tb.Fatalf("signal %s: %v", id, err)
	}
	n, _ := strconv.Atoi(out)
	return n
}

// TestRunawayMatchDoesNotStallOthers runs 100 matches at 10 Hz beside one
// whose match_loop never returns: the runaway is stopped within its budget
// and the others keep their tick rate.
func TestRunawayMatchDoesNotStallOthers(t *testing.T) {
	budget := 50 * time.Millisecond
	w := newWorld(t, budget)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = w.create(t, map[string]any{"rate": int64(10)})
	}
	start := make([]int, len(ids))
	for i, id := range ids {
		start[i] = w.ticks(t, id)
	}
	began := time.Now()
	runaway := w.create(t, map[string]any{"rate": int64(10), "spin": true})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok, _ := w.reg.Get(runaway); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the runaway match was never stopped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The loop starts on the first tick (100 ms) and must end within the
	// budget, plus scheduling slack.
	if took := time.Since(began); took > 100*time.Millisecond+budget+400*time.Millisecond {
		t.Errorf("the runaway match took %s to stop, budget %s", took, budget)
	}
	time.Sleep(2 * time.Second)
	elapsed := time.Since(began)
	want := int(elapsed.Seconds() * 10)
	for i, id := range ids {
		if got := w.ticks(t, id) - start[i]; got < want*8/10 {
			t.Errorf("match %d ticked %d times in %s, want about %d", i, got, elapsed, want)
		}
	}
	_, _, _, overruns, _, _ := w.reg.Stats().Snapshot()
	if overruns != 1 {
		t.Errorf("budget overruns = %d, want 1", overruns)
	}
}

type nopConn struct{ n atomic.Int64 }

func (c *nopConn) Send([]byte) bool { c.n.Add(1); return true }
func (c *nopConn) Close(string)     {}

// BenchmarkSustainedTicks runs N matches of 2 players at 10 Hz for three
// seconds and reports the tick rate reached, against N*10 expected.
func BenchmarkSustainedTicks(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			w := newWorld(b, time.Second)
			conn := &nopConn{}
			for range n {
				id := w.create(b, map[string]any{"rate": int64(10)})
				for range 2 {
					s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(), Format: session.Protobuf}, conn)
					if err := w.reg.Join(s, id, nil, func(*rtapi.Match) {}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			ticks0, late0, _, _, _, _ := w.reg.Stats().Snapshot()
			start := time.Now()
			for b.Loop() {
				time.Sleep(3 * time.Second)
			}
			elapsed := time.Since(start)
			ticks, late, _, _, _, _ := w.reg.Stats().Snapshot()
			rate := float64(ticks-ticks0) / elapsed.Seconds()
			b.ReportMetric(rate, "ticks/s")
			b.ReportMetric(rate/float64(n*10)*100, "%target")
			b.ReportMetric(float64(late-late0)/float64(max(ticks-ticks0, 1))*100, "%late")
		})
	}
}
