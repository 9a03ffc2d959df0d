package notify_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime"
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

// envelopes decodes and forgets the frames received so far.
func (r *recorder) envelopes(t *testing.T) []*rtapi.Envelope {
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

// failing is a store whose writes fail when fail is set.
type failing struct {
	runtime.NotificationStore
	fail bool
}

var errDown = errors.New("database down")

func (f *failing) AddNotifications(ctx context.Context, ns []runtime.Notification) error {
	if f.fail {
		return errDown
	}
	return f.NotificationStore.AddNotifications(ctx, ns)
}

func (f *failing) ListNotifications(ctx context.Context, user string, limit int, cursor string) ([]runtime.Notification, string, error) {
	if f.fail {
		return nil, "", errDown
	}
	return f.NotificationStore.ListNotifications(ctx, user, limit, cursor)
}

func (f *failing) DeleteNotifications(ctx context.Context, user string, ids []string) error {
	if f.fail {
		return errDown
	}
	return f.NotificationStore.DeleteNotifications(ctx, user, ids)
}

// fixture is a notification service over an SQLite store.
type fixture struct {
	svc     *notify.Service
	store   *failing
	tracker *session.Tracker
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "arbiter.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	tracker := session.NewTracker(nil)
	store := &failing{NotificationStore: db}
	return &fixture{svc: notify.New(store, tracker, session.NewRouter(protoCodec{}, nil)), store: store, tracker: tracker}
}

// connect opens a session of user on its notifications stream, as a socket
// does, and returns what it receives.
func (f *fixture) connect(user string) *recorder {
	rec := &recorder{}
	s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: user, Username: "u"}, rec)
	f.tracker.Track(s, notify.Stream(user), session.Meta{Hidden: true})
	return rec
}

