package ws

import (
	"errors"
	"time"
)

// Config sets the socket limits. The zero value of a field means its
// default (DefaultConfig).
type Config struct {
	// MaxMessageBytes is the largest frame a client may send (Nakama's
	// max_message_size_bytes); a larger one closes the socket with 1009.
	MaxMessageBytes int64
	// ReadBufferBytes is the socket's read buffer.
	ReadBufferBytes int
	// OutboundQueue is how many frames may wait to be written to a client;
	// OutboundBytes caps their total size. A client past either is closed:
	// it is not reading, and the server does not buffer for it. (Nakama
	// closes at 64 frames; queued frames here share their bytes with every
	// other recipient, so the cap is on bytes first.)
	OutboundQueue int
	OutboundBytes int
	// PingPeriod is how often the server pings; a client that answers no
	// ping within PongWait (and sends nothing) is closed.
	PingPeriod time.Duration
	PongWait   time.Duration
	// WriteWait bounds each write.
	WriteWait time.Duration
	// RateLimit is how many messages per second a socket may send on
	// average, with bursts of RateBurst; past it the client gets an error
	// and is closed. A negative RateLimit means no limit.
	RateLimit float64
	RateBurst int
	// MaxSocketsPerSession caps the sockets open at once with one session
	// token; a negative value means no cap.
	MaxSocketsPerSession int
	// SingleSocket closes a user's other sockets when they open a new one,
	// as Nakama's session.single_socket.
	SingleSocket bool
}

// DefaultConfig returns the default limits.
func DefaultConfig() Config {
	return Config{
		MaxMessageBytes:      4096,
		ReadBufferBytes:      512,
		OutboundQueue:        1024,
		OutboundBytes:        1 << 20,
		PingPeriod:           15 * time.Second,
		PongWait:             25 * time.Second,
		WriteWait:            5 * time.Second,
		RateLimit:            1000,
		RateBurst:            2000,
		MaxSocketsPerSession: 16,
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = d.MaxMessageBytes
	}
	set(&c.ReadBufferBytes, d.ReadBufferBytes)
	set(&c.OutboundQueue, d.OutboundQueue)
	set(&c.OutboundBytes, d.OutboundBytes)
	set(&c.RateBurst, d.RateBurst)
	set(&c.MaxSocketsPerSession, d.MaxSocketsPerSession)
	for _, p := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&c.PingPeriod, d.PingPeriod}, {&c.PongWait, d.PongWait}, {&c.WriteWait, d.WriteWait}} {
		if *p.v == 0 {
			*p.v = p.def
		}
	}
	if c.RateLimit == 0 {
		c.RateLimit = d.RateLimit
	}
	if c.PingPeriod >= c.PongWait {
		return c, errors.New("ws: ping period must be less than pong wait")
	}
	return c, nil
}
