package nk

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

const testNode = "node1"

// env is an API over real services: SQLite in a temporary directory, a
// session registry, tracker and router with recording connections, a match
// registry with a fake factory and a recording notifier.
type env struct {
	api      *API
	store    *sqlite.Store
	sessions *session.Registry
	tracker  *session.Tracker
	matches  *match.Registry
	notifier *fakeNotifier
	factory  *fakeFactory
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "nk.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	router := session.NewRouter(jsonCodec{}, nil)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	factory := &fakeFactory{}
	matches := match.NewRegistry(match.Deps{
		Config: match.Config{Node: testNode}, Factory: factory, Tracker: tracker, Router: router,
	})
	// A grace period lets each match end itself from match_terminate (the
	// fake returns a nil state) rather than be halted from outside.
	t.Cleanup(func() { matches.Shutdown(context.Background(), 5*time.Second) })
	e := &env{
		store: store, sessions: session.NewRegistry(), tracker: tracker, matches: matches,
		notifier: &fakeNotifier{}, factory: factory,
	}
	e.api = New(Deps{
		Node: testNode, Version: "1.2.3", Env: map[string]string{"k": "v"},
		Accounts: account.New(account.Deps{Identities: store, Accounts: store}),
		Objects:  object.New(store),
		Notifier: e.notifier, Matches: matches,
		Sessions: e.sessions, Tracker: tracker, Router: router,
	})
	return e
}

// call invokes the function name with args and fails the test if it
// returns an error.
func (e *env) call(t *testing.T, name string, args ...any) []any {
	t.Helper()
	out, err := e.try(name, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func (e *env) try(name string, args ...any) ([]any, error) {
	return e.tryCall(&Call{Ctx: context.Background()}, name, args...)
}

func (e *env) tryCall(c *Call, name string, args ...any) ([]any, error) {
	f := e.api.Func(name)
	if f == nil {
		return nil, errors.New("no function " + name)
	}
	out, err := f.Invoke(c, args)
	if err == nil && len(out) != len(f.Results) {
		return nil, errors.New(name + ": wrong number of results")
	}
	return out, err
}

// wantErr checks that calling name fails with exactly msg, as an *Error.
func (e *env) wantErr(t *testing.T, msg, name string, args ...any) {
	t.Helper()
	_, err := e.try(name, args...)
	checkErr(t, err, msg)
}

func checkErr(t *testing.T, err error, msg string) {
	t.Helper()
	var ne *Error
	if !errors.As(err, &ne) {
		t.Fatalf("error = %v (%T), want *Error %q", err, err, msg)
	}
	if ne.Message != msg {
		t.Fatalf("error = %q, want %q", ne.Message, msg)
	}
}

// newUser creates an account and returns its id.
func (e *env) newUser(t *testing.T, username string) string {
	t.Helper()
	id := runtime.NewUUID().String()
	_, err := e.store.Identify(context.Background(),
		runtime.Identity{Kind: runtime.IdentityCustom, ID: "custom-" + username}, true,
		runtime.NewUser{ID: id, Username: username})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// connect registers a session of userID with a recording connection.
func (e *env) connect(userID, username string) (*session.Session, *fakeConn) {
	conn := &fakeConn{}
	s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: userID, Username: username}, conn)
	e.sessions.Add(s)
	return s, conn
}

// jsonCodec encodes envelopes with protojson whatever the format.
type jsonCodec struct{}

func (jsonCodec) Encode(env *rtapi.Envelope, _ session.Format) ([]byte, error) {
	return protojson.Marshal(env)
}

// fakeConn records the frames sent to it.
type fakeConn struct {
	mu     sync.Mutex
	frames [][]byte
	closed string
}

func (c *fakeConn) Send(frame []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames = append(c.frames, frame)
	return true
}

func (c *fakeConn) Close(reason string) {
	c.mu.Lock()
	c.closed = reason
	c.mu.Unlock()
}

// envelopes decodes the recorded frames.
func (c *fakeConn) envelopes(t *testing.T) []*rtapi.Envelope {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*rtapi.Envelope, len(c.frames))
	for i, f := range c.frames {
		out[i] = &rtapi.Envelope{}
		if err := protojson.Unmarshal(f, out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// streamData returns the stream_data messages received.
func (c *fakeConn) streamData(t *testing.T) []*rtapi.StreamData {
	var out []*rtapi.StreamData
	for _, env := range c.envelopes(t) {
		if d := env.GetStreamData(); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// fakeNotifier records what it is asked to send.
type fakeNotifier struct {
	mu   sync.Mutex
	sent []runtime.Notification
	err  error
}

func (n *fakeNotifier) Send(_ context.Context, ns []runtime.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return n.err
	}
	n.sent = append(n.sent, ns...)
	return nil
}

// fakeFactory makes fakeHandlers for modules whose name starts with
// "game"; "game_bad_rate" returns a tick rate of 0, and others are not found.
type fakeFactory struct {
	mu     sync.Mutex
	params []map[string]any
}

func (f *fakeFactory) NewHandler(_ context.Context, name string, env match.Env) (match.Handler, error) {
	if !strings.HasPrefix(name, "game") {
		return nil, match.ErrModuleNotFound
	}
	return &fakeHandler{f: f, name: name}, nil
}

type fakeHandler struct {
	f    *fakeFactory
	name string
}

func (h *fakeHandler) Init(_ context.Context, params map[string]any) (match.Setup, error) {
	h.f.mu.Lock()
	h.f.params = append(h.f.params, params)
	h.f.mu.Unlock()
	if h.name == "game_bad_rate" {
		return match.Setup{}, nil
	}
	label, _ := params["label"].(string)
	return match.Setup{TickRate: 10, Label: label}, nil
}

func (h *fakeHandler) JoinAttempt(context.Context, int64, match.JoinAttempt) (bool, string, error) {
	return true, "", nil
}
func (h *fakeHandler) Join(context.Context, int64, []match.Presence) error  { return nil }
func (h *fakeHandler) Leave(context.Context, int64, []match.Presence) error { return nil }
func (h *fakeHandler) Loop(context.Context, int64, []match.Message) error   { return nil }
func (h *fakeHandler) Terminate(context.Context, int64, int) error          { return match.ErrNilState }
func (h *fakeHandler) Signal(_ context.Context, _ int64, data string) (string, error) {
	return "echo:" + data, nil
}
func (h *fakeHandler) Close() {}

// fakeFunction is a Function that records its calls.
type fakeFunction struct {
	mu    sync.Mutex
	calls [][]any
	err   error
	fn    func(args []any)
}

func (f *fakeFunction) Call(_ context.Context, args ...any) ([]any, error) {
	f.mu.Lock()
	f.calls = append(f.calls, args)
	fn := f.fn
	f.mu.Unlock()
	if fn != nil {
		fn(args)
	}
	return nil, f.err
}

func (f *fakeFunction) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fakeRegistrar records registrations.
type fakeRegistrar struct {
	rpcs       map[string]Function
	matchmaker Function
	shutdown   Function
	err        error
}

func (r *fakeRegistrar) RegisterRPC(id string, fn Function) error {
	if r.err != nil {
		return r.err
	}
	if r.rpcs == nil {
		r.rpcs = map[string]Function{}
	}
	r.rpcs[id] = fn
	return nil
}

func (r *fakeRegistrar) RegisterMatchmakerMatched(fn Function) error {
	r.matchmaker = fn
	return r.err
}

func (r *fakeRegistrar) RegisterShutdown(fn Function) error {
	r.shutdown = fn
	return r.err
}