// list returns every stored notification of user.
func (f *fixture) list(t *testing.T, user string) []runtime.Notification {
	t.Helper()
	ns, _, err := f.svc.List(t.Context(), user, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func newUserID() string { return runtime.NewUUID().String() }

// received returns the notifications of each notifications envelope.
func received(t *testing.T, rec *recorder) [][]*api.Notification {
	t.Helper()
	var out [][]*api.Notification
	for _, env := range rec.envelopes(t) {
		n := env.GetNotifications()
		if n == nil || env.Cid != "" {
			t.Fatalf("unexpected envelope %v", env)
		}
		out = append(out, n.Notifications)
	}
	return out
}

func TestSendInvalid(t *testing.T) {
	f := newFixture(t)
	user := newUserID()
	rec := f.connect(user)
	ok := runtime.Notification{UserID: user, Subject: "s", Content: "{}", Code: 1, Persistent: true}
	cases := []struct {
		name string
		n    func(n *runtime.Notification)
		want error
	}{
		{"user not a UUID", func(n *runtime.Notification) { n.UserID = "alice" }, notify.ErrInvalidUser},
		{"no user", func(n *runtime.Notification) { n.UserID = "" }, notify.ErrInvalidUser},
		{"sender not a UUID", func(n *runtime.Notification) { n.SenderID = "bob" }, notify.ErrInvalidSender},
		{"empty subject", func(n *runtime.Notification) { n.Subject = "" }, notify.ErrInvalidSubject},
		{"content an array", func(n *runtime.Notification) { n.Content = "[1]" }, notify.ErrInvalidContent},
		{"content not JSON", func(n *runtime.Notification) { n.Content = "{" }, notify.ErrInvalidContent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := ok
			c.n(&bad)
			// The valid one is neither stored nor delivered either.
			err := f.svc.Send(t.Context(), []runtime.Notification{ok, bad})
			if !errors.Is(err, c.want) || runtime.CodeOf(err) != runtime.InvalidArgument {
				t.Fatalf("Send = %v, want %v", err, c.want)
			}
			if got := received(t, rec); len(got) != 0 {
				t.Fatalf("delivered %v", got)
			}
			if got := f.list(t, user); len(got) != 0 {
				t.Fatalf("stored %v", got)
			}
		})
	}
}

func TestSendDelivers(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := newUserID(), newUserID(), newUserID()
	alice1, alice2, bob1 := f.connect(alice), f.connect(alice), f.connect(bob)
	ns := []runtime.Notification{
		{UserID: alice, Subject: "first", Content: `{"a":1}`, Code: 5, SenderID: bob, Persistent: true},
		{UserID: bob, Subject: "live only", Content: `{}`, Code: 6},
		{UserID: alice, Subject: "from the server", Code: -3, Persistent: true}, // "" content is {}
		{UserID: carol, Subject: "offline", Content: `{"c":"ü"}`, Code: 7, Persistent: true},
	}
	if err := f.svc.Send(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	for i, n := range ns {
		if !runtime.ValidUUID(n.ID) || n.CreateTime.IsZero() {
			t.Fatalf("notification %d: id %q, create time %v", i, n.ID, n.CreateTime)
		}
	}
	want := func(ns ...runtime.Notification) [][]*api.Notification {
		var out []*api.Notification
		for _, n := range ns {
			out = append(out, notify.Wire(n))
		}
		return [][]*api.Notification{out}
	}
	for name, c := range map[string]struct {
		rec  *recorder
		want [][]*api.Notification
	}{
		"alice's first socket":  {alice1, want(ns[0], ns[2])},
		"alice's second socket": {alice2, want(ns[0], ns[2])},
		"bob's socket":          {bob1, want(ns[1])},
	} {
		got := received(t, c.rec)
		if len(got) != 1 || len(got[0]) != len(c.want[0]) {
			t.Fatalf("%s received %v, want one envelope of %d", name, got, len(c.want[0]))
		}
		for i := range got[0] {
			if !proto.Equal(got[0][i], c.want[0][i]) {
				t.Fatalf("%s: notification %d = %v, want %v", name, i, got[0][i], c.want[0][i])
			}
		}
	}
	if ns[2].Content != "{}" || ns[2].SenderID != "" {
		t.Fatalf("server notification stored as %+v", ns[2])
	}
	// Listings hold the persistent ones, the offline user's included.
	for user, want := range map[string][]runtime.Notification{alice: {ns[0], ns[2]}, bob: nil, carol: {ns[3]}} {
		got := f.list(t, user)
		if len(got) != len(want) {
			t.Fatalf("listing has %d notifications, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID || !got[i].CreateTime.Equal(want[i].CreateTime) || got[i].Content != want[i].Content ||
				got[i].SenderID != want[i].SenderID || got[i].Code != want[i].Code || !got[i].Persistent {
				t.Fatalf("listed %+v, want %+v", got[i], want[i])
			}
		}
	}
}

func TestSendStoreFailure(t *testing.T) {
	f := newFixture(t)
	user := newUserID()
	rec := f.connect(user)
	f.store.fail = true
	err := f.svc.Send(t.Context(), []runtime.Notification{
		{UserID: user, Subject: "live", Content: "{}"},
		{UserID: user, Subject: "kept", Content: "{}", Persistent: true},
	})
	if !errors.Is(err, errDown) || runtime.CodeOf(err) != runtime.Internal {
		t.Fatalf("Send = %v, want the store's error as Internal", err)
	}
	if got := received(t, rec); len(got) != 0 {
		t.Fatalf("delivered %v after the store failed", got)
	}
	// Only live notifications do not touch the store.
	if err := f.svc.Send(t.Context(), []runtime.Notification{{UserID: user, Subject: "live", Content: "{}"}}); err != nil {
		t.Fatal(err)
	}
	if got := received(t, rec); len(got) != 1 {
		t.Fatalf("received %d envelopes, want 1", len(got))
	}
}

func TestListAndDelete(t *testing.T) {
	f := newFixture(t)
	alice, bob := newUserID(), newUserID()
	var ns []runtime.Notification
	for _, u := range []string{alice, alice, alice, bob} {
		ns = append(ns, runtime.Notification{UserID: u, Subject: "s", Content: "{}", Persistent: true})
	}
	if err := f.svc.Send(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, limit := range []int{0, -1, 101} {
		if _, _, err := f.svc.List(ctx, alice, limit, ""); !errors.Is(err, notify.ErrInvalidLimit) {
			t.Fatalf("List(limit %d) = %v", limit, err)
		}
	}
	if _, _, err := f.svc.List(ctx, alice, 1, "garbage"); !errors.Is(err, runtime.ErrBadCursor) {
		t.Fatalf("List with a bad cursor = %v", err)
	}
	// Page by one with the cacheable cursor.
	var got []string
	cursor := ""
	for range 4 {
		page, next, err := f.svc.List(ctx, alice, 1, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page {
			got = append(got, n.ID)
		}
		cursor = next
	}
	if len(got) != 3 || cursor == "" {
		t.Fatalf("paged %v, cursor %q", got, cursor)
	}

	cases := []struct {
		name string
		ids  []string
		want error
	}{
		{"none", nil, nil},
		{"not a UUID", []string{ns[0].ID, "x"}, notify.ErrInvalidID},
		{"own, another's and unknown", []string{ns[0].ID, ns[3].ID, newUserID()}, nil},
	}
	for _, c := range cases {
		if err := f.svc.Delete(ctx, alice, c.ids); !errors.Is(err, c.want) {
			t.Fatalf("%s: Delete = %v, want %v", c.name, err, c.want)
		}
	}
	if n := len(f.list(t, alice)); n != 2 {
		t.Fatalf("alice has %d notifications after the delete, want 2", n)
	}
	if n := len(f.list(t, bob)); n != 1 {
		t.Fatalf("bob has %d notifications, want 1", n)
	}
	f.store.fail = true
	if _, _, err := f.svc.List(ctx, alice, 1, ""); !errors.Is(err, errDown) || runtime.CodeOf(err) != runtime.Internal {
		t.Fatalf("List on a failing store = %v", err)
	}
	if err := f.svc.Delete(ctx, alice, []string{ns[1].ID}); !errors.Is(err, errDown) || runtime.CodeOf(err) != runtime.Internal {
		t.Fatalf("Delete on a failing store = %v", err)
	}
}
