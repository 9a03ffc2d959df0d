package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
)

// opEcho is the op code of the tool's messages; the loadecho module sends
// every message back with its op code and data unchanged.
const opEcho = 1

// createRPC is the module's RPC that creates a match.
const createRPC = "loadecho_create"

// stamp writes a message's data: "<sent ns> <player> <seq>", padded with
// '.' to size bytes. The send time is the tool's monotonic clock, so the
// receiver computes the delivery delay; player and seq let it see
// reordering.
func stamp(buf []byte, sent int64, player, seq int, size int) []byte {
	buf = strconv.AppendInt(buf, sent, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(player), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(seq), 10)
	for len(buf) < size {
		buf = append(buf, '.')
	}
	return buf
}

// parseStamp reads what stamp wrote.
func parseStamp(data []byte) (sent int64, player, seq int, ok bool) {
	f := strings.Fields(strings.TrimRight(string(data), "."))
	if len(f) != 3 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	sent, err1 = strconv.ParseInt(f[0], 10, 64)
	player, err2 = strconv.Atoi(f[1])
	seq, err3 = strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil || sent < 0 || player < 0 || seq < 0 {
		return 0, 0, 0, false
	}
	return sent, player, seq, true
}

// matchIDFrom reads the create RPC's answer: {"match_id":"…"} or the bare id.
func matchIDFrom(payload string) (string, error) {
	p := strings.TrimSpace(payload)
	if strings.HasPrefix(p, "{") {
		var v struct {
			MatchID string `json:"match_id"`
		}
		if err := json.Unmarshal([]byte(p), &v); err != nil {
			return "", fmt.Errorf("%s answered %q: %v", createRPC, clip(p, 80), err)
		}
		p = v.MatchID
	}
	if p == "" || !strings.Contains(p, ".") {
		return "", fmt.Errorf("%s answered %q: not a match id", createRPC, clip(payload, 80))
	}
	return p, nil
}

