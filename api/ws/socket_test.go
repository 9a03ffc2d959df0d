package ws

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// readAllAsync reads c until the connection ends, which it reports on the
// returned channel. WebSocket control frames are handled while it reads.
func readAllAsync(c *websocket.Conn) <-chan error {
	ended := make(chan error, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(time.Minute))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				ended <- err
				return
			}
		}
	}()
	return ended
}

// TestPingsAndPongDeadline checks the keep-alive: the server pings every
// PingPeriod; a client that answers with pongs (and sends nothing else)
// outlives PongWait many times over; a client that never answers is closed
// once PongWait has passed.
func TestPingsAndPongDeadline(t *testing.T) {
	const period, wait = 100 * time.Millisecond, 500 * time.Millisecond
	cases := []struct {
		name   string
		answer bool
	}{
		{"answering client stays", true},
		{"silent client is closed", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t, Config{PingPeriod: period, PongWait: wait})
			cl := s.connect(session.JSON)
			start := time.Now()
			var pings atomic.Int32
			ws := cl.c
			ws.SetPingHandler(func(data string) error {
				pings.Add(1)
				if !c.answer {
					return nil // no pong
				}
				return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			})
			ended := readAllAsync(ws)
			if c.answer {
				// 3 pong waits, and at least half the pings due by then.
				const want = int32(3 * wait / period / 2)
				deadline := time.Now().Add(15 * time.Second)
				for time.Since(start) < 3*wait || pings.Load() < want {
					select {
					case err := <-ended:
						t.Fatalf("a client answering pings was disconnected after %v (%d pings): %v",
							time.Since(start).Round(time.Millisecond), pings.Load(), err)
					case <-time.After(10 * time.Millisecond):
					}
					if time.Now().After(deadline) {
						t.Fatalf("%d pings in %v, want %d", pings.Load(), time.Since(start), want)
					}
				}
				if n := s.sessions.Count(); n != 1 {
					t.Fatalf("%d sessions, want the answering client's", n)
				}
				return
			}
			var err error
			select {
			case err = <-ended:
			case <-time.After(15 * time.Second):
				t.Fatalf("a client that never answered pings is still connected after %v", time.Since(start))
			}
			elapsed := time.Since(start)
			if elapsed < wait-2*period {
				t.Fatalf("closed after %v, before the pong wait of %v", elapsed, wait)
			}
			if pings.Load() == 0 {
				t.Fatal("closed without having been pinged")
			}
			if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
				t.Fatalf("read ended with %v, want a close frame with code 1001", err)
			}
			waitFor(t, "the session removed", func() bool { return s.sessions.Count() == 0 })
		})
	}
}

// langRPC answers every RPC with the caller's language and session id.
type langRPC struct{}

func (langRPC) CallRPC(_ context.Context, _ string, c *runtime.CallContext, _ string) (string, error) {
	return c.Lang + " " + c.SessionID, nil
}

// TestLangParameter checks that ?lang= on /ws becomes the session's
// language, which RPC contexts carry (Nakama's default: "en").
func TestLangParameter(t *testing.T) {
	s := newServerWith(t, Config{}, func(d *PipelineDeps, _ *auth.Tokens) { d.RPC = langRPC{} })
	cases := []struct {
		name  string
		query string // the lang parameter; "-" leaves it out
		want  string
	}{
		{"absent", "-", "en"},
		{"empty", "", "en"},
		{"fr", "fr", "fr"},
		{"region", "pt-BR", "pt-BR"},
	}
	for _, c := range cases {
		for _, f := range formats {
			t.Run(c.name+"/"+f.String(), func(t *testing.T) {
				q := url.Values{"token": {s.token()}}
				if c.query != "-" {
					q.Set("lang", c.query)
				}
				cl, _, err := s.dialQuery(f, q)
				if err != nil {
					t.Fatal(err)
				}
				cl.t = t
				cl.send(&rtapi.Envelope{Cid: "r", Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "lang"}}})
				env := cl.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "r" })
				lang, sid, _ := strings.Cut(env.GetRpc().GetPayload(), " ")
				if lang != c.want {
					t.Fatalf("RPC context lang = %q (answer %v), want %q", lang, env, c.want)
				}
				if sess := s.sessions.Get(sid); sess == nil || sess.Lang != c.want {
					t.Fatalf("session %q: %+v, want lang %q", sid, sess, c.want)
				}
			})
		}
	}
}

// TestMatchDataReliable checks that match_data_send's reliable flag reaches
// the other players of a relayed match unchanged, in both wire formats.
func TestMatchDataReliable(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			s := newServer(t, Config{})
			a, b := s.connect(f), s.connect(f)
			m := createMatch(t, a, "")
			joinMatch(t, b, m.MatchId)
			// true, false, true: a flag stuck at either value fails.
			for i, reliable := range []bool{true, false, true} {
				a.send(&rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{
					MatchId: m.MatchId, OpCode: int64(i + 1), Data: []byte("d"), Reliable: reliable}}})
				d := b.recvUntil(func(e *rtapi.Envelope) bool { return e.GetMatchData() != nil }).GetMatchData()
				if d.OpCode != int64(i+1) || d.Reliable != reliable {
					t.Fatalf("message %d: got op %d reliable %v, want op %d reliable %v", i, d.OpCode, d.Reliable, i+1, reliable)
				}
			}
		})
	}
}

