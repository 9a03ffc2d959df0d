package ws

import (
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	arbiter "github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

type discardConn struct{}

func (discardConn) Send([]byte) bool { return true }
func (discardConn) Close(string)     {}

// BenchmarkFanout100 measures one match message delivered to 100 players
// of mixed wire formats: encoded once per format, the bytes shared.
func BenchmarkFanout100(b *testing.B) {
	router := session.NewRouter(wire.Codec{}, nil)
	to := make([]*session.Session, 100)
	for i := range to {
		to[i] = session.New(session.Info{ID: arbiter.NewUUID().String(), Format: session.Format(i % 2)}, discardConn{})
	}
	data := []byte(strings.Repeat("p", 64))
	sender := &rtapi.UserPresence{UserId: arbiter.NewUUID().String(), SessionId: arbiter.NewUUID().String(), Username: "alice"}
	b.ReportAllocs()
	for b.Loop() {
		router.SendAll(to, &rtapi.Envelope{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{
			MatchId: "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f.", Presence: sender, OpCode: 1, Data: data}}})
	}
}

// BenchmarkFlushBatch measures the write loop: 64 queued frames leave in
// one writev.
func BenchmarkFlushBatch(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	srv, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cfg, _ := Config{}.withDefaults()
	c := newConn(nil, srv, &sync.Mutex{}, &cfg)
	frame := []byte(strings.Repeat("f", 100))
	b.ReportAllocs()
	b.SetBytes(64 * int64(len(frame)))
	for b.Loop() {
		for range 64 {
			c.Send(frame)
		}
		if err := c.flush(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSocketMessages measures match messages per second through one
// socket over loopback: a sender's match_data_send relayed to one receiver.
func BenchmarkSocketMessages(b *testing.B) {
	t := &testing.T{}
	s := newServer(t, Config{RateLimit: -1})
	sender, receiver := s.connect(session.Protobuf), s.connect(session.Protobuf)
	sender.t, receiver.t = t, t
	m := createMatch(t, sender, "")
	joinMatch(t, receiver, m.MatchId)
	done := make(chan int)
	var received atomic.Int64
	go func() {
		n := 0
		for n < b.N {
			env, err := receiver.tryRecv(10 * time.Second)
			if err != nil {
				break
			}
			if env.GetMatchData() != nil {
				n++
				received.Add(1)
			}
		}
		done <- n
	}()
	b.ResetTimer()
	for i := range b.N {
		// A window of messages in flight: a client that is always far
		// behind is a slow consumer and would (rightly) be cut off.
		for int64(i)-received.Load() > 256 {
			runtime.Gosched()
		}
		sendData(sender, m.MatchId, 1, "0123456789abcdef")
	}
	if got := <-done; got != b.N {
		b.Fatalf("received %d of %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
