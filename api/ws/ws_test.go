package ws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
)

// server is a socket endpoint on 127.0.0.1 for tests.
type server struct {
	t        *testing.T
	url      string
	tokens   *auth.Tokens
	handler  *Handler
	sessions *session.Registry
	tracker  *session.Tracker
}

type noUsers struct{}

func (noUsers) Users(context.Context, []string, []string) ([]runtime.User, error) { return nil, nil }

func newServer(t *testing.T, cfg Config) *server {
	t.Helper()
	return newServerWith(t, cfg, nil)
}

// newServerWith is newServer with the pipeline's dependencies changed by
// change (which may be nil) before the pipeline is made.
func newServerWith(t *testing.T, cfg Config, change func(*PipelineDeps, *auth.Tokens)) *server {
	t.Helper()
	tokens, err := auth.New(context.Background(), auth.Config{
		SessionKey: "s", RefreshKey: "r", TokenExpiry: time.Hour, RefreshExpiry: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	sessions := session.NewRegistry()
	router := session.NewRouter(wire.Codec{}, nil)
	var tracker *session.Tracker
	tracker = session.NewTracker(func(ev session.Event) { router.StreamEvent(tracker)(ev) })
	st := status.New(tracker, router, noUsers{})
	pd := PipelineDeps{Router: router, Relayed: match.NewRelayed(tracker, router), Status: st}
	if change != nil {
		change(&pd, tokens)
	}
	h, err := New(Deps{
		Config: cfg, Tokens: tokens, Sessions: sessions, Tracker: tracker, Router: router, Status: st,
		Pipeline: NewPipeline(pd),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		hs.Close()
	})
	return &server{t: t, url: "ws" + strings.TrimPrefix(hs.URL, "http"), tokens: tokens, handler: h,
		sessions: sessions, tracker: tracker}
}

// token returns a session token for a new user.
func (s *server) token() string {
	s.t.Helper()
	p, err := s.tokens.Issue(runtime.NewUUID().String(), "user-"+runtime.NewUUID().String()[:8], nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return p.Token
}

// client is a test socket client.
type client struct {
	t      *testing.T
	c      *websocket.Conn
	format session.Format
	mu     sync.Mutex
}

func (s *server) dial(format session.Format, token string) (*client, *http.Response, error) {
	return s.dialQuery(format, url.Values{"token": {token}})
}

// dialQuery opens a socket with the query q (plus the format's).
func (s *server) dialQuery(format session.Format, q url.Values) (*client, *http.Response, error) {
	if format == session.Protobuf {
		q.Set("format", "protobuf")
	}
	c, resp, err := websocket.DefaultDialer.Dial(s.url+"/?"+q.Encode(), nil)
	if err != nil {
		return nil, resp, err
	}
	cl := &client{t: s.t, c: c, format: format}
	s.t.Cleanup(func() { c.Close() })
	return cl, resp, nil
}

func (s *server) connect(format session.Format) *client {
	s.t.Helper()
	c, _, err := s.dial(format, s.token())
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// send writes an envelope in the client's format.
func (c *client) send(env *rtapi.Envelope) {
	c.t.Helper()
	var (
		b   []byte
		err error
		typ = websocket.TextMessage
	)
	if c.format == session.Protobuf {
		b, err = proto.Marshal(env)
		typ = websocket.BinaryMessage
	} else {
		b, err = protojson.Marshal(env)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	c.raw(typ, b)
}

func (c *client) raw(typ int, b []byte) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.c.WriteMessage(typ, b); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads the next envelope, failing after a timeout.
func (c *client) recv() *rtapi.Envelope {
	c.t.Helper()
	env, err := c.tryRecv(5 * time.Second)
	if err != nil {
		c.t.Fatalf("recv: %v", err)
	}
	return env
}

func (c *client) tryRecv(d time.Duration) (*rtapi.Envelope, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.c.ReadMessage()
	if err != nil {
		return nil, err
	}
	env := &rtapi.Envelope{}
	if c.format == session.Protobuf {
		err = proto.Unmarshal(b, env)
	} else {
		err = protojson.Unmarshal(b, env)
	}
	return env, err
}

// recvUntil reads envelopes until one satisfies ok.
func (c *client) recvUntil(ok func(*rtapi.Envelope) bool) *rtapi.Envelope {
	c.t.Helper()
	for {
		if env := c.recv(); ok(env) {
			return env
		}
	}
}

// closeCode reads until the server closes and returns the close code.
func (c *client) closeCode() int {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.c.ReadMessage()
		if err == nil {
			continue
		}
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce.Code
		}
		c.t.Fatalf("connection ended without a close frame: %v", err)
	}
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
