package ws

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
)

// Deps are what the socket serves from.
type Deps struct {
	Config   Config
	Tokens   *auth.Tokens
	Sessions *session.Registry
	Tracker  *session.Tracker
	Router   *session.Router
	Status   *status.Registry
	Pipeline *Pipeline
	// OnClose is called for each session that ends, before its presences
	// are removed (e.g. to drop its matchmaker tickets first, so that no
	// matchmaker pass pairs someone with a player who has left).
	OnClose []func(*session.Session)
	Logger  *slog.Logger
	// Metrics counts the bytes written to sockets; nil counts nothing.
	Metrics *metrics.Metrics
}

// Handler serves /ws.
type Handler struct {
	d        Deps
	cfg      Config
	upgrader websocket.Upgrader
	codec    wire.Codec

	mu        sync.Mutex
	perToken  map[string]int // open sockets per session token id
	conns     map[*conn]struct{}
	closed    bool
	stopPings chan struct{}
}

// New returns the socket handler.
func New(d Deps) (*Handler, error) {
	cfg, err := d.Config.withDefaults()
	if err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{d: d, cfg: cfg, perToken: map[string]int{}, conns: map[*conn]struct{}{}}
	h.upgrader = websocket.Upgrader{
		ReadBufferSize: cfg.ReadBufferBytes,
		// Data frames are written by conn, never through gorilla's writer,
		// so the pool is only there to stop gorilla keeping a buffer.
		WriteBufferPool:  noBuffers{},
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      func(*http.Request) bool { return true },
	}
	h.stopPings = make(chan struct{})
	go h.pinger()
	return h, nil
}

// pinger pings every socket each PingPeriod: one ticker for all of them,
// rather than one per socket. A client that answers neither pings nor
// anything else is closed by its read deadline (PongWait).
func (h *Handler) pinger() {
	t := time.NewTicker(h.cfg.PingPeriod)
	defer t.Stop()
	var batch []*conn
	for {
		select {
		case <-h.stopPings:
			return
		case <-t.C:
		}
		h.mu.Lock()
		batch = batch[:0]
		for c := range h.conns {
			batch = append(batch, c)
		}
		h.mu.Unlock()
		for _, c := range batch {
			c.ping()
		}
		clear(batch)
	}
}

type noBuffers struct{}

func (noBuffers) Get() any  { return nil }
func (noBuffers) Put(x any) {}

// ServeHTTP authenticates, upgrades and starts one socket, whose read loop
// then runs in a goroutine of its own.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var format session.Format
	switch q.Get("format") {
	case "", "json":
		format = session.JSON
	case "protobuf":
		format = session.Protobuf
	default:
		http.Error(w, "Invalid format parameter", http.StatusBadRequest)
		return
	}
	claims, err := h.verify(r)
	if err != nil {
		http.Error(w, "Missing or invalid token", http.StatusUnauthorized)
		return
	}
	if !h.admit(claims.TokenID) {
		http.Error(w, "Too many sockets open with this session", http.StatusTooManyRequests)
		return
	}
	released := false
	defer func() {
		if !released {
			h.release(claims.TokenID)
		}
	}()

	// The session is made visible (registered, on its notification stream,
	// online) before the handshake completes: a client may act as soon as
	// its socket opens, and what others send it meanwhile is queued for the
	// write loop, which starts after the handshake.
	wmu := &sync.Mutex{}
	c := newConn(nil, nil, wmu, &h.cfg)
	c.metrics = h.d.Metrics
	c.sess = session.New(h.info(r, claims, format), c)
	c.ctx = runtime.WithLogFields(context.Background(), runtime.LogFields{SessionID: c.sess.ID, UserID: c.sess.UserID})
	if !h.register(c) {
		http.Error(w, "Server shutting down", http.StatusServiceUnavailable)
		return
	}
	h.start(c.sess, boolParam(q.Get("status")))
	hj := &hijacker{ResponseWriter: w, mu: wmu}
	wsConn, err := h.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		// gorilla has answered; the session never opened.
		c.closeWith(closeSent, "handshake failed")
		close(c.writerEnd)
		h.end(c)
		return
	}
	c.ws, c.raw = wsConn, hj.raw
	c.start()
	// The read loop gets a goroutine of its own and this handler returns:
	// net/http then lets go of the connection's request and its 4 KiB
	// read and write buffers, which an idle socket would otherwise keep.
	released = true
	token := claims.TokenID
	go func() {
		defer h.release(token)
		h.readLoop(c)
		h.end(c)
	}()
}

func (h *Handler) verify(r *http.Request) (auth.Claims, error) {
	token := r.URL.Query().Get("token")
	if hd := r.Header.Get("Authorization"); hd != "" {
		if !strings.HasPrefix(hd, "Bearer ") {
			return auth.Claims{}, auth.ErrTokenInvalid
		}
		token = hd[len("Bearer "):]
	}
	return h.d.Tokens.Verify(token)
}

func (h *Handler) info(r *http.Request, c auth.Claims, f session.Format) session.Info {
	ip, port, _ := net.SplitHostPort(r.RemoteAddr)
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "en"
	}
	return session.Info{
		ID: runtime.NewUUID().String(), UserID: c.UserID, Username: c.Username,
		Vars: c.Vars, Expiry: c.ExpiresAt, TokenID: c.TokenID,
		Format: f, Lang: lang, ClientIP: ip, ClientPort: port,
	}
}

