package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// runAuth: -clients goroutines, each in a closed loop authenticating a new
// device (create=true, a unique id per request) over REST.
func runAuth(ctx context.Context, cfg *config, m *meter, log *logger, r *Report) error {
	r.Params["clients"] = cfg.clients
	errs := newTally()
	rest := newRESTClient(cfg.addr, cfg.serverKey, cfg.clients, cfg.timeout)
	runID := newRunID()
	rec := NewRecorder(cfg.clients)
	var measuring, stopping atomic.Bool
	var ok, created, failed atomic.Int64

	// One request first: a wrong address or key should fail fast and
	// plainly, not as a run full of errors.
	pctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	_, _, err := rest.authDevice(pctx, fmt.Sprintf("load-%s-probe", runID))
	cancel()
	if err != nil {
		return fmt.Errorf("device authentication against %s failed: %v", cfg.addr, err)
	}

	log.printf("auth: %d clients", cfg.clients)
	var wg sync.WaitGroup
	for w := 0; w < cfg.clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; !stopping.Load(); seq++ {
				id := fmt.Sprintf("load-%s-a%d-%d", runID, w, seq)
				rctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
				t0 := nowNS()
				_, c, err := rest.authDevice(rctx, id)
				dt := nowNS() - t0
				cancel()
				in := measuring.Load()
				if err != nil {
					errs.add(describeErr(err), 1)
					if in {
						failed.Add(1)
					}
					time.Sleep(10 * time.Millisecond) // no hot loop on a failing server
					continue
				}
				if in {
					ok.Add(1)
					rec.Record(w, dt)
					if c {
						created.Add(1)
					}
				}
			}
		}()
	}
	m.runWindow(ctx, cfg, hooks{
		start: func() { measuring.Store(true) },
		stop:  func() { measuring.Store(false); stopping.Store(true) },
	})
	wg.Wait()

	m.fill(r)
	w := r.WindowS
	r.Counts["requests"] = ok.Load()
	r.Counts["created"] = created.Load()
	r.Counts["errors"] = failed.Load()
	r.Rates["req_per_s"] = round(ratio(float64(ok.Load()), w), 1)
	r.Latency = latencyOf(rec.Snapshot())
	r.LatencyOf = "device authentication request"
	m.perUnit(r, "req", float64(ok.Load()))
	r.Errors = errs.snapshot()
	if ok.Load() > 0 && created.Load() != ok.Load() {
		r.Notes = append(r.Notes, fmt.Sprintf("%d of %d authentications of new device ids did not report created=true", ok.Load()-created.Load(), ok.Load()))
	}
	return nil
}
