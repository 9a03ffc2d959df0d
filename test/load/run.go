package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// tally counts events by kind (errors, mostly), safe for many goroutines.
type tally struct {
	mu sync.Mutex
	m  map[string]int64
}

func newTally() *tally { return &tally{m: map[string]int64{}} }

func (t *tally) add(key string, n int64) {
	t.mu.Lock()
	t.m[key] += n
	t.mu.Unlock()
}

func (t *tally) snapshot() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.m))
	for k, v := range t.m {
		out[k] = v
	}
	return out
}

// String lists the counts, "3 × reason; 1 × other".
func (t *tally) String() string {
	m := t.snapshot()
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	return strings.Join(parts, "; ")
}

// newRunID returns a random tag that makes this run's device ids unique.
func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fleet opens authenticated sockets, one new device account per socket
// (see openMany).
type fleet struct {
	cfg    *config
	rest   *restClient
	dialer *websocket.Dialer
	codec  codec
	runID  string
	errs   *tally
	log    *logger
}

func newFleet(cfg *config, errs *tally, log *logger) *fleet {
	return &fleet{
		cfg:    cfg,
		rest:   newRESTClient(cfg.addr, cfg.serverKey, cfg.concurrency, cfg.timeout),
		dialer: newDialer(cfg.timeout),
		codec:  codec{protobuf: cfg.protobuf()},
		runID:  newRunID(),
		errs:   errs,
		log:    log,
	}
}

func (f *fleet) deviceID(kind string, i int) string {
	return fmt.Sprintf("load-%s-%s-%d", f.runID, kind, i)
}

// auth authenticates device i and returns its session token.
func (f *fleet) auth(ctx context.Context, i int) (string, error) {
	actx, cancel := context.WithTimeout(ctx, f.cfg.timeout)
	defer cancel()
	token, _, err := f.rest.authDevice(actx, f.deviceID("s", i))
	if err != nil {
		return "", fmt.Errorf("authenticate: %w", err)
	}
	return token, nil
}

// openMany opens n sockets in two phases, cfg.concurrency at a time:
// first every device authenticates, then the meter marks the server's
// memory as "before_sockets", then every socket connects. Failed sockets
// are nil, and counted in f.errs as "setup: …". A token that expired
// between the phases (a slow setup) is renewed once.
func (f *fleet) openMany(ctx context.Context, n int, m *meter) []*socket {
	tokens := make([]string, n)
	f.phase(ctx, n, "authenticating", func(i int) bool {
		t, err := f.auth(ctx, i)
		if err != nil {
			f.errs.add("setup: "+describeErr(err), 1)
			return false
		}
		tokens[i] = t
		return true
	})
	m.mark("before_sockets")
	out := make([]*socket, n)
	f.phase(ctx, n, "connecting", func(i int) bool {
		if tokens[i] == "" {
			return false
		}
		s, err := dialSocket(ctx, f.dialer, f.cfg.addr, tokens[i], f.codec)
		var he *httpError
		if errors.As(err, &he) && he.Status == http.StatusUnauthorized {
			var t string
			if t, err = f.auth(ctx, i); err == nil {
				s, err = dialSocket(ctx, f.dialer, f.cfg.addr, t, f.codec)
			}
		}
		if err != nil {
			f.errs.add("setup: "+describeErr(err), 1)
			return false
		}
		out[i] = s
		return true
	})
	return out
}

// phase runs fn(0..n-1), cfg.concurrency at a time, printing progress.
func (f *fleet) phase(ctx context.Context, n int, what string, fn func(i int) bool) {
	var done, ok atomic.Int64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				f.log.printf("%s: %d/%d", what, done.Load(), n)
			}
		}
	}()
	parallel(n, f.cfg.concurrency, func(i int) {
		if ctx.Err() == nil && fn(i) {
			ok.Add(1)
		}
		done.Add(1)
	})
	close(stop)
	if n >= 100 {
		f.log.printf("%s: %d of %d done", what, ok.Load(), n)
	}
}

// closeAll closes every socket, a few at a time.
func closeAll(socks []*socket) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, s := range socks {
		if s == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			s.close()
			<-sem
		}()
	}
	wg.Wait()
}

func countOpen(socks []*socket) int {
	n := 0
	for _, s := range socks {
		if s != nil {
			n++
		}
	}
	return n
}

// runScenario checks the target, prepares the process and runs the
// scenario of cfg.
func runScenario(ctx context.Context, cfg *config, log *logger) (*Report, error) {
	if err := checkLoopback(cfg.addr, nil); err != nil {
		return nil, err
	}
	conn, err := net.DialTimeout("tcp", cfg.addr, cfg.timeout)
	if err != nil {
		return nil, fmt.Errorf("no server answers on %s: %v", cfg.addr, err)
	}
	conn.Close()
	need := uint64(64)
	switch cfg.scenario {
	case "rpc", "idle":
		need += uint64(cfg.sockets)
	case "match", "match-idle":
		need += uint64(cfg.matches * cfg.players)
	case "auth":
		need += uint64(cfg.clients)
	}
	nofile, err := raiseNoFile()
	if err != nil {
		log.printf("could not raise the open-file limit: %v", err)
	}
	if nofile > 0 && nofile < need {
		return nil, fmt.Errorf("the open-file limit is %d but this run needs about %d descriptors: raise the hard limit (ulimit -Hn) or use fewer sockets", nofile, need)
	}
	m := newMeter(cfg, "/proc", log)
	defer m.stopSampling()
	if m.maxOpenFiles > 0 && m.maxOpenFiles < need {
		m.notes = append(m.notes, fmt.Sprintf("the server's open-file limit is %d, below the ~%d sockets of this run: expect failed connections", m.maxOpenFiles, need))
	}
	r := &Report{
		Scenario: cfg.scenario,
		Addr:     cfg.addr,
		Format:   cfg.format,
		Params:   map[string]any{},
		WarmupS:  round(cfg.warmup.Seconds(), 3),
		Counts:   map[string]int64{},
		Rates:    map[string]float64{},
		PerUnit:  map[string]float64{},
		Notes:    cfg.warnings(),
	}
	r.Tool.MaxOpenFiles = nofile
	switch cfg.scenario {
	case "auth":
		err = runAuth(ctx, cfg, m, log, r)
	case "rpc":
		err = runRPC(ctx, cfg, m, log, r)
	case "idle":
		err = runIdle(ctx, cfg, m, log, r)
	case "match", "match-idle":
		err = runMatch(ctx, cfg, m, log, r)
	default:
		err = fmt.Errorf("unknown scenario %q", cfg.scenario)
	}
	if err != nil {
		return nil, err
	}
	if len(r.Errors) == 0 {
		r.Errors = nil
	}
	if len(r.Rates) == 0 {
		r.Rates = nil
	}
	if len(r.PerUnit) == 0 {
		r.PerUnit = nil
	}
	return r, nil
}
