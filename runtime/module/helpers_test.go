package module

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/test/testlog"
)

// fakeEngine loads ".fake" files, one directive a line:
//
//	rpc ID ANSWER        RPC ID answers ANSWER (ANSWER "block" waits on the engine's gate)
//	match NAME [POLICY]  a match module NAME with a reload policy
//	fail MESSAGE         the load fails at this line
//	nosnapshot           the file's matches cannot snapshot
//	norestore            the file's matches cannot be restored
//	matchmaker ANSWER    a matchmaker hook that answers ANSWER
//	shutdown TAG         a shutdown hook that records TAG (TAG "fail" fails)
type fakeEngine struct {
	gate chan struct{} // "block" RPCs wait for it
	mu   sync.Mutex
	all  []*fakeInstance
	ran  []string // the tags of the shutdown hooks run
}

func newFakeEngine() *fakeEngine { return &fakeEngine{gate: make(chan struct{})} }

func (e *fakeEngine) Name() string          { return "fake" }
func (e *fakeEngine) Accepts(p string) bool { return path.Ext(p) == ".fake" }
func (e *fakeEngine) instances() []*fakeInstance {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*fakeInstance(nil), e.all...)
}

// shutdowns returns the tags of the shutdown hooks run so far and forgets
// them.
func (e *fakeEngine) shutdowns() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ran := e.ran
	e.ran = nil
	return ran
}

func (e *fakeEngine) Load(_ context.Context, files []File, reg Registrations) (Instance, error) {
	in := &fakeInstance{e: e, matches: map[string]Policy{}}
	for _, f := range files {
		for n, line := range strings.Split(string(f.Data), "\n") {
			w := strings.Fields(line)
			if len(w) == 0 {
				continue
			}
			switch w[0] {
			case "rpc":
				answer := w[2]
				reg.RPC(w[1], func(ctx context.Context, _ *runtime.CallContext, _ string) (string, error) {
					if in.closed.Load() || in.trimmed.Load() {
						return "", errors.New("call on a released instance")
					}
					if answer == "block" {
						select {
						case <-e.gate:
						case <-ctx.Done():
							return "", ctx.Err()
						}
						if in.trimmed.Load() || in.closed.Load() {
							return "", errors.New("instance released during the call")
						}
					}
					return answer, nil
				})
			case "match":
				p := PolicyKeep
				if len(w) > 2 {
					p = Policy(w[2])
				}
				in.matches[w[1]] = p
			case "fail":
				return nil, &LoadError{Path: f.Path, Line: n + 1, Err: errors.New(strings.Join(w[1:], " "))}
			case "matchmaker":
				answer := w[1]
				reg.MatchmakerMatched(func(context.Context, *runtime.CallContext, []any) (string, error) {
					if in.closed.Load() || in.trimmed.Load() {
						return "", errors.New("hook on a released instance")
					}
					return answer, nil
				})
			case "shutdown":
				tag := w[1]
				reg.Shutdown(func(context.Context, *runtime.CallContext) error {
					e.mu.Lock()
					e.ran = append(e.ran, tag)
					e.mu.Unlock()
					if tag == "fail" {
						return errors.New("shutdown hook " + tag + " failed")
					}
					return nil
				})
			case "nosnapshot":
				in.noSnapshot = true
			case "norestore":
				in.noRestore = true
			}
		}
	}
	e.mu.Lock()
	in.id = len(e.all) + 1
	e.all = append(e.all, in)
	e.mu.Unlock()
	return in, nil
}

type fakeInstance struct {
	e          *fakeEngine
	id         int
	matches    map[string]Policy
	noSnapshot bool
	noRestore  bool
	closed     atomic.Bool
	trimmed    atomic.Bool
	handlers   atomic.Int64 // open
}

func (in *fakeInstance) Close() {
	if in.closed.Swap(true) {
		panic(fmt.Sprintf("instance %d closed twice", in.id))
	}
}
func (in *fakeInstance) Trim() { in.trimmed.Store(true) }

func (in *fakeInstance) MatchPolicy(name string) (Policy, bool) {
	p, ok := in.matches[name]
	return p, ok
}

func (in *fakeInstance) NewHandler(_ context.Context, name string, env match.Env) (match.Handler, error) {
	if _, ok := in.matches[name]; !ok {
		return nil, match.ErrModuleNotFound
	}
	in.handlers.Add(1)
	return &fakeHandler{in: in, state: 0}, nil
}

