package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// This file is the tool's whole view of the server: the REST device
// authentication and the realtime socket, as any Nakama client sees them.
// Nothing here imports the server.

// codec encodes rtapi envelopes as the socket's format asks: protobuf in
// binary frames, or protojson (proto field names, int64 as strings, bytes
// as base64) in text frames.
type codec struct{ protobuf bool }

var (
	jsonOut = protojson.MarshalOptions{UseProtoNames: true}
	// DiscardUnknown: a newer server may add fields; the tool should not
	// break on them (the server itself is strict about what it reads).
	jsonIn = protojson.UnmarshalOptions{DiscardUnknown: true}
)

func (c codec) frameType() int {
	if c.protobuf {
		return websocket.BinaryMessage
	}
	return websocket.TextMessage
}

func (c codec) marshal(env *rtapi.Envelope) ([]byte, error) {
	if c.protobuf {
		return proto.Marshal(env)
	}
	return jsonOut.Marshal(env)
}

func (c codec) unmarshal(data []byte, env *rtapi.Envelope) error {
	if c.protobuf {
		return proto.Unmarshal(data, env)
	}
	if unmarshalMatchData(data, env) {
		return nil
	}
	return jsonIn.Unmarshal(data, env)
}

// matchDataJSON is the JSON of a match_data push, the bulk of what the
// match scenarios receive: encoding/json decodes it several times faster
// than protojson, so the tool's own cost per delivery stays well below the
// server's. Anything else goes to protojson.
type matchDataJSON struct {
	MatchData *struct {
		MatchID  string `json:"match_id"`
		Presence *struct {
			UserID    string `json:"user_id"`
			SessionID string `json:"session_id"`
			Username  string `json:"username"`
		} `json:"presence"`
		OpCode   string `json:"op_code"`
		Data     []byte `json:"data"`
		Reliable bool   `json:"reliable"`
	} `json:"match_data"`
}

func unmarshalMatchData(data []byte, env *rtapi.Envelope) bool {
	if !bytes.HasPrefix(data, []byte(`{"match_data":`)) {
		return false
	}
	var m matchDataJSON
	if json.Unmarshal(data, &m) != nil || m.MatchData == nil {
		return false
	}
	op, err := strconv.ParseInt(m.MatchData.OpCode, 10, 64)
	if err != nil && m.MatchData.OpCode != "" {
		return false
	}
	md := &rtapi.MatchData{MatchId: m.MatchData.MatchID, OpCode: op, Data: m.MatchData.Data, Reliable: m.MatchData.Reliable}
	if p := m.MatchData.Presence; p != nil {
		md.Presence = &rtapi.UserPresence{UserId: p.UserID, SessionId: p.SessionID, Username: p.Username}
	}
	env.Message = &rtapi.Envelope_MatchData{MatchData: md}
	return true
}

