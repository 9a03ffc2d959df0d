package match

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// fakeHandler is a scriptable match handler.
type fakeHandler struct {
	env      Env
	rate     int
	label    string
	mu       sync.Mutex
	calls    []string
	loops    atomic.Int64
	msgs     atomic.Int64
	onLoop   func(ctx context.Context, tick int64, msgs []Message) error
	onJoin   func(j JoinAttempt) (bool, string)
	closed   atomic.Bool
	signaled string
	noSignal bool
	// onTerminate, when set, answers match_terminate (default: a nil state).
	onTerminate func(graceSeconds int) error
	// signalErr, when set, is the error match_signal returns.
	signalErr error
	// fields are the log fields of each call's context, by call.
	fields sync.Map // string → runtime.LogFields
}

func (h *fakeHandler) record(c string) {
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
}

func (h *fakeHandler) Init(ctx context.Context, _ map[string]any) (Setup, error) {
	h.record("init")
	h.fields.Store("init", runtime.LogFieldsOf(ctx))
	return Setup{TickRate: h.rate, Label: h.label}, nil
}
func (h *fakeHandler) JoinAttempt(ctx context.Context, _ int64, j JoinAttempt) (bool, string, error) {
	h.record("join_attempt")
	h.fields.Store("join_attempt", runtime.LogFieldsOf(ctx))
	if h.onJoin != nil {
		ok, reason := h.onJoin(j)
		return ok, reason, nil
	}
	return true, "", nil
}

// Join and Leave record each presence: joins applied in one batch come in
// one call.
func (h *fakeHandler) Join(_ context.Context, _ int64, ps []Presence) error {
	for _, p := range ps {
		h.record("join:" + p.Username)
	}
	return nil
}
func (h *fakeHandler) Leave(_ context.Context, _ int64, ps []Presence) error {
	for _, p := range ps {
		h.record("leave:" + p.Username)
	}
	return nil
}
func (h *fakeHandler) Loop(ctx context.Context, tick int64, msgs []Message) error {
	h.fields.Store("loop", runtime.LogFieldsOf(ctx))
	h.loops.Add(1)
	h.msgs.Add(int64(len(msgs)))
	if h.onLoop != nil {
		return h.onLoop(ctx, tick, msgs)
	}
	for _, m := range msgs { // echo to everyone
		_ = h.env.Dispatcher.Broadcast(m.OpCode, m.Data, nil, &m.Sender, true)
	}
	return nil
}
func (h *fakeHandler) Terminate(_ context.Context, _ int64, graceSeconds int) error {
	h.record("terminate")
	if h.onTerminate != nil {
		return h.onTerminate(graceSeconds)
	}
	return ErrNilState
}
func (h *fakeHandler) Signal(_ context.Context, _ int64, data string) (string, error) {
	if h.noSignal {
		return "", ErrNoSignal
	}
	if h.signalErr != nil {
		return "", h.signalErr
	}
	h.signaled = data
	return "got " + data, nil
}
func (h *fakeHandler) Close() { h.closed.Store(true) }

func (h *fakeHandler) callList() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

// factory makes fakeHandlers with a setup function.
type factory struct {
	mu       sync.Mutex
	handlers []*fakeHandler
	setup    func(*fakeHandler)
}

func (f *factory) NewHandler(_ context.Context, name string, env Env) (Handler, error) {
	if name != "game" {
		return nil, ErrModuleNotFound
	}
	h := &fakeHandler{env: env, rate: 20}
	if f.setup != nil {
		f.setup(h)
	}
	f.mu.Lock()
	f.handlers = append(f.handlers, h)
	f.mu.Unlock()
	return h, nil
}

// recConn records the envelopes a session receives.
type recConn struct {
	mu   sync.Mutex
	envs []*rtapi.Envelope
}

func (c *recConn) Send(b []byte) bool {
	env := &rtapi.Envelope{}
	if proto.Unmarshal(b, env) != nil {
		return false
	}
	c.mu.Lock()
	c.envs = append(c.envs, env)
	c.mu.Unlock()
	return true
}
func (c *recConn) Close(string) {}

func (c *recConn) find(pred func(*rtapi.Envelope) bool) *rtapi.Envelope {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.envs {
		if pred(e) {
			return e
		}
	}
	return nil
}

type protoCodec struct{}

func (protoCodec) Encode(env *rtapi.Envelope, _ session.Format) ([]byte, error) {
	return proto.Marshal(env)
}

