package chat_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

// protoCodec encodes envelopes as protobuf whatever the format, so that
// the recorded frames decode one way.
type protoCodec struct{}

func (protoCodec) Encode(env *rtapi.Envelope, _ session.Format) ([]byte, error) {
	return proto.Marshal(env)
}

// recorder is a session.Conn that keeps the frames sent to it.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
}

func (r *recorder) Send(frame []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, frame)
	return true
}

func (r *recorder) Close(string) {}

// take decodes and forgets the frames received so far.
func (r *recorder) take(t *testing.T) []*rtapi.Envelope {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*rtapi.Envelope, len(r.frames))
	for i, f := range r.frames {
		out[i] = &rtapi.Envelope{}
		if err := proto.Unmarshal(f, out[i]); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	r.frames = nil
	return out
}

// errDown is the error of a failing store.
var errDown = errors.New("database down")

// store is the SQLite store, whose message writes fail when fail is set.
type store struct {
	*sqlite.Store
	fail bool
}

func (s *store) AddMessage(ctx context.Context, m runtime.ChannelMessage) error {
	if s.fail {
		return errDown
	}
	return s.Store.AddMessage(ctx, m)
}

func (s *store) UpdateMessage(ctx context.Context, m runtime.ChannelMessage) (time.Time, error) {
	if s.fail {
		return time.Time{}, errDown
	}
	return s.Store.UpdateMessage(ctx, m)
}

func (s *store) RemoveMessage(ctx context.Context, channelID, id, sender string) (time.Time, error) {
	if s.fail {
		return time.Time{}, errDown
	}
	return s.Store.RemoveMessage(ctx, channelID, id, sender)
}

// groups is a Groups whose members are listed by "group/user"; a group
// listed as "group/!" fails the lookup.
type groups map[string]bool

func (g groups) IsMember(_ context.Context, group, user string) (bool, error) {
	if g[group+"/!"] {
		return false, errDown
	}
	return g[group+"/"+user], nil
}

// fixture is a chat service over an SQLite store, with users.
type fixture struct {
	chat    *chat.Service
	notify  *notify.Service
	store   *store
	tracker *session.Tracker
	groups  groups
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "arbiter.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	f := &fixture{store: &store{Store: db}, tracker: session.NewTracker(nil), groups: groups{}}
	router := session.NewRouter(protoCodec{}, nil)
	f.notify = notify.New(db, f.tracker, router)
	f.chat = chat.New(chat.Deps{Tracker: f.tracker, Router: router, Store: f.store, Users: db, Groups: f.groups,
		Notify: f.notify})
	return f
}

// user is an account.
type user struct{ id, name string }

// newUser creates an account named name.
func (f *fixture) newUser(t *testing.T, name string) user {
	t.Helper()
	id := runtime.NewUUID().String()
	_, err := f.store.Identify(t.Context(), runtime.Identity{Kind: runtime.IdentityDevice, ID: "device-" + id}, true,
		runtime.NewUser{ID: id, Username: name})
	if err != nil {
		t.Fatal(err)
	}
	return user{id, name}
}

// conn is a connected session and what it receives.
type conn struct {
	*session.Session
	rec *recorder
}

// connect opens a session of u, on its notifications stream as a socket is.
func (f *fixture) connect(u user) conn {
	rec := &recorder{}
	s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: u.id, Username: u.name}, rec)
	f.tracker.Track(s, notify.Stream(u.id), session.Meta{Hidden: true, Username: u.name})
	return conn{s, rec}
}

// join joins c to a channel and returns the reply.
func (f *fixture) join(t *testing.T, c conn, target string, typ int32, opts ...func(*rtapi.ChannelJoin)) *rtapi.Channel {
	t.Helper()
	m := &rtapi.ChannelJoin{Target: target, Type: typ}
	for _, o := range opts {
		o(m)
	}
	var reply *rtapi.Channel
	if err := f.chat.Join(t.Context(), c.Session, m, func(ch *rtapi.Channel) { reply = ch }); err != nil {
		t.Fatalf("join %q: %v", target, err)
	}
	if reply == nil {
		t.Fatal("join without a reply")
	}
	return reply
}

// hidden and transient are join options.
func hidden(m *rtapi.ChannelJoin)    { m.Hidden = wrapperspb.Bool(true) }
func transient(m *rtapi.ChannelJoin) { m.Persistence = wrapperspb.Bool(false) }

// wantErr fails the test unless err matches want (nil for none).
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// wantMessage fails the test unless got is want.
func wantMessage(t *testing.T, what string, got, want proto.Message) {
	t.Helper()
	if !proto.Equal(got, want) {
		t.Fatalf("%s = %v\nwant %v", what, got, want)
	}
}
