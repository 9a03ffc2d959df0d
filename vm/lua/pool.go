package lua

import (
	"context"
	"sync"
)

// pool holds the VMs that run RPCs and hooks. At most max VMs live at
// once; get takes an idle one, else creates one while fewer than max live,
// else waits for one (or for ctx). Every VM taken is given back with put or
// dropped with discard, so the count of live VMs stays exact and get never
// waits for a VM that will not come back.
type pool struct {
	idle  chan *pooled
	slots chan struct{} // one token per live VM
	newVM func(ctx context.Context) (*pooled, error)

	mu     sync.Mutex
	closed bool
}

func newPool(size int, newVM func(context.Context) (*pooled, error)) *pool {
	return &pool{idle: make(chan *pooled, size), slots: make(chan struct{}, size), newVM: newVM}
}

// add puts a new VM into the pool (while loading). It reports false when
// the pool is full.
func (p *pool) add(v *pooled) bool {
	select {
	case p.slots <- struct{}{}:
		p.idle <- v
		return true
	default:
		return false
	}
}

// get returns a VM for one call.
func (p *pool) get(ctx context.Context) (*pooled, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	select {
	case v := <-p.idle:
		return v, nil
	default:
	}
	select {
	case v := <-p.idle:
		return v, nil
	case p.slots <- struct{}{}:
		v, err := p.newVM(ctx)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return v, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put gives a VM back after a call that left it consistent.
func (p *pool) put(v *pooled) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		v.close()
		<-p.slots
		return
	}
	p.idle <- v // never blocks: idle has room for every live VM
}

// discard drops a VM that a failed call may have left inconsistent.
func (p *pool) discard(v *pooled) {
	v.close()
	<-p.slots
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close closes the idle VMs; VMs in use close when they are given back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case v := <-p.idle:
			v.close()
			<-p.slots
		default:
			return
		}
	}
}

// size returns the number of live VMs.
func (p *pool) size() int { return len(p.slots) }
