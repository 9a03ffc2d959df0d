package session

import (
	"sync/atomic"

	"github.com/heroiclabs/nakama-common/rtapi"
)

// Format is a session's wire format.
type Format uint8

// The wire formats.
const (
	JSON Format = iota
	Protobuf
	numFormats
)

// String names the format as the ?format= parameter does.
func (f Format) String() string {
	if f == Protobuf {
		return "protobuf"
	}
	return "json"
}

// Conn is the connection behind a session.
type Conn interface {
	// Send queues one encoded frame without blocking. It returns false when
	// the connection is closed, or is being closed because it fell behind.
	Send(frame []byte) bool
	// Close ends the connection; reason is logged, not sent.
	Close(reason string)
}

// Info describes a session.
type Info struct {
	ID         string
	UserID     string
	Username   string
	Vars       map[string]string
	Expiry     int64 // unix seconds of the session token's expiry
	TokenID    string
	Format     Format
	Lang       string
	ClientIP   string
	ClientPort string
}

// Session is a connected client.
type Session struct {
	Info
	conn   Conn
	closed atomic.Bool
}

// New returns a session for a connection.
func New(info Info, conn Conn) *Session { return &Session{Info: info, conn: conn} }

// Send queues a frame already encoded in the session's format.
func (s *Session) Send(frame []byte) bool { return s.conn.Send(frame) }

// MarkClosed records that the session is ending: the tracker refuses new
// presences for it from then on. The connection calls it before removing
// the session's presences, so none can be added behind its back.
func (s *Session) MarkClosed() { s.closed.Store(true) }

// Closed reports whether MarkClosed was called.
func (s *Session) Closed() bool { return s.closed.Load() }

// Close closes the session's connection.
func (s *Session) Close(reason string) { s.conn.Close(reason) }

// Presence returns the wire presence of the session.
func (s *Session) Presence() *rtapi.UserPresence {
	return &rtapi.UserPresence{UserId: s.UserID, SessionId: s.ID, Username: s.Username}
}