func (in *fakeInstance) Restore(_ context.Context, name string, _ match.Env, _ int64, snap any) (match.Handler, error) {
	if _, ok := in.matches[name]; !ok {
		return nil, match.ErrModuleNotFound
	}
	if in.noRestore {
		return nil, errors.New("cannot restore")
	}
	n, ok := snap.(int)
	if !ok {
		return nil, fmt.Errorf("snapshot %T", snap)
	}
	in.handlers.Add(1)
	return &fakeHandler{in: in, state: n}, nil
}

// fakeHandler counts ticks in state.
type fakeHandler struct {
	in     *fakeInstance
	state  int
	closed bool
}

func (h *fakeHandler) Init(context.Context, map[string]any) (match.Setup, error) {
	return match.Setup{TickRate: 10}, nil
}
func (h *fakeHandler) JoinAttempt(context.Context, int64, match.JoinAttempt) (bool, string, error) {
	return true, "", nil
}
func (h *fakeHandler) Join(context.Context, int64, []match.Presence) error  { return nil }
func (h *fakeHandler) Leave(context.Context, int64, []match.Presence) error { return nil }
func (h *fakeHandler) Loop(context.Context, int64, []match.Message) error {
	h.state++
	return nil
}
func (h *fakeHandler) Terminate(context.Context, int64, int) error { return match.ErrNilState }
func (h *fakeHandler) Signal(context.Context, int64, string) (string, error) {
	return strconv.Itoa(h.in.id) + ":" + strconv.Itoa(h.state), nil
}
func (h *fakeHandler) Snapshot(context.Context, int64) (any, error) {
	if h.in.noSnapshot {
		return nil, errors.New("cannot snapshot")
	}
	return h.state, nil
}
func (h *fakeHandler) Close() {
	if h.closed {
		panic("handler closed twice")
	}
	h.closed = true
	h.in.handlers.Add(-1)
}

// memStore is an in-memory runtime.ModuleStore.
type memStore struct {
	mu   sync.Mutex
	m    map[string]runtime.StoredModule
	fail error // every call fails with it when set
}

func newMemStore() *memStore { return &memStore{m: map[string]runtime.StoredModule{}} }

func (s *memStore) PutModule(_ context.Context, p string, data []byte) (runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return runtime.StoredModule{}, s.fail
	}
	m := runtime.StoredModule{Path: p, Data: append([]byte{}, data...), Size: int64(len(data)),
		Hash: runtime.ModuleHash(data), UpdateTime: time.Now().UTC()}
	s.m[p] = m
	m.Data = nil
	return m, nil
}

func (s *memStore) GetModule(_ context.Context, p string) (runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.m[p]
	if !ok {
		return m, runtime.ErrNotFound
	}
	return m, nil
}

func (s *memStore) ListModules(_ context.Context, data bool) ([]runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []runtime.StoredModule{}
	for _, m := range s.m {
		if !data {
			m.Data = nil
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (s *memStore) DeleteModule(_ context.Context, p string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if _, ok := s.m[p]; !ok {
		return runtime.ErrNotFound
	}
	delete(s.m, p)
	return nil
}

// files returns fake module files from path → text.
func files(src map[string]string) []File {
	var fs []File
	for p, s := range src {
		fs = append(fs, File{Name: Name(p), Path: p, Data: []byte(s)})
	}
	sortFiles(fs)
	return fs
}

func newManager(t *testing.T) (*Manager, *fakeEngine) {
	t.Helper()
	return newManagerLog(t, nil)
}

// newManagerLog is newManager logging to log.
func newManagerLog(t *testing.T, log *slog.Logger) (*Manager, *fakeEngine) {
	t.Helper()
	e := newFakeEngine()
	m := NewManager(log, e)
	t.Cleanup(m.Close)
	return m, e
}

// debugLogger returns a logger of JSON lines, from the debug level, to logs.
func debugLogger(logs *testlog.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func mustLoad(t *testing.T, m *Manager, src map[string]string) *Set {
	t.Helper()
	s, err := m.Load(context.Background(), files(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

func call(t *testing.T, m *Manager, id string) string {
	t.Helper()
	out, err := m.CallRPC(context.Background(), id, nil, "")
	if err != nil {
		t.Fatalf("rpc %s: %v", id, err)
	}
	return out
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
