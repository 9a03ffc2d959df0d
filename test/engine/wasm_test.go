package engine

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/test/testlog"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// wasmCounter builds testdata/wasmcounter, the Go guest twin of the Lua
// counter, for wasip1. It skips the test when the toolchain cannot (it
// fails it in CI).
func wasmCounter(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "counter.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./test/engine/testdata/wasmcounter")
	cmd.Dir = "../.." // the repository's module root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("building the WASM counter: %v\n%s", err, msg)
		}
		t.Skipf("SKIP: cannot build the WASM counter (GOOS=wasip1): %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// player is a session that records the envelopes it is sent.
type player struct {
	s    *session.Session
	mu   sync.Mutex
	envs []*rtapi.Envelope
	bad  error
}

func newPlayer() *player {
	p := &player{}
	p.s = session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(),
		Username: "player", Format: session.Protobuf}, p)
	return p
}

func (p *player) Send(frame []byte) bool {
	env := &rtapi.Envelope{}
	err := wire.Codec{}.Decode(frame, session.Protobuf, env)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && p.bad == nil {
		p.bad = err
	}
	p.envs = append(p.envs, env)
	return true
}

func (p *player) Close(string) {}

// errors returns the error envelopes the player got.
func (p *player) errors(t *testing.T) []*rtapi.Error {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bad != nil {
		t.Fatalf("a frame sent to the player does not decode: %v", p.bad)
	}
	var out []*rtapi.Error
	for _, env := range p.envs {
		if e := env.GetError(); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// join makes p join match id and waits until it is in.
func (w *world) join(t *testing.T, p *player, id string) {
	t.Helper()
	in := make(chan struct{})
	if err := w.reg.Join(p.s, id, nil, func(*rtapi.Match) { close(in) }); err != nil {
		t.Fatalf("join %s: %v", id, err)
	}
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatalf("join %s: no answer", id)
	}
}

// poll calls cond until it holds, failing the test with what after timeout.
func poll(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunawayWASMMatchDoesNotStallOthers is TestRunawayMatchDoesNotStallOthers
// with a WASM module: a match whose match_loop never returns, beside others
// ticking at 10 Hz, is stopped within its budget, its players are told why,
// and the others (and their players) go on undisturbed.
func TestRunawayWASMMatchDoesNotStallOthers(t *testing.T) {
	budget := 100 * time.Millisecond
	code := wasmCounter(t)
	logs := &testlog.Buffer{}
	log := slog.New(runtime.NewLogHandler(slog.NewJSONHandler(logs, nil)))
	var engine *wasm.Engine
	w := newWorldOf(t, budget, "counter.wasm", code, func(api *nk.API) module.Engine {
		e, err := wasm.New(context.Background(), wasm.Config{API: api, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		engine = e
		return e
	})
	t.Cleanup(func() { _ = engine.Close(context.Background()) }) // after the world's cleanup
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = w.create(t, map[string]any{"rate": int64(10)})
	}
	runaway := w.create(t, map[string]any{"rate": int64(10)})
	stuck := []*player{newPlayer(), newPlayer()}
	for _, p := range stuck {
		w.join(t, p, runaway)
	}
	bystander := newPlayer()
	w.join(t, bystander, ids[0])
	start := make([]int, len(ids))
	for i, id := range ids {
		start[i] = w.ticks(t, id)
	}
	began := time.Now()
	if _, err := w.reg.Signal(context.Background(), runaway, "spin"); err != nil {
		t.Fatal(err)
	}
	poll(t, 5*time.Second, "the runaway match to stop", func() bool {
		_, ok, _ := w.reg.Get(runaway)
		return !ok
	})
	// The loop spins from the next tick (100 ms) and must end within the
	// budget, plus scheduling slack.
	if took := time.Since(began); took > 100*time.Millisecond+budget+500*time.Millisecond {
		t.Errorf("the runaway match took %s to stop, budget %s", took, budget)
	}
	want := "Match ended: match_loop exceeded its CPU budget of " + budget.String()
	for k, p := range stuck {
		poll(t, 5*time.Second, "the players to be told", func() bool { return len(p.errors(t)) > 0 })
		errs := p.errors(t)
		if len(errs) != 1 || errs[0].Message != want || errs[0].Context["match_id"] != runaway ||
			errs[0].Code != int32(rtapi.Error_RUNTIME_EXCEPTION) {
			t.Errorf("player %d got %v, want one error %q for match %s", k, errs, want, runaway)
		}
	}
	// The others keep their rate: each ticks 20 times at 10 Hz, counted
	// from before the spin, in about 2 s (at least 80% of the rate).
	const n = 20
	poll(t, 10*time.Second, "the other matches to tick", func() bool {
		for i, id := range ids {
			if w.ticks(t, id)-start[i] < n {
				return false
			}
		}
		return true
	})
	if elapsed := time.Since(began); elapsed > time.Duration(float64(n)/(10*0.8)*float64(time.Second)) {
		t.Errorf("the other matches took %s for %d ticks at 10 Hz", elapsed, n)
	}
	if errs := bystander.errors(t); len(errs) != 0 {
		t.Errorf("a player of another match got %v", errs)
	}
	_, _, _, overruns, _, _ := w.reg.Stats().Snapshot()
	if overruns != 1 {
		t.Errorf("budget overruns = %d, want 1", overruns)
	}
	// The guest's log lines name their module and match.
	found := false
	for _, r := range logs.Records(t, "counter started") {
		if r["match_id"] == runaway {
			found = true
			if r["module"] != "counter" || r["runtime"] != "wasm" {
				t.Errorf("the runaway's log line %v lacks its module", r)
			}
		}
	}
	if !found {
		t.Errorf("no log line of match %s", runaway)
	}
}
