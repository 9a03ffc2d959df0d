package matchmaker

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// protoCodec encodes envelopes as protobuf, whatever the format.
type protoCodec struct{}

func (protoCodec) Encode(env *rtapi.Envelope, _ session.Format) ([]byte, error) {
	return proto.Marshal(env)
}

// inbox is a session connection that keeps what it is sent.
type inbox struct {
	mu   sync.Mutex
	envs []*rtapi.Envelope
}

func (b *inbox) Send(frame []byte) bool {
	env := &rtapi.Envelope{}
	if err := proto.Unmarshal(frame, env); err != nil {
		panic(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.envs = append(b.envs, env)
	return true
}

func (b *inbox) Close(string) {}

func (b *inbox) matched(t *testing.T) []*rtapi.MatchmakerMatched {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*rtapi.MatchmakerMatched
	for _, e := range b.envs {
		if m := e.GetMatchmakerMatched(); m != nil {
			out = append(out, m)
		} else {
			t.Fatalf("unexpected envelope %v", e)
		}
	}
	return out
}

// fakeSigner signs "token:" + the match id, and counts its calls.
type fakeSigner struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (s *fakeSigner) MatchToken(matchID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, matchID)
	return "token:" + matchID, s.err
}

// group returns n entries on sessions that record what they are sent.
func group(n int) ([]Entry, []*inbox) {
	g := make([]Entry, n)
	boxes := make([]*inbox, n)
	for i := range g {
		boxes[i] = &inbox{}
		s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(),
			Username: "player" + string(rune('a'+i))}, boxes[i])
		g[i] = Entry{Ticket: runtime.NewUUID().String(), Session: s,
			StringProperties: map[string]string{"mode": "duel"}, NumericProperties: map[string]float64{"skill": float64(i)}}
	}
	return g, boxes
}

// TestAnnounceFallsBackToToken checks what matchmaker_matched carries: the
// match id the matched hook returns, or else (no hook, a hook that fails,
// returns nothing or returns something that is not a match id) a token for
// a new relayed match. The hook's id is not looked up: a well-formed id of
// a match that does not exist is passed on, as Nakama passes it on.
func TestAnnounceFallsBackToToken(t *testing.T) {
	authoritative := runtime.NewUUID().String() + ".arbiter"
	unknown := runtime.NewUUID().String() + ".othernode"
	hook := func(id string, err error) func() module.MatchmakerFunc {
		return func() module.MatchmakerFunc {
			return func(context.Context, *runtime.CallContext, []any) (string, error) { return id, err }
		}
	}
	cases := []struct {
		name    string
		hook    func() module.MatchmakerFunc // nil: no hook getter at all
		matchID string                       // "" means a token is expected
	}{
		{"no hook getter", nil, ""},
		{"no hook registered", func() module.MatchmakerFunc { return nil }, ""},
		{"hook returns nothing", hook("", nil), ""},
		{"hook raises an error", hook(authoritative, errors.New("hook failed")), ""},
		{"hook returns garbage", hook("not a match id", nil), ""},
		{"hook returns a uuid without a dot", hook(runtime.NewUUID().String(), nil), ""},
		{"hook returns a match id", hook(authoritative, nil), authoritative},
		{"hook returns an unknown match id", hook(unknown, nil), unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			signer := &fakeSigner{}
			n := &Notice{Router: session.NewRouter(protoCodec{}, nil), Tokens: signer, Hook: c.hook, Node: "arbiter"}
			g, boxes := group(2)
			n.Announce(context.Background(), g)
			var token string
			for i, b := range boxes {
				ms := b.matched(t)
				if len(ms) != 1 {
					t.Fatalf("player %d got %d matchmaker_matched, want 1", i, len(ms))
				}
				m := ms[0]
				if m.Ticket != g[i].Ticket || m.Self.GetPresence().GetSessionId() != g[i].Session.ID || len(m.Users) != 2 {
					t.Fatalf("player %d got %v", i, m)
				}
				if c.matchID != "" {
					if m.GetMatchId() != c.matchID || m.GetToken() != "" {
						t.Fatalf("player %d got match id %q token %q, want match id %q", i, m.GetMatchId(), m.GetToken(), c.matchID)
					}
					continue
				}
				if m.GetMatchId() != "" || !strings.HasPrefix(m.GetToken(), "token:") {
					t.Fatalf("player %d got match id %q token %q, want a token", i, m.GetMatchId(), m.GetToken())
				}
				if i > 0 && m.GetToken() != token {
					t.Fatalf("players got different tokens %q and %q", token, m.GetToken())
				}
				token = m.GetToken()
			}
			if c.matchID != "" {
				if len(signer.ids) != 0 {
					t.Fatalf("a token was signed (%v) for a group the hook placed", signer.ids)
				}
				return
			}
			// The token is for a new relayed match: a UUID and an empty node.
			if len(signer.ids) != 1 {
				t.Fatalf("%d tokens signed, want 1", len(signer.ids))
			}
			if _, node, err := match.ParseID(signer.ids[0]); err != nil || node != "" {
				t.Fatalf("token for %q, want a relayed match id (%v)", signer.ids[0], err)
			}
		})
	}
}

// TestAnnounceHookSeesTheGroup checks the entries the matched hook gets.
func TestAnnounceHookSeesTheGroup(t *testing.T) {
	var got []any
	var cc *runtime.CallContext
	n := &Notice{
		Router: session.NewRouter(protoCodec{}, nil), Tokens: &fakeSigner{}, Node: "node1", Env: map[string]string{"k": "v"},
		Hook: func() module.MatchmakerFunc {
			return func(_ context.Context, c *runtime.CallContext, entries []any) (string, error) {
				got, cc = entries, c
				return "", nil
			}
		},
	}
	g, _ := group(2)
	n.Announce(context.Background(), g)
	if len(got) != 2 || cc == nil || cc.ExecutionMode != runtime.ModeMatchmaker || cc.Env["k"] != "v" || cc.TraceID == "" {
		t.Fatalf("hook called with %v, %+v", got, cc)
	}
	for i, e := range got {
		m := e.(map[string]any)
		p := m["presence"].(map[string]any)
		props := m["properties"].(map[string]any)
		if p["session_id"] != g[i].Session.ID || p["user_id"] != g[i].Session.UserID || p["node"] != "node1" ||
			props["mode"] != "duel" || props["skill"] != float64(i) {
			t.Fatalf("entry %d = %v", i, m)
		}
	}
}

// TestAnnounceSignerFails checks that a group whose token cannot be
// signed is not announced with an empty id.
func TestAnnounceSignerFails(t *testing.T) {
	n := &Notice{Router: session.NewRouter(protoCodec{}, nil), Tokens: &fakeSigner{err: errors.New("no key")}}
	g, boxes := group(2)
	n.Announce(context.Background(), g)
	for i, b := range boxes {
		if ms := b.matched(t); len(ms) != 0 {
			t.Fatalf("player %d got %v", i, ms)
		}
	}
}
