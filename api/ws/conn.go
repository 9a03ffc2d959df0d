package ws

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// keepFrames is the largest queue a connection keeps between bursts.
const keepFrames = 64

// Close codes sent to clients (RFC 6455, section 7.4.1).
const (
	closeNormal      = websocket.CloseNormalClosure
	closeGoingAway   = websocket.CloseGoingAway
	closeUnsupported = websocket.CloseUnsupportedData
	closeBadPayload  = websocket.CloseInvalidFramePayloadData
	closePolicy      = websocket.ClosePolicyViolation
	closeTooBig      = websocket.CloseMessageTooBig
	closeTryLater    = websocket.CloseTryAgainLater
	// closeSent means gorilla has already sent a close frame.
	closeSent = 0
)

// Close reasons, sent in the close frame and logged.
const (
	reasonQueueFull   = "session outgoing queue full"
	reasonRateLimit   = "message rate limit exceeded"
	reasonMalformed   = "received malformed payload"
	reasonFrameType   = "received unexpected WebSocket message type"
	reasonProcessing  = "error processing message"
	reasonWriteFailed = "write failed"
	reasonShutdown    = "server shutting down"
)

// conn is one socket: a read loop, and a writer that runs only while
// there is something to write. Outbound frames are queued without blocking
// the sender; the writer takes everything queued since it last looked and
// writes it in one system call, with the payload bytes shared between
// recipients, then exits when the queue is empty. An idle socket thus has
// one goroutine, not two; pings come from one ticker for all sockets. A
// connection whose queue is full is closed: the server does not buffer for
// slow clients.
//
// gorilla/websocket does the handshake, reads frames, and answers pings
// and closes; data frames are framed here, so that a batch needs one system
// call. Both write through wmu, a frame at a time, so frames never
// interleave on the wire.
type conn struct {
	ws   *websocket.Conn
	raw  net.Conn
	wmu  *sync.Mutex
	cfg  *Config
	sess *session.Session
	// ctx carries the session's log fields (session_id, user_id); each
	// request's context is made from it.
	ctx     context.Context
	metrics *metrics.Metrics

	mu          sync.Mutex
	queue       [][]byte
	queued      int
	pingDue     bool
	started     bool // the handshake is done: a writer may run
	writing     bool // a writer is running
	closing     bool
	closeCode   int
	closeReason string

	writerEnd chan struct{} // closed once the socket is closed for good

	spare [][]byte    // writer only
	hdrs  []byte      // writer only
	bufs  net.Buffers // writer only
}

func newConn(ws *websocket.Conn, raw net.Conn, wmu *sync.Mutex, cfg *Config) *conn {
	return &conn{
		ws: ws, raw: raw, wmu: wmu, cfg: cfg, ctx: context.Background(),
		writerEnd: make(chan struct{}),
	}
}

// needWriterLocked reports whether the caller must start a writer, and
// marks one as running. c.mu is held.
func (c *conn) needWriterLocked() bool {
	if !c.started || c.writing {
		return false
	}
	c.writing = true
	return true
}

// Send queues a frame; see session.Conn.
func (c *conn) Send(frame []byte) bool {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return false
	}
	if len(c.queue) >= c.cfg.OutboundQueue || c.queued+len(frame) > c.cfg.OutboundBytes {
		c.mu.Unlock()
		c.closeWith(closeTryLater, reasonQueueFull)
		return false
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	spawn := c.needWriterLocked()
	c.mu.Unlock()
	if spawn {
		go c.write()
	}
	return true
}

// start lets writers run once the handshake is done; what was queued
// before goes out now.
func (c *conn) start() {
	c.mu.Lock()
	c.started = true
	spawn := (len(c.queue) > 0 || c.closing) && c.needWriterLocked()
	c.mu.Unlock()
	if spawn {
		go c.write()
	}
}

// ping asks the writer to send a WebSocket ping.
func (c *conn) ping() {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.pingDue = true
	spawn := c.needWriterLocked()
	c.mu.Unlock()
	if spawn {
		go c.write()
	}
}

// Close closes the connection normally; see session.Conn.
func (c *conn) Close(reason string) { c.closeWith(closeNormal, reason) }

// closeWith starts closing: the writer sends what is queued, then a close
// frame with code and reason, then closes the socket, which ends the read
// loop. Only the first call has an effect.
func (c *conn) closeWith(code int, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing = true
	c.closeCode, c.closeReason = code, reason
	spawn := c.needWriterLocked()
	c.mu.Unlock()
	if c.sess != nil {
		c.sess.MarkClosed()
	}
	if spawn {
		go c.write()
	}
}

func (c *conn) reason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeReason
}