type env struct {
	reg     *Registry
	tracker *session.Tracker
	f       *factory
}

func newEnv(t *testing.T, cfg Config, setup func(*fakeHandler)) *env {
	t.Helper()
	router := session.NewRouter(protoCodec{}, nil)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	f := &factory{setup: setup}
	reg := NewRegistry(Deps{Config: cfg, Factory: f, Tracker: tracker, Router: router})
	t.Cleanup(func() { reg.Shutdown(context.Background(), 0) })
	return &env{reg: reg, tracker: tracker, f: f}
}

func player(name string) (*session.Session, *recConn) {
	c := &recConn{}
	return session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(), Username: name, Format: session.Protobuf}, c), c
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

func (e *env) join(t *testing.T, s *session.Session, id string) *rtapi.Match {
	t.Helper()
	var got *rtapi.Match
	if err := e.reg.Join(s, id, nil, func(m *rtapi.Match) { got = m }); err != nil {
		t.Fatalf("join: %v", err)
	}
	return got
}

func TestCreateJoinLoopEcho(t *testing.T) {
	e := newEnv(t, Config{}, func(h *fakeHandler) { h.label = `{"mode":"duel"}` })
	id, err := e.reg.Create(context.Background(), "game", nil)
	if err != nil || !strings.HasSuffix(id, ".arbiter") {
		t.Fatalf("Create = %q, %v", id, err)
	}
	a, ca := player("alice")
	b, cb := player("bob")
	if m := e.join(t, a, id); !m.Authoritative || m.Label.GetValue() != `{"mode":"duel"}` || m.Size != 0 {
		t.Fatalf("join answer %v", m)
	}
	if m := e.join(t, b, id); m.Size != 1 || len(m.Presences) != 1 {
		t.Fatalf("second join answer %v", m)
	}
	h := e.f.handlers[0]
	eventually(t, "match_join for both", func() bool { return len(h.callList()) >= 5 })
	if err := e.reg.Data(a, id, &rtapi.MatchDataSend{MatchId: id, OpCode: 9, Data: []byte("hi")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*recConn{ca, cb} {
		eventually(t, "echo", func() bool {
			return c.find(func(env *rtapi.Envelope) bool {
				d := env.GetMatchData()
				return d != nil && d.OpCode == 9 && string(d.Data) == "hi" && d.Presence.GetUsername() == "alice"
			}) != nil
		})
	}
	// Data from a non-member is dropped.
	c, _ := player("carol")
	_ = e.reg.Data(c, id, &rtapi.MatchDataSend{MatchId: id, OpCode: 1})
	info, ok, _ := e.reg.Get(id)
	if !ok || info.Size != 2 || info.TickRate != 20 {
		t.Fatalf("Get = %+v, %v", info, ok)
	}
	e.tracker.UntrackAll(b, session.ReasonDisconnect)
	eventually(t, "match_leave", func() bool {
		calls := h.callList()
		return calls[len(calls)-1] == "leave:bob"
	})
}

func TestJoinRejected(t *testing.T) {
	e := newEnv(t, Config{}, func(h *fakeHandler) {
		h.onJoin = func(j JoinAttempt) (bool, string) {
			return j.Metadata["pass"] == "1", "wrong password"
		}
	})
	id, _ := e.reg.Create(context.Background(), "game", nil)
	a, _ := player("alice")
	err := e.reg.Join(a, id, map[string]string{"pass": "0"}, func(*rtapi.Match) {})
	if !errors.Is(err, runtime.ErrMatchJoinRejected) || err.Error() != "wrong password" {
		t.Fatalf("Join = %v", err)
	}
	if err := e.reg.Join(a, id, map[string]string{"pass": "1"}, func(*rtapi.Match) {}); err != nil {
		t.Fatal(err)
	}
	missing := runtime.NewUUID().String() + ".arbiter"
	if err := e.reg.Join(a, missing, nil, func(*rtapi.Match) {}); !errors.Is(err, runtime.ErrMatchNotFound) {
		t.Fatalf("unknown match: %v", err)
	}
}

func TestBudgetOverrunEndsOnlyThatMatch(t *testing.T) {
	var spinning atomic.Pointer[string] // the id of the match that spins
	e := newEnv(t, Config{CallBudget: 20 * time.Millisecond}, func(h *fakeHandler) {
		h.onLoop = func(ctx context.Context, tick int64, _ []Message) error {
			if id := spinning.Load(); id != nil && *id == h.env.MatchID {
				for { // a script spinning until the budget stops it
					select {
					case <-ctx.Done():
						return ctx.Err()
					default:
					}
				}
			}
			return nil
		}
	})
	bad, _ := e.reg.Create(context.Background(), "game", nil)
	good, _ := e.reg.Create(context.Background(), "game", nil)
	a, ca := player("alice")
	e.join(t, a, bad)
	spinning.Store(&bad)
	eventually(t, "the spinning match to end", func() bool { _, ok, _ := e.reg.Get(bad); return !ok })
	if e.reg.Stats().budgetOverruns.Load() == 0 {
		t.Fatal("overrun not counted")
	}
	if ca.find(func(env *rtapi.Envelope) bool {
		return strings.Contains(env.GetError().GetMessage(), "CPU budget")
	}) == nil {
		t.Fatal("the player was not told why the match ended")
	}
	if _, ok, _ := e.reg.Get(good); !ok {
		t.Fatal("the other match ended too")
	}
}

func TestErrorAndNilStateEndMatch(t *testing.T) {
	cases := []struct {
		name string
		err  error
		told bool
	}{
		{"error", errors.New("boom"), true},
		{"nil state", ErrNilState, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var fail atomic.Bool
			e := newEnv(t, Config{}, func(h *fakeHandler) {
				h.onLoop = func(context.Context, int64, []Message) error {
					if fail.Load() {
						return c.err
					}
					return nil
				}
			})
			id, _ := e.reg.Create(context.Background(), "game", nil)
			a, ca := player("alice")
			e.join(t, a, id)
			fail.Store(true)
			eventually(t, "the match to end", func() bool { return e.reg.Count() == 0 })
			// The match leaves the registry before its players are told:
			// wait for the leave, which comes after the error.
			eventually(t, "the player to see itself leave the ended match", func() bool {
				return ca.find(func(env *rtapi.Envelope) bool {
					ls := env.GetMatchPresenceEvent().GetLeaves()
					return len(ls) == 1 && ls[0].SessionId == a.ID
				}) != nil
			})
			told := ca.find(func(env *rtapi.Envelope) bool { return env.GetError() != nil }) != nil
			if told != c.told {
				t.Fatalf("player told = %v, want %v", told, c.told)
			}
			if !e.f.handlers[0].closed.Load() {
				t.Fatal("handler not closed")
			}
		})
	}
}

func TestSignalAndShutdown(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	id, _ := e.reg.Create(context.Background(), "game", nil)
	out, err := e.reg.Signal(context.Background(), id, "ping")
	if err != nil || out != "got ping" {
		t.Fatalf("Signal = %q, %v", out, err)
	}
	e.reg.Shutdown(context.Background(), time.Second)
	if e.reg.Count() != 0 {
		t.Fatal("matches left after shutdown")
	}
	calls := e.f.handlers[0].callList()
	if calls[len(calls)-1] != "terminate" {
		t.Fatalf("calls %v, want match_terminate last", calls)
	}
	if _, err := e.reg.Create(context.Background(), "game", nil); !errors.Is(err, ErrShutdown) {
		t.Fatalf("Create after shutdown: %v", err)
	}
}

func TestInputQueueDropsWhenFull(t *testing.T) {
	block := make(chan struct{})
	e := newEnv(t, Config{InputQueueSize: 4}, func(h *fakeHandler) {
		h.onLoop = func(context.Context, int64, []Message) error { <-block; return nil }
	})
	defer close(block)
	id, _ := e.reg.Create(context.Background(), "game", nil)
	a, _ := player("alice")
	e.join(t, a, id)
	for range 20 {
		_ = e.reg.Data(a, id, &rtapi.MatchDataSend{MatchId: id})
	}
	if e.reg.Stats().dropped.Load() < 16-4 {
		t.Fatalf("dropped %d, want the excess dropped", e.reg.Stats().dropped.Load())
	}
}

func TestListing(t *testing.T) {
	labels := []string{`{"mode":"duel","level":5}`, `{"mode":"ffa","level":12}`, `{"mode":"duel","level":20}`, "plain"}
	i := 0
	e := newEnv(t, Config{}, func(h *fakeHandler) { h.label = labels[i]; i++ })
	for range labels {
		if _, err := e.reg.Create(context.Background(), "game", nil); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }
	cases := []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"all, newest first", ListQuery{Limit: 10}, []string{"plain", labels[2], labels[1], labels[0]}},
		{"limit", ListQuery{Limit: 1}, []string{"plain"}},
		{"exact label", ListQuery{Limit: 10, Label: str("plain")}, []string{"plain"}},
		{"query", ListQuery{Limit: 10, Query: str("+label.mode:duel")}, []string{labels[2], labels[0]}},
		{"range", ListQuery{Limit: 10, Query: str("+label.level:>10")}, []string{labels[2], labels[1]}},
		{"exclusion", ListQuery{Limit: 10, Query: str("-label.mode:duel")}, []string{labels[1]}},
		{"star", ListQuery{Limit: 10, Query: str("*")}, []string{"plain", labels[2], labels[1], labels[0]}},
		{"score first", ListQuery{Limit: 10, Query: str("label.mode:duel label.level:>=20")}, []string{labels[2], labels[0]}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.reg.List(c.q)
			if err != nil {
				t.Fatal(err)
			}
			var labelsGot []string
			for _, m := range got {
				labelsGot = append(labelsGot, m.Label)
			}
			if strings.Join(labelsGot, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %v, want %v", labelsGot, c.want)
			}
		})
	}
	if _, err := e.reg.List(ListQuery{Limit: 1, Query: str(`label.x:"open`)}); err == nil {
		t.Fatal("a bad query was accepted")
	}
}

