package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/heroiclabs/nakama-common/rtapi"
)

// runIdle: -sockets authenticated sockets that send nothing; each has one
// reading goroutine, which answers the server's WebSocket pings. What is
// measured is what idle sockets cost the server: memory and CPU.
func runIdle(ctx context.Context, cfg *config, m *meter, log *logger, r *Report) error {
	r.Params["sockets"] = cfg.sockets
	errs := newTally()
	f := newFleet(cfg, errs, log)
	log.printf("idle: opening %d sockets", cfg.sockets)
	socks := f.openMany(ctx, cfg.sockets, m)
	open := countOpen(socks)
	if open == 0 {
		return fmt.Errorf("no socket could be opened: %v", errs)
	}
	log.printf("idle: %d sockets open", open)

	var stopping atomic.Bool
	var lost, pushes atomic.Int64
	var wg sync.WaitGroup
	for _, s := range socks {
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.readUntilLost(&stopping, errs, &lost, func(*rtapi.Envelope) { pushes.Add(1) })
		}()
	}
	m.runWindow(ctx, cfg, hooks{})
	stopping.Store(true)
	closeAll(socks)
	wg.Wait()

	m.fill(r)
	r.Counts["sockets"] = int64(open)
	r.Counts["sockets_lost"] = lost.Load()
	r.Counts["pushes"] = pushes.Load()
	// CPU per socket-second: the cost of keeping one socket open for one
	// second (pings, timers).
	m.perUnit(r, "socket_s", float64(open)*r.WindowS)
	m.perKB(r, "socket", float64(open), "before_sockets", "")
	r.Errors = errs.snapshot()
	if open < cfg.sockets {
		r.Notes = append(r.Notes, fmt.Sprintf("only %d of %d sockets could be opened", open, cfg.sockets))
	}
	r.Notes = append(r.Notes, "server_kb_per_socket is the RSS growth from before the sockets connected (devices already authenticated) to the window's end, over the sockets; it includes heap the Go runtime holds but does not use")
	return nil
}