// runMatch: -matches authoritative loadecho matches of -players players;
// each player sends -rate messages a second, stamped with the send time;
// the module echoes each to every player of the match, the sender
// included. With -rate 0 (or -scenario match-idle) nobody sends: the
// window then measures what ticking matches cost.
func runMatch(ctx context.Context, cfg *config, m *meter, log *logger, r *Report) error {
	M, P := cfg.matches, cfg.players
	idle := cfg.idleMatch()
	r.Params["matches"] = M
	r.Params["players"] = P
	r.Params["tick"] = cfg.tick
	if !idle {
		r.Params["rate"] = cfg.rate
		r.Params["msg_bytes"] = cfg.msgBytes
	}
	errs := newTally()
	f := newFleet(cfg, errs, log)
	log.printf("match: opening %d sockets (%d matches × %d players)", M*P, M, P)
	socks := f.openMany(ctx, M*P, m)
	defer closeAll(socks)
	if countOpen(socks) == 0 {
		return fmt.Errorf("no socket could be opened: %v", errs)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	m.mark("before_matches")

	// Create the matches: the first open socket of each calls the RPC.
	log.printf("match: creating %d matches (tick %d)", M, cfg.tick)
	ids := make([]string, M)
	var fatal error
	var fatalOnce sync.Once
	parallel(M, cfg.concurrency, func(mi int) {
		for pi := 0; pi < P; pi++ {
			s := socks[mi*P+pi]
			if s == nil {
				continue
			}
			env := &rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{
				Id: createRPC, Payload: fmt.Sprintf(`{"tick":%d}`, cfg.tick)}}}
			reply, err := s.call(env, cfg.timeout, nil)
			if err == nil {
				ids[mi], err = matchIDFrom(reply.GetRpc().GetPayload())
			}
			if err != nil {
				var re *rtError
				if errors.As(err, &re) && re.Code == int32(rtapi.Error_RUNTIME_FUNCTION_NOT_FOUND) {
					fatalOnce.Do(func() {
						fatal = fmt.Errorf("the server has no %q RPC: load the loadecho module (go run ./test/load -write-module DIR, then start the server with DIR among its modules)", createRPC)
					})
				}
				errs.add("create: "+describeErr(err), 1)
			}
			return
		}
	})
	if fatal != nil {
		return fatal
	}

	// Join every player to its match.
	log.printf("match: joining %d players", M*P)
	joined := make([]atomic.Int64, M)
	inMatch := make([]bool, M*P)
	var labelWarn sync.Once
	parallel(M*P, cfg.concurrency, func(i int) {
		mi := i / P
		s := socks[i]
		if s == nil || ids[mi] == "" {
			return
		}
		env := &rtapi.Envelope{Message: &rtapi.Envelope_MatchJoin{MatchJoin: &rtapi.MatchJoin{
			Id: &rtapi.MatchJoin_MatchId{MatchId: ids[mi]}}}}
		reply, err := s.call(env, cfg.timeout, nil)
		if err != nil {
			errs.add("join: "+describeErr(err), 1)
			return
		}
		match := reply.GetMatch()
		if match == nil {
			errs.add(fmt.Sprintf("protocol: the reply to match_join is a %T", reply.Message), 1)
			return
		}
		if want := fmt.Sprintf(`"tick":%d`, cfg.tick); !strings.Contains(match.GetLabel().GetValue(), want) {
			labelWarn.Do(func() {
				r.Notes = append(r.Notes, fmt.Sprintf("match label %q does not hold %s: is the server's loadecho module this tool's version?", match.GetLabel().GetValue(), want))
			})
		}
		joined[mi].Add(1)
		inMatch[i] = true
	})
	var players, matches int64
	for mi := range joined {
		if n := joined[mi].Load(); n > 0 {
			players += n
			matches++
		}
	}
	if players == 0 {
		return fmt.Errorf("no player could join a match: %v", errs)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	log.printf("match: %d players in %d matches", players, matches)

	// Readers: one goroutine per player.
	var winStart atomic.Int64
	winStart.Store(math.MaxInt64)
	rec := NewRecorder(4 * runtime.GOMAXPROCS(0))
	var delivered, allDelivered, outOfOrder, badData, otherOps, presence, other, lost atomic.Int64
	var stopping atomic.Bool
	erroredMatch := make([]atomic.Bool, M)
	var readers sync.WaitGroup
	for i, s := range socks {
		if !inMatch[i] {
			continue
		}
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := make([]int, P)
			for k := range last {
				last[k] = -1
			}
			s.readUntilLost(&stopping, errs, &lost, func(env *rtapi.Envelope) {
				now := nowNS()
				switch msg := env.Message.(type) {
				case *rtapi.Envelope_MatchData:
					md := msg.MatchData
					if md.OpCode != opEcho {
						otherOps.Add(1)
						return
					}
					sent, from, seq, ok := parseStamp(md.Data)
					if !ok {
						badData.Add(1)
						return
					}
					if from < P {
						if seq <= last[from] {
							outOfOrder.Add(1)
						} else {
							last[from] = seq
						}
					}
					allDelivered.Add(1)
					if sent >= winStart.Load() {
						delivered.Add(1)
						rec.Record(i, now-sent)
					}
				case *rtapi.Envelope_MatchPresenceEvent:
					presence.Add(1)
				case *rtapi.Envelope_Error:
					// A pushed error on a match player's socket: Arbiter
					// sends one when a match ends after an error.
					errs.add(fmt.Sprintf("error envelope pushed: %d %s", msg.Error.Code, msg.Error.Message), 1)
					erroredMatch[i/P].Store(true)
				default:
					other.Add(1)
				}
			})
		}()
	}

	// Senders: one goroutine per player, each on its own ticker with a
	// random phase so that sends spread over the interval.
	sentBy := make([]atomic.Int64, M)
	stopSend := make(chan struct{})
	var senders sync.WaitGroup
	if !idle {
		interval := time.Duration(float64(time.Second) / cfg.rate)
		for i, s := range socks {
			if !inMatch[i] {
				continue
			}
			mi, pi := i/P, i%P
			senders.Add(1)
			go func() {
				defer senders.Done()
				select {
				case <-stopSend:
					return
				case <-time.After(time.Duration(rand.Int64N(int64(interval)))):
				}
				t := time.NewTicker(interval)
				defer t.Stop()
				mds := &rtapi.MatchDataSend{MatchId: ids[mi], OpCode: opEcho}
				env := &rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: mds}}
				buf := make([]byte, 0, max(32, cfg.msgBytes))
				for seq := 0; ; seq++ {
					ts := nowNS()
					buf = stamp(buf[:0], ts, pi, seq, cfg.msgBytes)
					mds.Data = buf
					if err := s.send(env); err != nil {
						errs.add("send: "+describeErr(err), 1)
						return
					}
					if ts >= winStart.Load() {
						sentBy[mi].Add(1)
					}
					select {
					case <-stopSend:
						return
					case <-t.C:
					}
				}
			}()
		}
	}

	m.runWindow(ctx, cfg, hooks{
		arm: func(start int64) { winStart.Store(start) },
		stop: func() {
			close(stopSend)
			senders.Wait()
		},
	})

	// Every message sent in the window is expected at every player of its
	// match; wait for the last ones to arrive.
	var sent, expected int64
	for mi := range sentBy {
		n := sentBy[mi].Load()
		sent += n
		expected += n * joined[mi].Load()
	}
	drainStart := time.Now()
	if !idle {
		last, lastChange := delivered.Load(), time.Now()
		for delivered.Load() < expected && time.Since(lastChange) < 2*time.Second && time.Since(drainStart) < 15*time.Second {
			time.Sleep(20 * time.Millisecond)
			if d := delivered.Load(); d != last {
				last, lastChange = d, time.Now()
			}
		}
	}
	drain := time.Since(drainStart)
	stopping.Store(true)
	closeAll(socks)
	readers.Wait()

	m.fill(r)
	w := r.WindowS
	ticks := float64(matches) * float64(cfg.tick) * w
	r.Counts["matches"] = matches
	r.Counts["players"] = players
	r.Counts["ticks"] = int64(math.Round(ticks))
	r.Counts["sockets_lost"] = lost.Load()
	r.Counts["presence_events"] = presence.Load()
	var errored int64
	for mi := range erroredMatch {
		if erroredMatch[mi].Load() {
			errored++
		}
	}
	r.Counts["matches_with_error"] = errored
	if n := other.Load(); n > 0 {
		r.Counts["other_messages"] = n
	}
	if !idle {
		d := delivered.Load()
		r.Counts["sent"] = sent
		r.Counts["delivered"] = d
		r.Counts["expected"] = expected
		r.Counts["out_of_order"] = outOfOrder.Load()
		if n := badData.Load(); n > 0 {
			r.Counts["bad_data"] = n
		}
		if n := otherOps.Load(); n > 0 {
			r.Counts["other_op_codes"] = n
		}
		r.Rates["sent_per_s"] = round(ratio(float64(sent), w), 1)
		r.Rates["delivered_per_s"] = round(ratio(float64(d), w), 1)
		r.Rates["delivered_fraction"] = round(ratio(float64(d), float64(expected)), 5)
		r.Latency = latencyOf(rec.Snapshot())
		r.LatencyOf = "match data delivery (send to echo received)"
		m.perUnit(r, "delivered", float64(d))
		m.perUnit(r, "sent", float64(sent))
		r.Params["drain_s"] = round(drain.Seconds(), 2)
		if target := float64(players) * cfg.rate * w; float64(sent) < 0.95*target {
			r.Notes = append(r.Notes, fmt.Sprintf("the tool sent %.0f %% of the %.0f messages asked for (players × rate × window): it, or the machine, could not keep up, and its delivery latency includes its own delays", 100*float64(sent)/target, target))
		}
		if d < expected {
			r.Notes = append(r.Notes, fmt.Sprintf("%d of %d expected deliveries missing after waiting %.1f s", expected-d, expected, drain.Seconds()))
		}
	}
	m.perUnit(r, "tick", ticks)
	m.perKB(r, "socket", float64(players), "before_sockets", "before_matches")
	m.perKB(r, "match", float64(matches), "before_matches", "")
	r.Errors = errs.snapshot()
	if players < int64(M*P) {
		r.Notes = append(r.Notes, fmt.Sprintf("only %d of %d players are in a match", players, M*P))
	}
	r.Notes = append(r.Notes, "ticks are nominal: matches × tick rate × window")
	return nil
}

// parallel calls fn(0..n-1) on at most width goroutines.
func parallel(n, width int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(width, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
