package session

import (
	"log/slog"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
)

// Codec encodes envelopes in a wire format; api/wire implements it.
type Codec interface {
	Encode(env *rtapi.Envelope, f Format) ([]byte, error)
}

// Observer counts the envelopes the router delivers; runtime/metrics
// implements it.
type Observer interface {
	// Sent reports env queued to n sessions (one fan-out).
	Sent(env *rtapi.Envelope, n int)
}

// Router delivers envelopes to sessions, encoding each at most once per
// wire format.
type Router struct {
	codec Codec
	log   *slog.Logger
	obs   Observer
}

// NewRouter returns a router that encodes with codec.
func NewRouter(codec Codec, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{codec: codec, log: log}
}

// SetObserver makes o count the router's deliveries; call it before the
// router is used.
func (r *Router) SetObserver(o Observer) { r.obs = o }

// Frames is one envelope with its encodings, made on first use. It is not
// safe for concurrent use: one sender fans it out, then calls Done.
type Frames struct {
	r     *Router
	env   *rtapi.Envelope
	frame [numFormats][]byte
	done  [numFormats]bool
	sent  int // deliveries since the last Done
}

// Frames returns env ready for fan-out.
func (r *Router) Frames(env *rtapi.Envelope) *Frames { return &Frames{r: r, env: env} }

// For returns the frame in format f, or nil if env cannot be encoded.
func (f *Frames) For(format Format) []byte {
	if !f.done[format] {
		b, err := f.r.codec.Encode(f.env, format)
		if err != nil {
			f.r.log.Error("encoding a message failed", runtime.LogError, err)
		}
		f.frame[format], f.done[format] = b, true
	}
	return f.frame[format]
}

// SendTo sends the frames to s.
func (f *Frames) SendTo(s *Session) {
	if b := f.For(s.Format); b != nil && s.Send(b) {
		f.sent++
	}
}

// Done ends a fan-out: the deliveries made since the last Done are counted
// once (one call to the router's Observer, not one per recipient).
func (f *Frames) Done() {
	if f.sent > 0 && f.r.obs != nil {
		f.r.obs.Sent(f.env, f.sent)
	}
	f.sent = 0
}

// Send sends env to one session.
func (r *Router) Send(s *Session, env *rtapi.Envelope) {
	f := r.Frames(env)
	f.SendTo(s)
	f.Done()
}

// SendAll sends env to every session in ss.
func (r *Router) SendAll(ss []*Session, env *rtapi.Envelope) {
	if len(ss) == 0 {
		return
	}
	f := r.Frames(env)
	for _, s := range ss {
		f.SendTo(s)
	}
	f.Done()
}

// SendStream sends env to every session on a stream, hidden ones included.
func (r *Router) SendStream(t *Tracker, st Stream, env *rtapi.Envelope) {
	r.SendAll(t.Sessions(nil, st), env)
}

// StreamEvent is the tracker's fallback handler: it sends the event as a
// stream_presence_event to everyone on the stream.
func (r *Router) StreamEvent(t *Tracker) func(Event) {
	return func(ev Event) {
		if ev.Stream.Mode == ModeNotifications {
			return
		}
		r.SendStream(t, ev.Stream, &rtapi.Envelope{Message: &rtapi.Envelope_StreamPresenceEvent{
			StreamPresenceEvent: &rtapi.StreamPresenceEvent{
				Stream: ev.Stream.Wire(),
				Joins:  WirePresences(ev.Joins),
				Leaves: WirePresences(ev.Leaves),
			},
		}})
	}
}