func boolParam(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

// admit counts a socket against its session token's cap.
func (h *Handler) admit(tokenID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.MaxSocketsPerSession > 0 && h.perToken[tokenID] >= h.cfg.MaxSocketsPerSession {
		return false
	}
	h.perToken[tokenID]++
	return true
}

// Sessions returns the number of session tokens with a socket open.
func (h *Handler) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.perToken)
}

func (h *Handler) release(tokenID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perToken[tokenID]--; h.perToken[tokenID] <= 0 {
		delete(h.perToken, tokenID)
	}
}

func (h *Handler) register(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	return true
}

// start makes a new session visible: registered, on its notification
// stream, optionally online for its followers, following its own status,
// and (with SingleSocket) the only session of its user.
func (h *Handler) start(s *session.Session, online bool) {
	h.d.Sessions.Add(s)
	h.d.Status.Follow(s, []string{s.UserID})
	h.d.Tracker.Track(s, session.Stream{Mode: session.ModeNotifications, Subject: s.UserID},
		session.Meta{Hidden: true, Username: s.Username})
	if online {
		h.d.Tracker.Track(s, status.Stream(s.UserID), session.Meta{Username: s.Username})
	}
	if h.cfg.SingleSocket {
		h.closeOthers(s)
	}
	h.d.Logger.Debug("socket opened", runtime.LogSession, s.ID, runtime.LogUser, s.UserID, "format", s.Format.String(),
		"client_ip", s.ClientIP)
}

// closeOthers closes the user's other sessions, telling each why with
// Nakama's single_socket notification (code -7).
func (h *Handler) closeOthers(s *session.Session) {
	stream := session.Stream{Mode: session.ModeNotifications, Subject: s.UserID}
	for _, other := range h.d.Tracker.Sessions(nil, stream) {
		if other == s {
			continue
		}
		h.d.Router.Send(other, singleSocketNotice())
		other.Close("server-side session disconnect")
	}
}

// end removes a closed session from everything it was part of.
func (h *Handler) end(c *conn) {
	c.closeWith(closeNormal, "")
	s := c.sess
	for _, fn := range h.d.OnClose {
		fn(s)
	}
	h.d.Tracker.UntrackAll(s, session.ReasonDisconnect)
	h.d.Status.UnfollowAll(s)
	h.d.Sessions.Remove(s)
	<-c.writerEnd
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.d.Logger.Debug("socket closed", runtime.LogSession, s.ID, runtime.LogUser, s.UserID, "reason", c.reason())
}

// Shutdown closes every socket with "going away" and waits for them to
// end, or for ctx.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		close(h.stopPings)
	}
	h.closed = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.closeWith(closeGoingAway, reasonShutdown)
	}
	for _, c := range conns {
		select {
		case <-c.writerEnd:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// readLoop reads, limits and dispatches the client's messages until the
// socket closes.
func (h *Handler) readLoop(c *conn) {
	ws := c.ws
	ws.SetReadLimit(h.cfg.MaxMessageBytes)
	deadline := time.Now().Add(h.cfg.PongWait)
	_ = ws.SetReadDeadline(deadline)
	ws.SetPongHandler(func(string) error {
		deadline = time.Now().Add(h.cfg.PongWait)
		return ws.SetReadDeadline(deadline)
	})
	want := websocket.TextMessage
	if c.sess.Format == session.Protobuf {
		want = websocket.BinaryMessage
	}
	limiter := newBucket(h.cfg.RateLimit, h.cfg.RateBurst)
	for {
		typ, r, err := ws.NextReader()
		if err != nil {
			h.readFailed(c, err)
			return
		}
		now := time.Now()
		if deadline.Sub(now) < h.cfg.PongWait-time.Second {
			// A client that talks is alive: keep the deadline ahead of it.
			deadline = now.Add(h.cfg.PongWait)
			_ = ws.SetReadDeadline(deadline)
		}
		if typ != want {
			c.closeWith(closeUnsupported, reasonFrameType)
			return
		}
		if !limiter.take(now) {
			h.d.Pipeline.errorReply(c, "", rtapiRateLimited())
			c.closeWith(closePolicy, reasonRateLimit)
			return
		}
		bp, err := readAll(r)
		if err != nil {
			bufPool.Put(bp)
			h.readFailed(c, err)
			return
		}
		ok := h.d.Pipeline.process(c, *bp)
		bufPool.Put(bp)
		if !ok {
			return
		}
	}
}

func (h *Handler) readFailed(c *conn, err error) {
	if err == websocket.ErrReadLimit {
		c.closeWith(closeSent, "message too big") // gorilla sent 1009
		return
	}
	if _, ok := err.(*websocket.CloseError); ok {
		c.closeWith(closeSent, "") // gorilla echoed the client's close
		return
	}
	c.closeWith(closeGoingAway, err.Error())
}

// singleSocketNotice is the notification Nakama sends to a socket closed
// because its user opened another (code -7).
func singleSocketNotice() *rtapi.Envelope {
	return &rtapi.Envelope{Message: &rtapi.Envelope_Notifications{Notifications: &rtapi.Notifications{
		Notifications: []*api.Notification{{
			Id:         runtime.NewUUID().String(),
			Subject:    "single_socket",
			Content:    "{}",
			Code:       -7,
			CreateTime: timestamppb.Now(),
		}},
	}}}
}