// TestSlowConsumerCloseFrame has a client stop reading until the server
// gives up on it, then read what is left: the frames queued before the
// cutoff, then a close frame with 1013 (try again later) and Nakama's
// reason.
func TestSlowConsumerCloseFrame(t *testing.T) {
	s := newServer(t, Config{MaxMessageBytes: 64 << 10, OutboundBytes: 256 << 10, WriteWait: 10 * time.Second, RateLimit: -1})
	fast := s.connect(session.JSON)
	// The slow client's receive buffer is bounded, so that the flood stays
	// short, but larger than loopback's segments: with a window under one
	// segment TCP would deliver the backlog left after the cutoff only at
	// the pace of its zero-window probes.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(256 << 10)
		}
		return conn, err
	}}
	slow, _, err := dialer.Dial(s.url+"/?"+url.Values{"token": {s.token()}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	m := createMatch(t, fast, "")
	if err := slow.WriteJSON(map[string]any{"cid": "j", "match_join": map[string]string{"match_id": m.MatchId}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "slow client joined", func() bool {
		return s.tracker.Count(session.Stream{Mode: session.ModeMatchRelayed, Subject: strings.TrimSuffix(m.MatchId, ".")}) == 2
	})
	var slowSess *session.Session
	s.sessions.Range(func(x *session.Session) bool {
		if x.ID != m.Self.SessionId {
			slowSess = x
		}
		return true
	})
	if slowSess == nil {
		t.Fatal("the slow client's session is not registered")
	}
	payload := strings.Repeat("x", 32<<10)
	for i := 0; !slowSess.Closed(); i++ {
		if i > 20000 {
			t.Fatal("slow consumer never cut off")
		}
		sendData(fast, m.MatchId, 1, payload)
	}
	// Now read: the backlog, then the close frame.
	_ = slow.SetReadDeadline(time.Now().Add(30 * time.Second))
	frames := 0
	for {
		_, _, err := slow.ReadMessage()
		if err == nil {
			frames++
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("after %d frames the connection ended without a close frame: %v", frames, err)
		}
		if ce.Code != websocket.CloseTryAgainLater || ce.Text != "session outgoing queue full" {
			t.Fatalf("close frame %d %q, want 1013 %q", ce.Code, ce.Text, "session outgoing queue full")
		}
		break
	}
	if frames == 0 {
		t.Fatal("no frame came before the close frame")
	}
	waitFor(t, "slow session removed", func() bool { return s.sessions.Count() == 1 })
}

// joinToken sends match_join with a matchmaker token.
func joinToken(t *testing.T, c *client, cid, token string) *rtapi.Envelope {
	t.Helper()
	c.send(&rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_MatchJoin{MatchJoin: &rtapi.MatchJoin{
		Id: &rtapi.MatchJoin_Token{Token: token}}}})
	return c.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == cid })
}

// TestMatchJoinWithToken checks matchmaker tokens for relayed matches: a
// forged, expired, foreign or garbage token gets Nakama's "Invalid match
// token" (BAD_INPUT); a valid one opens the match, the same one for every
// player holding it.
func TestMatchJoinWithToken(t *testing.T) {
	s := newServerWith(t, Config{}, func(d *PipelineDeps, tk *auth.Tokens) { d.Tokens = tk })
	matchID := runtime.NewUUID().String() + "."
	good, err := s.tokens.MatchToken(matchID)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(key string, claims jwt.MapClaims) string {
		t.Helper()
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := time.Now().Add(time.Minute).Unix()
	parts := strings.Split(good, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(
		[]byte(`{"mid":"`+runtime.NewUUID().String()+`.","exp":`+"9999999999"+`}`)) + "." + parts[2]
	cases := []struct {
		name  string
		token string
	}{
		{"forged payload", forged},
		{"bad signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"expired", sign("s", jwt.MapClaims{"mid": matchID, "exp": time.Now().Add(-time.Minute).Unix()})},
		{"another key", sign("another-key", jwt.MapClaims{"mid": matchID, "exp": exp})},
		{"garbage", "garbage"},
		{"not a match id", sign("s", jwt.MapClaims{"mid": "not-a-match", "exp": exp})},
		{"session token", s.token()},
	}
	c := s.connect(session.JSON)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			e := joinToken(t, c, "bad", tc.token).GetError()
			if e == nil || e.Code != int32(rtapi.Error_BAD_INPUT) || e.Message != "Invalid match token" {
				t.Fatalf("match_join answered %v, want BAD_INPUT %q", e, "Invalid match token")
			}
		})
	}
	c.t = t
	for _, f := range formats {
		t.Run("valid/"+f.String(), func(t *testing.T) {
			id := runtime.NewUUID().String() + "."
			token, err := s.tokens.MatchToken(id)
			if err != nil {
				t.Fatal(err)
			}
			a, b := s.connect(f), s.connect(f)
			a.t, b.t = t, t
			ma := joinToken(t, a, "a", token).GetMatch()
			if ma == nil || ma.MatchId != id || ma.Self == nil {
				t.Fatalf("first player joined %v, want match %s", ma, id)
			}
			mb := joinToken(t, b, "b", token).GetMatch()
			if mb == nil || mb.MatchId != id || len(mb.Presences) != 1 || mb.Presences[0].SessionId != ma.Self.SessionId {
				t.Fatalf("second player joined %v, want match %s with the first player in it", mb, id)
			}
		})
	}

	// Without a token verifier every token is refused.
	plain := newServer(t, Config{}).connect(session.JSON)
	if e := joinToken(t, plain, "p", good).GetError(); e.GetMessage() != "Invalid match token" {
		t.Fatalf("match_join without a verifier answered %v", e)
	}
}
