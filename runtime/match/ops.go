package match

import (
	"context"
	"errors"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// presenceOf returns the match presence of a session.
func (r *Registry) presenceOf(s *session.Session) Presence {
	return Presence{UserID: s.UserID, SessionID: s.ID, Username: s.Username, Node: r.cfg.Node}
}

// userContext is the match context with the joining user's fields.
func userContext(m *Match, s *session.Session) *runtime.CallContext {
	c := *m.cctx
	c.UserID, c.Username, c.Vars = s.UserID, s.Username, s.Vars
	c.UserSessionExp, c.SessionID, c.Lang = s.Expiry, s.ID, s.Lang
	c.ClientIP, c.ClientPort = s.ClientIP, s.ClientPort
	return &c
}

type joinResult struct {
	accept bool
	reason string
}

// Join asks match id to admit s: match_join_attempt decides, then s joins
// the match stream (which calls match_join) and reply receives the answer
// before the other players see the join.
func (r *Registry) Join(s *session.Session, id string, metadata map[string]string, reply func(*rtapi.Match)) error {
	return r.JoinContext(context.Background(), s, id, metadata, reply)
}

// JoinContext is Join for a request with context ctx: match_join_attempt
// logs with its trace.
func (r *Registry) JoinContext(ctx context.Context, s *session.Session, id string, metadata map[string]string, reply func(*rtapi.Match)) error {
	m, err := r.lookup(id)
	if err != nil {
		return err
	}
	if _, member := r.tracker.Get(s, m.stream); !member {
		if err := r.attempt(ctx, m, s, metadata); err != nil {
			return err
		}
	}
	r.tracker.TrackThen(s, m.stream, session.Meta{Username: s.Username}, func(members []session.Presence, added bool) {
		reply(&rtapi.Match{
			MatchId:       m.id,
			Authoritative: true,
			Label:         wrapperspb.String(m.Label()),
			Size:          int32(len(members) - 1),
			Presences:     others(members, s, true),
			Self:          s.Presence(),
		})
	})
	if m.ending.Load() {
		r.tracker.Untrack(s, m.stream, session.ReasonLeave)
	}
	return nil
}

// attempt runs match_join_attempt on the match goroutine and waits for it.
func (r *Registry) attempt(from context.Context, m *Match, s *session.Session, metadata map[string]string) error {
	done := make(chan joinResult, 1)
	queued := m.submit(func() {
		j := JoinAttempt{Presence: r.presenceOf(s), Metadata: metadata, Context: userContext(m, s)}
		j.Context.TraceID = runtime.TraceIDOf(from)
		var res joinResult
		m.callFrom(from, "match_join_attempt", func(ctx context.Context) error {
			var err error
			res.accept, res.reason, err = m.handler.JoinAttempt(ctx, m.tick, j)
			return err
		})
		if m.ending.Load() {
			res.accept = false
		}
		done <- res
	})
	if !queued {
		return ErrNotAccepting
	}
	timer := time.NewTimer(r.cfg.JoinTimeout)
	defer timer.Stop()
	select {
	case res := <-done:
		if res.accept {
			return nil
		}
		if res.reason == "" {
			return runtime.ErrMatchJoinRejected
		}
		return runtime.ErrMatchJoinRejected.With(res.reason)
	case <-timer.C:
		return runtime.ErrMatchJoinRejected
	case <-m.stopped:
		return runtime.ErrMatchJoinRejected
	}
}

// Leave removes s from match id.
func (r *Registry) Leave(s *session.Session, id string) error {
	m, err := r.lookup(id)
	if err != nil {
		if err == errMatchNotFound {
			return nil
		}
		return err
	}
	r.tracker.Untrack(s, m.stream, session.ReasonLeave)
	return nil
}

// Data queues a player's message for the match's next tick; data from a
// non-member or for an unknown match is dropped, as Nakama drops it.
func (r *Registry) Data(s *session.Session, id string, d *rtapi.MatchDataSend) error {
	m, err := r.lookup(id)
	if err != nil {
		if err == errMatchNotFound {
			return nil
		}
		return err
	}
	if _, member := r.tracker.Get(s, m.stream); !member {
		return nil
	}
	m.enqueue(Message{
		Sender: r.presenceOf(s), OpCode: d.OpCode, Data: d.Data, Reliable: d.Reliable,
		ReceiveTimeMs: time.Now().UnixMilli(),
	})
	return nil
}

// Signal calls match_signal of match id with data and returns its answer.
func (r *Registry) Signal(ctx context.Context, id, data string) (string, error) {
	m, err := r.lookup(id)
	if err != nil {
		return "", err
	}
	type result struct {
		out string
		ok  bool
		err error
	}
	done := make(chan result, 1)
	if !m.submit(func() {
		var res result
		res.ok = m.callFrom(ctx, "match_signal", func(cctx context.Context) error {
			var err error
			res.out, err = m.handler.Signal(cctx, m.tick, data)
			if errors.Is(err, ErrNoSignal) {
				res.err, err = err, nil
			}
			return err
		})
		done <- res
	}) {
		return "", ErrBusy
	}
	select {
	case res := <-done:
		if res.err != nil {
			return "", res.err
		}
		if !res.ok {
			return "", ErrBusy
		}
		return res.out, nil
	case <-ctx.Done():
		return "", ErrBusy
	case <-m.stopped:
		return "", ErrBusy
	}
}

// Shutdown stops accepting matches, calls match_terminate on each with the
// grace period (in seconds, rounded up), lets matches that keep a state run
// until the grace period ends (or ctx is done), then stops every match.
// With no grace, matches stop at once.
func (r *Registry) Shutdown(ctx context.Context, grace time.Duration) {
	r.mu.Lock()
	r.shutdown = true
	all := make([]*Match, 0, len(r.matches))
	for _, m := range r.matches {
		all = append(all, m)
	}
	r.mu.Unlock()
	if grace > 0 {
		// Whole seconds, rounded up: a grace taken from a deadline a few
		// milliseconds into the shutdown still reports the configured value.
		secs := int((grace + time.Second - 1) / time.Second)
		for _, m := range all {
			m.submit(func() {
				m.call("match_terminate", func(cctx context.Context) error { return m.handler.Terminate(cctx, m.tick, secs) })
			})
		}
		// One deadline for every wait: a timer's channel fires once, so
		// waiting on it match after match would let the matches after the
		// first that keep running block the shutdown forever.
		wait, cancel := context.WithTimeout(ctx, grace)
		defer cancel()
		for _, m := range all {
			select {
			case <-m.stopped:
			case <-wait.Done():
			}
		}
	}
	for _, m := range all {
		m.halt()
	}
	r.wg.Wait()
	r.sched.close()
}
