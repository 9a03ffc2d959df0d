package ws

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime/session"
)

var formats = []session.Format{session.JSON, session.Protobuf}

func TestHandshakeRejects(t *testing.T) {
	s := newServer(t, Config{})
	cases := []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"no token", "", nil, http.StatusUnauthorized},
		{"garbage token", "token=abc", nil, http.StatusUnauthorized},
		{"bad format", "format=xml&token=" + s.token(), nil, http.StatusBadRequest},
		{"bad auth header", "token=" + s.token(), http.Header{"Authorization": {"Basic abc"}}, http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, resp, err := websocket.DefaultDialer.Dial(s.url+"/?"+c.query, c.header)
			if err == nil {
				t.Fatal("handshake succeeded")
			}
			if resp == nil || resp.StatusCode != c.status {
				t.Fatalf("status = %v, want %d", resp, c.status)
			}
		})
	}
	_, _, err := websocket.DefaultDialer.Dial(s.url+"/", http.Header{"Authorization": {"Bearer " + s.token()}})
	if err != nil {
		t.Fatalf("Bearer header refused: %v", err)
	}
}

func TestPingPongKeepsCid(t *testing.T) {
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			c := newServer(t, Config{}).connect(f)
			c.send(&rtapi.Envelope{Cid: "7", Message: &rtapi.Envelope_Ping{Ping: &rtapi.Ping{}}})
			env := c.recv()
			if env.Cid != "7" || env.GetPong() == nil {
				t.Fatalf("got %v, want pong with cid 7", env)
			}
		})
	}
}

func TestBadMessagesCloseTheSocket(t *testing.T) {
	cases := []struct {
		name      string
		format    session.Format
		typ       int
		frame     string
		errCode   int32 // expected error envelope code, -1 for none
		closeCode int
	}{
		{"malformed json", session.JSON, websocket.TextMessage, `{"cid":`, -1, websocket.CloseInvalidFramePayloadData},
		{"unknown field", session.JSON, websocket.TextMessage, `{"cid":"1","nope":{}}`, -1, websocket.CloseInvalidFramePayloadData},
		{"numeric cid", session.JSON, websocket.TextMessage, `{"cid":1,"ping":{}}`, -1, websocket.CloseInvalidFramePayloadData},
		{"missing message", session.JSON, websocket.TextMessage, `{"cid":"1"}`, int32(rtapi.Error_MISSING_PAYLOAD), websocket.CloseInvalidFramePayloadData},
		{"server-only message", session.JSON, websocket.TextMessage, `{"cid":"1","match_data":{}}`, int32(rtapi.Error_UNRECOGNIZED_PAYLOAD), websocket.CloseUnsupportedData},
		{"binary on json", session.JSON, websocket.BinaryMessage, `{}`, -1, websocket.CloseUnsupportedData},
		{"text on protobuf", session.Protobuf, websocket.TextMessage, `x`, -1, websocket.CloseUnsupportedData},
		{"malformed protobuf", session.Protobuf, websocket.BinaryMessage, "\xff\xff\xff", -1, websocket.CloseInvalidFramePayloadData},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t, Config{})
			cl := s.connect(c.format)
			cl.raw(c.typ, []byte(c.frame))
			if c.errCode >= 0 {
				env := cl.recv()
				if env.GetError().GetCode() != c.errCode || env.Cid != "1" {
					t.Fatalf("got %v, want error %d with cid 1", env, c.errCode)
				}
			}
			if code := cl.closeCode(); code != c.closeCode {
				t.Fatalf("close code = %d, want %d", code, c.closeCode)
			}
			waitFor(t, "session removed", func() bool { return s.sessions.Count() == 0 })
		})
	}
}