// write is the writer: it writes until nothing is queued, then exits; on
// a closing connection it finishes it. After a failed write nothing more
// is written: the writer finishes at once, dropping what is queued.
func (c *conn) write() {
	for {
		c.mu.Lock()
		ping, pending, closing := c.pingDue, len(c.queue) > 0, c.closing
		failed := closing && c.closeReason == reasonWriteFailed
		c.pingDue = false
		if failed || !ping && !pending {
			if !closing {
				c.writing = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			c.finish()
			return
		}
		c.mu.Unlock()
		if ping {
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.WriteWait)); err != nil {
				c.closeWith(closeGoingAway, reasonWriteFailed)
				continue
			}
		}
		if pending {
			if err := c.flush(); err != nil {
				c.closeWith(closeGoingAway, reasonWriteFailed)
			}
		}
	}
}

// finish sends what is queued and a close frame, briefly, then closes.
func (c *conn) finish() {
	c.mu.Lock()
	code, reason := c.closeCode, c.closeReason
	c.mu.Unlock()
	if reason != reasonWriteFailed {
		if c.flush() == nil && code != closeSent {
			msg := websocket.FormatCloseMessage(code, truncate(reason, 120))
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.cfg.WriteWait))
		}
	}
	c.raw.Close()
	c.mu.Lock()
	clear(c.queue)
	c.queue, c.spare = nil, nil
	c.mu.Unlock()
	close(c.writerEnd)
}

// flush writes every queued frame in one system call: a small batch is
// copied into one pooled buffer and written (a write costs less than a
// writev of many pieces), a large one leaves by writev without copying
// the payloads.
func (c *conn) flush() error {
	c.mu.Lock()
	frames := c.queue
	if len(frames) == 0 {
		c.mu.Unlock()
		return nil
	}
	c.queue = c.spare
	total := c.queued
	c.queued = 0
	c.mu.Unlock()
	op := byte(websocket.TextMessage)
	if c.sess != nil && c.sess.Format == session.Protobuf {
		op = websocket.BinaryMessage
	}
	var (
		written int64
		err     error
	)
	if total+10*len(frames) <= copyLimit {
		written, err = c.writeCopied(op, frames)
	} else {
		written, err = c.writeVector(op, frames)
	}
	c.metrics.Written(int(written))
	n := len(frames)
	clear(frames)
	c.spare = frames[:0]
	if n > keepFrames {
		// A burst is over: do not keep its queue on an idle socket.
		c.spare, c.bufs, c.hdrs = nil, nil, nil
	}
	return err
}

// copyLimit is the largest batch flush copies into one buffer.
const copyLimit = 16 << 10

// writeBufs are the buffers of copied batches.
var writeBufs = sync.Pool{New: func() any { b := make([]byte, 0, copyLimit); return &b }}

func (c *conn) writeCopied(op byte, frames [][]byte) (int64, error) {
	bp := writeBufs.Get().(*[]byte)
	b := (*bp)[:0]
	for _, f := range frames {
		b = appendHeader(b, op, len(f))
		b = append(b, f...)
	}
	c.wmu.Lock()
	_ = c.raw.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait))
	n, err := c.raw.Write(b)
	c.wmu.Unlock()
	*bp = b
	writeBufs.Put(bp)
	return int64(n), err
}

func (c *conn) writeVector(op byte, frames [][]byte) (int64, error) {
	c.hdrs = c.hdrs[:0]
	for _, f := range frames {
		c.hdrs = appendHeader(c.hdrs, op, len(f))
	}
	c.bufs = c.bufs[:0]
	at := 0
	for _, f := range frames {
		n := headerLen(len(f))
		c.bufs = append(c.bufs, c.hdrs[at:at+n], f)
		at += n
	}
	c.wmu.Lock()
	_ = c.raw.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait))
	bufs := c.bufs // WriteTo consumes its receiver
	n, err := bufs.WriteTo(c.raw)
	c.wmu.Unlock()
	clear(c.bufs)
	return n, err
}

// appendHeader appends an unmasked, final frame header (server frames are
// never masked).
func appendHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return append(b, 126, byte(n>>8), byte(n))
	}
	return append(b, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func headerLen(n int) int {
	switch {
	case n < 126:
		return 2
	case n <= 0xffff:
		return 4
	}
	return 10
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// bufPool holds read buffers: a connection takes one only while it reads
// a message, so idle connections hold none.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readAll reads r into a pooled buffer; the caller puts it back.
func readAll(r io.Reader) (*[]byte, error) {
	bp := bufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			*bp = buf
			if errors.Is(err, io.EOF) {
				return bp, nil
			}
			return bp, err
		}
	}
}

// lockedConn makes gorilla's own writes (pongs, pings, close frames) take
// the same lock as the write loop's batches.
type lockedConn struct {
	net.Conn
	mu *sync.Mutex
}

func (l lockedConn) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Conn.Write(p)
}

// hijacker hands gorilla a lockedConn when it takes over the connection.
type hijacker struct {
	http.ResponseWriter
	raw net.Conn
	mu  *sync.Mutex
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ws: connection cannot be hijacked")
	}
	c, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.raw = c
	return lockedConn{Conn: c, mu: h.mu}, brw, nil
}
