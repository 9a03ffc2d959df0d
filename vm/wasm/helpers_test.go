package wasm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// fakeAPI is an nk API of test functions.
type fakeAPI map[string]*nk.Func

func (a fakeAPI) Func(name string) *nk.Func { return a[name] }

func testAPI() fakeAPI {
	api := fakeAPI{}
	add := func(f *nk.Func) { api[f.Name] = f }
	add(&nk.Func{Name: "echo",
		Params:  []nk.Param{{Name: "s", Type: nk.TypeString}, {Name: "n", Type: nk.TypeInt, Optional: true, Default: int64(7)}},
		Results: []nk.Result{{Name: "s", Type: nk.TypeString}, {Name: "n", Type: nk.TypeInt}},
		Run:     func(c *nk.Call, args []any) ([]any, error) { return args, nil }})
	add(&nk.Func{Name: "fail", Run: func(c *nk.Call, args []any) ([]any, error) {
		return nil, &nk.Error{Message: "nope", Code: runtime.NotFound}
	}})
	add(&nk.Func{Name: "whoami", Results: []nk.Result{{Name: "user_id", Type: nk.TypeString}},
		Run: func(c *nk.Call, args []any) ([]any, error) { return []any{c.Context.UserID}, nil }})
	add(&nk.Func{Name: "match_create",
		Params:  []nk.Param{{Name: "module", Type: nk.TypeString}, {Name: "params", Type: nk.TypeMap, Optional: true}},
		Results: []nk.Result{{Name: "match_id", Type: nk.TypeString}},
		Run: func(c *nk.Call, args []any) ([]any, error) {
			p, _ := args[1].(map[string]any)
			return []any{fmt.Sprintf("%s:%v", args[0], p["by"])}, nil
		}})
	add(&nk.Func{Name: "boom", Run: func(c *nk.Call, args []any) ([]any, error) { panic("boom") }})
	return api
}

// regs records registrations.
type regs struct {
	mu         sync.Mutex
	rpcs       map[string]module.RPCFunc
	matchmaker module.MatchmakerFunc
	shutdown   module.ShutdownFunc
}

func (r *regs) RPC(id string, fn module.RPCFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rpcs == nil {
		r.rpcs = map[string]module.RPCFunc{}
	}
	r.rpcs[strings.ToLower(id)] = fn
}
func (r *regs) MatchmakerMatched(fn module.MatchmakerFunc) { r.matchmaker = fn }
func (r *regs) Shutdown(fn module.ShutdownFunc)            { r.shutdown = fn }

func newEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	if cfg.API == nil {
		cfg.API = testAPI()
	}
	e, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}

// loadOne loads one guest as path.
func loadOne(t testing.TB, e *Engine, path string, wasm []byte) (*loaded, *regs, error) {
	t.Helper()
	r := &regs{}
	inst, err := e.Load(context.Background(), []module.File{{Name: module.Name(path), Path: path, Data: wasm}}, r)
	if err != nil {
		return nil, r, err
	}
	t.Cleanup(inst.Close)
	return inst.(*loaded), r, nil
}

func mustLoad(t testing.TB, e *Engine, path string, wasm []byte) (*loaded, *regs) {
	t.Helper()
	l, r, err := loadOne(t, e, path, wasm)
	if err != nil {
		t.Fatal(err)
	}
	return l, r
}

// runExport calls ex on a pooled instance and returns the result word and
// pending reply a forwarder stored.
func runExport(t *testing.T, m *Module, ex export, c *runtime.CallContext, d match.Dispatcher) (uint64, []byte, error) {
	t.Helper()
	ctx := context.Background()
	i, err := m.pool.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer m.pool.put(i)
	i.begin(c, nil, d)
	defer i.end()
	_, _, err = i.invoke(ctx, ex, nil)
	b, _ := i.mem.Read(wordAt, 8)
	word := binary.LittleEndian.Uint64(b)
	pending, _ := i.mem.Read(pendingAt, uint32(word))
	return word, append([]byte(nil), pending...), err
}

// fakeDispatcher records dispatcher calls.
type fakeDispatcher struct {
	calls []string
	err   error
}

func (d *fakeDispatcher) Broadcast(op int64, data []byte, to []match.Presence, s *match.Presence, rel bool) error {
	d.calls = append(d.calls, "broadcast:"+string(data))
	return d.err
}
func (d *fakeDispatcher) BroadcastDeferred(op int64, data []byte, to []match.Presence, s *match.Presence, rel bool) error {
	d.calls = append(d.calls, "deferred:"+string(data))
	return d.err
}
func (d *fakeDispatcher) Kick(ps []match.Presence) error {
	d.calls = append(d.calls, "kick")
	return d.err
}
func (d *fakeDispatcher) UpdateLabel(label string) error {
	d.calls = append(d.calls, "label:"+label)
	return d.err
}

func matchEnv(d match.Dispatcher) match.Env {
	return match.Env{MatchID: "m1.node", Node: "node", Module: "m", Dispatcher: d,
		Context: &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node", MatchID: "m1.node", MatchNode: "node"}}
}

// withBudget runs fn under a fresh runtime.Budget of limit, as the match
// engine does, and reports whether it overran.
func withBudget(limit time.Duration, fn func(ctx context.Context) error) (error, bool) {
	b := runtime.NewBudget(context.Background(), limit)
	defer b.Close()
	err := fn(b.Start())
	return err, b.Stop()
}

func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", substr)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not contain %q", err, substr)
	}
}

func isDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
