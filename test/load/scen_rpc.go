package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
)

// runRPC: -sockets sockets, each in a closed loop calling the socket rpc
// -rpc-id with -payload and waiting for the reply with its cid.
func runRPC(ctx context.Context, cfg *config, m *meter, log *logger, r *Report) error {
	r.Params["sockets"] = cfg.sockets
	r.Params["rpc_id"] = cfg.rpcID
	r.Params["payload_bytes"] = len(cfg.payload)
	errs := newTally()
	f := newFleet(cfg, errs, log)
	log.printf("rpc: opening %d sockets", cfg.sockets)
	socks := f.openMany(ctx, cfg.sockets, m)
	defer closeAll(socks)
	open := countOpen(socks)
	if open == 0 {
		return fmt.Errorf("no socket could be opened: %v", errs)
	}
	if err := probeRPC(socks, cfg); err != nil {
		return err
	}
	log.printf("rpc: %d sockets open, calling %q", open, cfg.rpcID)

	if cfg.maxRate > 0 {
		r.Params["max_rate"] = cfg.maxRate
	}
	var interval time.Duration
	if cfg.maxRate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.maxRate)
	}
	checkEcho := cfg.rpcID == "echo"
	rec := NewRecorder(open)
	var measuring, stopping atomic.Bool
	var calls, failed, mismatched, lost, pushes, paced atomic.Int64
	var wg sync.WaitGroup
	for i, s := range socks {
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			other := func(*rtapi.Envelope) { pushes.Add(1) }
			next := time.Now()
			for !stopping.Load() {
				if interval > 0 {
					// Paced: the next call starts one interval after the
					// previous one started, or at once if that is past.
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
						paced.Add(1)
					}
					next = time.Now().Add(interval)
				}
				env := &rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: cfg.rpcID, Payload: cfg.payload}}}
				t0 := nowNS()
				reply, err := s.call(env, cfg.timeout, other)
				dt := nowNS() - t0
				in := measuring.Load()
				if err != nil {
					errs.add(describeErr(err), 1)
					if in {
						failed.Add(1)
					}
					if answers(err, env.Cid) {
						continue // an error reply: the socket is fine
					}
					if !stopping.Load() {
						lost.Add(1)
					}
					return // the socket is gone (or out of step)
				}
				rpc := reply.GetRpc()
				if rpc == nil {
					errs.add(fmt.Sprintf("protocol: the reply to an rpc is a %T", reply.Message), 1)
					continue
				}
				if checkEcho && rpc.Payload != cfg.payload {
					mismatched.Add(1)
				}
				if in {
					calls.Add(1)
					rec.Record(i, dt)
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
	n := calls.Load()
	r.Counts["sockets"] = int64(open)
	r.Counts["rpcs"] = n
	r.Counts["errors"] = failed.Load()
	r.Counts["sockets_lost"] = lost.Load()
	if p := pushes.Load(); p > 0 {
		r.Counts["pushes"] = p
	}
	if checkEcho {
		r.Counts["echo_mismatches"] = mismatched.Load()
	}
	r.Rates["rpc_per_s"] = round(ratio(float64(n), r.WindowS), 1)
	r.Latency = latencyOf(rec.Snapshot())
	r.LatencyOf = "rpc round trip"
	m.perUnit(r, "rpc", float64(n))
	m.perKB(r, "socket", float64(open), "before_sockets", "")
	r.Errors = errs.snapshot()
	if l := lost.Load(); l > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d sockets were lost during the run (see errors); a server may limit the messages a socket sends per second (Arbiter: 1000/s, burst 2000, --socket-rate-limit): with few sockets in a closed loop, use more sockets, -max-rate, or lift the limit", l))
	}
	if p := paced.Load(); p > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("-max-rate held back %d calls: the rate is the pacing's, not the server's limit", p))
	}
	if open < cfg.sockets {
		r.Notes = append(r.Notes, fmt.Sprintf("only %d of %d sockets could be opened", open, cfg.sockets))
	}
	return nil
}

// answers reports whether err is the error reply to the request with cid
// (so the socket is still in step), rather than an error pushed without a
// cid (a limit: the server closes the socket after it) or a failure.
func answers(err error, cid string) bool {
	var re *rtError
	return errors.As(err, &re) && re.cid == cid
}

// probeRPC makes one call on the first open socket, so that a missing RPC
// or a bad payload stops the run with a plain message.
func probeRPC(socks []*socket, cfg *config) error {
	for _, s := range socks {
		if s == nil {
			continue
		}
		env := &rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: cfg.rpcID, Payload: cfg.payload}}}
		_, err := s.call(env, cfg.timeout, nil)
		if err != nil {
			return fmt.Errorf("rpc %q: %v", cfg.rpcID, err)
		}
		return nil
	}
	return nil
}