// A request Nakama serves but Arbiter does not (a party) fails with an
// error under its cid; the socket stays open for the next request.
func TestUnsupportedRequestKeepsTheSocket(t *testing.T) {
	requests := []*rtapi.Envelope{
		{Message: &rtapi.Envelope_PartyCreate{PartyCreate: &rtapi.PartyCreate{Open: true, MaxSize: 4}}},
		{Message: &rtapi.Envelope_PartyJoin{PartyJoin: &rtapi.PartyJoin{PartyId: "p"}}},
		{Message: &rtapi.Envelope_PartyDataSend{PartyDataSend: &rtapi.PartyDataSend{PartyId: "p", OpCode: 1}}},
		{Message: &rtapi.Envelope_PartyUpdate{PartyUpdate: &rtapi.PartyUpdate{PartyId: "p"}}},
	}
	names := []string{"party_create", "party_join", "party_data_send", "party_update"}
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			c := newServer(t, Config{}).connect(f)
			for i, req := range requests {
				req.Cid = names[i]
				c.send(req)
				env := c.recv()
				want := names[i] + " is not supported by this server"
				if e := env.GetError(); env.Cid != names[i] || e.GetCode() != int32(rtapi.Error_UNRECOGNIZED_PAYLOAD) || e.GetMessage() != want {
					t.Fatalf("got %v, want error %q with cid %s", env, want, names[i])
				}
			}
			c.send(&rtapi.Envelope{Cid: "ping", Message: &rtapi.Envelope_Ping{Ping: &rtapi.Ping{}}})
			if env := c.recv(); env.Cid != "ping" || env.GetPong() == nil {
				t.Fatalf("after unsupported requests got %v, want pong", env)
			}
		})
	}
}

func TestOversizedFrameCloses(t *testing.T) {
	s := newServer(t, Config{MaxMessageBytes: 512})
	c := s.connect(session.JSON)
	c.raw(websocket.TextMessage, []byte(`{"cid":"1","ping":{},"x":"`+strings.Repeat("a", 600)+`"}`))
	if code := c.closeCode(); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code = %d, want 1009", code)
	}
	waitFor(t, "session removed", func() bool { return s.sessions.Count() == 0 })
}

func TestFloodIsCutOff(t *testing.T) {
	s := newServer(t, Config{RateLimit: 50, RateBurst: 20})
	c := s.connect(session.JSON)
	ping := []byte(`{"cid":"1","ping":{}}`)
	for range 40 {
		if err := c.c.WriteMessage(websocket.TextMessage, ping); err != nil {
			break
		}
	}
	var sawError bool
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		env, err := c.tryRecv(5 * time.Second)
		if err != nil {
			ce, ok := err.(*websocket.CloseError)
			if !ok || ce.Code != websocket.ClosePolicyViolation {
				t.Fatalf("ended with %v, want close 1008", err)
			}
			break
		}
		if env.GetError() != nil {
			sawError = true
		}
	}
	if !sawError {
		t.Fatal("no rate limit error before the close")
	}
}

func TestSocketCapPerSession(t *testing.T) {
	s := newServer(t, Config{MaxSocketsPerSession: 2})
	tok := s.token()
	for range 2 {
		if _, _, err := s.dial(session.JSON, tok); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err := s.dial(session.JSON, tok)
	if err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third socket: %v %v, want 429", resp, err)
	}
	if _, _, err := s.dial(session.JSON, s.token()); err != nil {
		t.Fatalf("another session refused: %v", err)
	}
}

func TestSingleSocketClosesOlder(t *testing.T) {
	s := newServer(t, Config{SingleSocket: true})
	tok := s.token()
	old, _, err := s.dial(session.JSON, tok)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first session", func() bool { return s.sessions.Count() == 1 })
	if _, _, err := s.dial(session.JSON, tok); err != nil {
		t.Fatal(err)
	}
	env := old.recv()
	n := env.GetNotifications().GetNotifications()
	if len(n) != 1 || n[0].Code != -7 || n[0].Subject != "single_socket" {
		t.Fatalf("got %v, want the single_socket notification", env)
	}
	if code := old.closeCode(); code != websocket.CloseNormalClosure {
		t.Fatalf("close code = %d", code)
	}
	waitFor(t, "one session left", func() bool { return s.sessions.Count() == 1 })
}
