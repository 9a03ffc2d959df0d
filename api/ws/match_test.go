package ws

import (
	"context"
	"net"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime/session"
)

func createMatch(t *testing.T, c *client, name string) *rtapi.Match {
	t.Helper()
	c.send(&rtapi.Envelope{Cid: "c", Message: &rtapi.Envelope_MatchCreate{MatchCreate: &rtapi.MatchCreate{Name: name}}})
	env := c.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "c" })
	if env.GetMatch() == nil {
		t.Fatalf("match_create answered %v", env)
	}
	return env.GetMatch()
}

func joinMatch(t *testing.T, c *client, id string) *rtapi.Envelope {
	t.Helper()
	c.send(&rtapi.Envelope{Cid: "j", Message: &rtapi.Envelope_MatchJoin{MatchJoin: &rtapi.MatchJoin{Id: &rtapi.MatchJoin_MatchId{MatchId: id}}}})
	return c.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "j" })
}

func sendData(c *client, id string, op int64, data string, to ...*rtapi.UserPresence) {
	c.send(&rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{
		MatchId: id, OpCode: op, Data: []byte(data), Presences: to}}})
}

func TestRelayedMatch(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			s := newServer(t, Config{})
			a, b, c := s.connect(f), s.connect(f), s.connect(f)
			m := createMatch(t, a, "")
			if !strings.HasSuffix(m.MatchId, ".") || m.Size != 1 || m.Self == nil {
				t.Fatalf("created %v", m)
			}
			jb := joinMatch(t, b, m.MatchId).GetMatch()
			if jb == nil || len(jb.Presences) != 1 || jb.Presences[0].SessionId != m.Self.SessionId {
				t.Fatalf("b joined %v", jb)
			}
			ev := a.recvUntil(func(e *rtapi.Envelope) bool {
				pe := e.GetMatchPresenceEvent()
				return pe != nil && len(pe.Joins) == 1 && pe.Joins[0].SessionId == jb.Self.SessionId
			})
			if ev.Cid != "" {
				t.Fatal("a push carried a cid")
			}
			jc := joinMatch(t, c, m.MatchId).GetMatch()

			// To everyone but the sender.
			sendData(a, m.MatchId, 3, "all")
			for _, r := range []*client{b, c} {
				d := r.recvUntil(func(e *rtapi.Envelope) bool { return e.GetMatchData() != nil }).GetMatchData()
				if string(d.Data) != "all" || d.OpCode != 3 || d.Presence.SessionId != m.Self.SessionId {
					t.Fatalf("got %v", d)
				}
			}
			// Only to c: b must not see it; a third message proves order.
			sendData(a, m.MatchId, 4, "only-c", jc.Self)
			d := c.recvUntil(func(e *rtapi.Envelope) bool { return e.GetMatchData() != nil }).GetMatchData()
			if string(d.Data) != "only-c" {
				t.Fatalf("c got %v", d)
			}
			sendData(a, m.MatchId, 5, "after")
			d = b.recvUntil(func(e *rtapi.Envelope) bool { return e.GetMatchData() != nil }).GetMatchData()
			if string(d.Data) != "after" {
				t.Fatalf("b got %q, want only the message after the targeted one", d.Data)
			}

			// Leaving and disconnecting are seen by the others.
			b.send(&rtapi.Envelope{Cid: "l", Message: &rtapi.Envelope_MatchLeave{MatchLeave: &rtapi.MatchLeave{MatchId: m.MatchId}}})
			if ack := b.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "l" }); ack.Message != nil {
				t.Fatalf("leave ack %v", ack)
			}
			leftBy := func(sid string) func(*rtapi.Envelope) bool {
				return func(e *rtapi.Envelope) bool {
					pe := e.GetMatchPresenceEvent()
					return pe != nil && len(pe.Leaves) == 1 && pe.Leaves[0].SessionId == sid
				}
			}
			a.recvUntil(leftBy(jb.Self.SessionId))
			c.c.Close()
			a.recvUntil(leftBy(jc.Self.SessionId))
		})
	}
}

func TestRelayedMatchErrors(t *testing.T) {
	s := newServer(t, Config{})
	c := s.connect(session.JSON)
	if e := joinMatch(t, c, "nope").GetError(); e.GetCode() != int32(rtapi.Error_BAD_INPUT) {
		t.Fatalf("bad id: %v", e)
	}
	missing := "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f."
	if e := joinMatch(t, c, missing).GetError(); e.GetCode() != int32(rtapi.Error_MATCH_NOT_FOUND) {
		t.Fatalf("unknown match: %v", e)
	}
	// Named matches have the same id every time.
	a, b := createMatch(t, c, "lobby"), createMatch(t, s.connect(session.JSON), "lobby")
	if a.MatchId != b.MatchId || b.Size != 2 {
		t.Fatalf("named matches %v and %v", a, b)
	}
}

func TestSessionEndCleansUp(t *testing.T) {
	s := newServer(t, Config{})
	a, b := s.connect(session.JSON), s.connect(session.JSON)
	m := createMatch(t, a, "")
	joinMatch(t, b, m.MatchId)
	waitFor(t, "two sessions", func() bool { return s.sessions.Count() == 2 })
	a.c.Close()
	b.c.Close()
	waitFor(t, "sessions removed", func() bool { return s.sessions.Count() == 0 })
	var streams int
	for _, mode := range []uint8{session.ModeNotifications, session.ModeStatus, session.ModeMatchRelayed} {
		s.tracker.EachStream(mode, func(session.Stream, int) bool { streams++; return true })
	}
	if streams != 0 {
		t.Fatalf("%d streams left after every session ended", streams)
	}
}

// TestSlowConsumerIsCutOff has a client that stops reading while a peer
// floods the match: the server must close it, not buffer for it, and the
// peer must keep being served.
func TestSlowConsumerIsCutOff(t *testing.T) {
	s := newServer(t, Config{WriteWait: 500 * time.Millisecond, MaxMessageBytes: 64 << 10})
	fast := s.connect(session.JSON)
	q := url.Values{"token": {s.token()}}
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return conn, err
	}}
	slow, _, err := dialer.Dial(s.url+"/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	m := createMatch(t, fast, "")
	_ = slow.WriteJSON(map[string]any{"cid": "j", "match_join": map[string]string{"match_id": m.MatchId}})
	waitFor(t, "slow client joined", func() bool {
		return s.tracker.Count(session.Stream{Mode: session.ModeMatchRelayed, Subject: strings.TrimSuffix(m.MatchId, ".")}) == 2
	})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	payload := strings.Repeat("x", 32<<10)
	for i := 0; s.sessions.Count() == 2; i++ {
		if i > 20000 {
			t.Fatal("slow consumer never cut off")
		}
		sendData(fast, m.MatchId, 1, payload)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 32<<20 {
		t.Fatalf("heap grew by %d bytes while a client was not reading", grown)
	}
	fast.send(&rtapi.Envelope{Cid: "p", Message: &rtapi.Envelope_Ping{Ping: &rtapi.Ping{}}})
	fast.recvUntil(func(e *rtapi.Envelope) bool { return e.Cid == "p" })
}