// httpError is a non-2xx answer of the REST API.
type httpError struct {
	Status  int
	Message string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// restClient calls the REST API.
type restClient struct {
	base      string // http://host:port
	serverKey string
	http      *http.Client
}

func newRESTClient(addr, serverKey string, conns int, timeout time.Duration) *restClient {
	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: the target is loopback
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &restClient{
		base:      "http://" + addr,
		serverKey: serverKey,
		http:      &http.Client{Transport: tr, Timeout: timeout},
	}
}

// authDevice authenticates a device, creating its account if needed, and
// returns the session token.
func (c *restClient) authDevice(ctx context.Context, deviceID string) (token string, created bool, err error) {
	body, _ := json.Marshal(map[string]string{"id": deviceID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v2/account/authenticate/device?create=true", bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.SetBasicAuth(c.serverKey, "")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", false, err
	}
	if resp.StatusCode/100 != 2 {
		return "", false, &httpError{Status: resp.StatusCode, Message: restMessage(data)}
	}
	var s struct {
		Token   string `json:"token"`
		Created bool   `json:"created"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return "", false, fmt.Errorf("authenticate: bad answer %q: %v", clip(string(data), 80), err)
	}
	if s.Token == "" {
		return "", false, fmt.Errorf("authenticate: no token in %q", clip(string(data), 80))
	}
	return s.Token, s.Created, nil
}

// restMessage pulls the message out of a Nakama error body, or returns the
// body itself, shortened.
func restMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return clip(strings.TrimSpace(string(body)), 80)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// writeBuffers is shared by every socket: a gorilla connection with a
// write buffer pool holds a write buffer only while writing, which matters
// with thousands of idle sockets.
var writeBuffers = &sync.Pool{}

// newDialer returns a websocket dialer with small buffers.
func newDialer(timeout time.Duration) *websocket.Dialer {
	return &websocket.Dialer{
		Proxy:            nil,
		HandshakeTimeout: timeout,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  writeBuffers,
	}
}

// socket is one realtime connection. Reads happen on one goroutine at a
// time (gorilla's rule); writes are serialized by wmu. WebSocket pings
// from the server are answered by gorilla's default handler while reading.
type socket struct {
	ws           *websocket.Conn
	codec        codec
	writeTimeout time.Duration
	wmu          sync.Mutex
	cid          uint64
}

// dialSocket opens /ws with a session token.
func dialSocket(ctx context.Context, d *websocket.Dialer, addr, token string, c codec) (*socket, error) {
	q := url.Values{}
	q.Set("token", token)
	if c.protobuf {
		q.Set("format", "protobuf")
	} else {
		q.Set("format", "json")
	}
	u := "ws://" + addr + "/ws?" + q.Encode()
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return nil, fmt.Errorf("socket handshake: %w", &httpError{Status: resp.StatusCode, Message: clip(strings.TrimSpace(string(body)), 80)})
		}
		return nil, fmt.Errorf("socket dial: %w", err)
	}
	return &socket{ws: ws, codec: c, writeTimeout: d.HandshakeTimeout}, nil
}

// nextCID returns a fresh cid, decimal as nakama-js makes them.
func (s *socket) nextCID() string {
	s.cid++
	return strconv.FormatUint(s.cid, 10)
}

// send writes one envelope.
func (s *socket) send(env *rtapi.Envelope) error {
	data, err := s.codec.marshal(env)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.writeTimeout > 0 {
		// A server that stops reading must not hang the tool.
		_ = s.ws.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	}
	return s.ws.WriteMessage(s.codec.frameType(), data)
}

// recv reads the next envelope into env.
func (s *socket) recv(env *rtapi.Envelope) error {
	typ, data, err := s.ws.ReadMessage()
	if err != nil {
		return err
	}
	if typ != s.codec.frameType() {
		return fmt.Errorf("protocol: got a frame of type %d on a %s socket", typ, s.codec.name())
	}
	if err := s.codec.unmarshal(data, env); err != nil {
		return fmt.Errorf("protocol: undecodable envelope %q: %v", clip(string(data), 60), err)
	}
	return nil
}

// readUntilLost hands each envelope s receives to handle (env is reused:
// handle must not keep it) until a receive fails. A failure while
// stopping is false is a lost socket: it is counted in errs and lost.
func (s *socket) readUntilLost(stopping *atomic.Bool, errs *tally, lost *atomic.Int64, handle func(env *rtapi.Envelope)) {
	var env rtapi.Envelope
	for {
		if err := s.recv(&env); err != nil {
			if !stopping.Load() {
				errs.add(describeErr(err), 1)
				lost.Add(1)
			}
			return
		}
		handle(&env)
	}
}

func (c codec) name() string {
	if c.protobuf {
		return "protobuf"
	}
	return "json"
}

// errReplyTimeout is a reply that did not come in time.
var errReplyTimeout = errors.New("no reply in time")

// call sends env with a fresh cid and reads until the reply with that cid
// arrives, handing every other envelope to other (may be nil). An error
// envelope with the cid is returned as *rtError. Only for a socket whose
// reads happen on the calling goroutine.
func (s *socket) call(env *rtapi.Envelope, timeout time.Duration, other func(*rtapi.Envelope)) (*rtapi.Envelope, error) {
	env.Cid = s.nextCID()
	if err := s.send(env); err != nil {
		return nil, err
	}
	if timeout > 0 {
		_ = s.ws.SetReadDeadline(time.Now().Add(timeout))
		defer s.ws.SetReadDeadline(time.Time{})
	}
	for {
		in := &rtapi.Envelope{}
		if err := s.recv(in); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, errReplyTimeout
			}
			return nil, err
		}
		if in.Cid != env.Cid {
			if e := in.GetError(); e != nil && in.Cid == "" {
				// An error without a cid answers no request: the server
				// refused something about the socket (a rate limit, …).
				return nil, &rtError{cid: in.Cid, Code: e.Code, Message: e.Message}
			}
			if other != nil {
				other(in)
			}
			continue
		}
		if e := in.GetError(); e != nil {
			return nil, &rtError{cid: in.Cid, Code: e.Code, Message: e.Message}
		}
		return in, nil
	}
}

// rtError is an error envelope.
type rtError struct {
	cid     string // "" when it answers no request
	Code    int32
	Message string
}

func (e *rtError) Error() string {
	return fmt.Sprintf("error envelope %d (%s): %s", e.Code, rtapi.Error_Code(e.Code), e.Message)
}

// close sends a normal close frame and closes the connection.
func (s *socket) close() {
	s.wmu.Lock()
	_ = s.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	s.wmu.Unlock()
	_ = s.ws.Close()
}

// describeErr turns an error into a short, stable key for the report's
// error counts: close frames by code and reason, error envelopes by code
// and message, HTTP errors by status and message.
func describeErr(err error) string {
	var ce *websocket.CloseError
	var he *httpError
	var re *rtError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return fmt.Sprintf("closed by server: %d %q", ce.Code, ce.Text)
	case errors.As(err, &he):
		return he.Error()
	case errors.As(err, &re):
		return re.Error()
	case errors.Is(err, errReplyTimeout):
		return "timeout: " + err.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout: " + clip(err.Error(), 100)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed without a close frame"
	}
	return clip(err.Error(), 120)
}