func TestSignalWithoutMatchSignal(t *testing.T) {
	e := newEnv(t, Config{}, func(h *fakeHandler) { h.noSignal = true })
	id, _ := e.reg.Create(context.Background(), "game", nil)
	if _, err := e.reg.Signal(context.Background(), id, "x"); !errors.Is(err, ErrNoSignal) {
		t.Fatalf("Signal = %v, want ErrNoSignal", err)
	}
	if _, ok, _ := e.reg.Get(id); !ok {
		t.Fatal("a signal to a module without match_signal ended the match")
	}
}

// TestTicksAndLogFields checks the tick hook, and the log fields of the
// callbacks' contexts: match_init carries the creating request's trace,
// match_join_attempt the joining request's, match_loop the match's own.
func TestTicksAndLogFields(t *testing.T) {
	router := session.NewRouter(protoCodec{}, nil)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	f := &factory{}
	var mu sync.Mutex
	ticks, queued := 0, 0
	reg := NewRegistry(Deps{Factory: f, Tracker: tracker, Router: router,
		Ticks: func(module string) func(time.Duration, int) {
			if module != "game" {
				t.Errorf("ticks of module %q", module)
			}
			return func(d time.Duration, n int) {
				mu.Lock()
				ticks++
				queued += n
				mu.Unlock()
			}
		}})
	t.Cleanup(func() { reg.Shutdown(context.Background(), 0) })
	create := runtime.WithLogFields(context.Background(), runtime.LogFields{TraceID: "create-trace", RPCID: "make"})
	id, err := reg.Create(create, "game", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := player("alice")
	join := runtime.WithLogFields(context.Background(), runtime.LogFields{TraceID: "join-trace", SessionID: a.ID, UserID: a.UserID})
	if err := reg.JoinContext(join, a, id, nil, func(*rtapi.Match) {}); err != nil {
		t.Fatal(err)
	}
	h := f.handlers[0]
	eventually(t, "match_join", func() bool { return slices.Contains(h.callList(), "join:alice") })
	_ = reg.Data(a, id, &rtapi.MatchDataSend{MatchId: id, OpCode: 1})
	eventually(t, "a tick with the message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return queued == 1 && ticks > 1
	})
	field := func(call string) runtime.LogFields {
		v, ok := h.fields.Load(call)
		if !ok {
			t.Fatalf("no %s call", call)
		}
		return v.(runtime.LogFields)
	}
	if got, want := field("init"), (runtime.LogFields{TraceID: "create-trace", MatchID: id, Module: "game"}); got != want {
		t.Errorf("match_init fields = %+v, want %+v", got, want)
	}
	if got, want := field("join_attempt"), (runtime.LogFields{TraceID: "join-trace", SessionID: a.ID, UserID: a.UserID, MatchID: id, Module: "game"}); got != want {
		t.Errorf("match_join_attempt fields = %+v, want %+v", got, want)
	}
	if got, want := field("loop"), (runtime.LogFields{MatchID: id, Module: "game"}); got != want {
		t.Errorf("match_loop fields = %+v, want %+v", got, want)
	}
}
