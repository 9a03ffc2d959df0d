package wasm

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
)

// pool holds at most size instances of one module for RPCs and hooks.
// get never waits on a lock while creating an instance, and waits for a
// free instance only as long as its ctx allows; put discards broken ones.
type pool struct {
	create func(ctx context.Context) (*instance, error)
	idle   chan *instance // idle instances
	slots  chan struct{}  // one token per live instance

	mu     sync.Mutex
	closed bool
}

var errPoolClosed = errors.New("module unloaded")

func newPool(size int, create func(ctx context.Context) (*instance, error)) *pool {
	return &pool{create: create, idle: make(chan *instance, size), slots: make(chan struct{}, size)}
}

// seed adds an instance made elsewhere.
func (p *pool) seed(i *instance) {
	p.slots <- struct{}{}
	p.idle <- i
}

// get returns an idle instance, a new one while fewer than size live, or
// waits for one to be put back until ctx is done.
func (p *pool) get(ctx context.Context) (*instance, error) {
	select {
	case i := <-p.idle:
		return i, nil
	default:
	}
	select {
	case i := <-p.idle:
		return i, nil
	case p.slots <- struct{}{}:
		if p.isClosed() {
			<-p.slots
			return nil, errPoolClosed
		}
		i, err := p.create(ctx)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return i, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put returns an instance; a broken one, or any after close, is closed.
func (p *pool) put(i *instance) {
	if i.broken || p.isClosed() {
		i.close()
		<-p.slots
		return
	}
	p.idle <- i // never blocks: there are at most size live instances
	if p.isClosed() {
		p.drain()
	}
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close closes idle instances now and busy ones as they are put back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.drain()
}

func (p *pool) drain() {
	for {
		select {
		case i := <-p.idle:
			i.close()
			<-p.slots
		default:
			return
		}
	}
}

// lineLog writes each line written to it to a logger: a guest's stdout
// and stderr. Lines are cut at 4 KiB.
type lineLog struct {
	log   *slog.Logger
	level slog.Level
	buf   []byte
}

func newLineLog(log *slog.Logger, level slog.Level) *lineLog {
	return &lineLog{log: log, level: level}
}

func (w *lineLog) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		k := bytes.IndexByte(b, '\n')
		if k < 0 {
			w.buf = append(w.buf, b...)
			if len(w.buf) >= 4096 {
				w.flush()
			}
			break
		}
		w.buf = append(w.buf, b[:k]...)
		w.flush()
		b = b[k+1:]
	}
	return n, nil
}

func (w *lineLog) flush() {
	w.log.Log(context.Background(), w.level, string(w.buf), "stream", streamName(w.level))
	w.buf = w.buf[:0]
}

func streamName(l slog.Level) string {
	if l >= slog.LevelWarn {
		return "stderr"
	}
	return "stdout"
}
