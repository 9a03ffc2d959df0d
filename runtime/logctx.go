package runtime

import (
	"context"
	"log/slog"
	"math/rand/v2"
)

// LogFields are the log attributes a context carries: every log call made
// with that context (slog's *Context methods, Logger.Log) through the
// handler of NewLogHandler gets them, under the keys of log.go, so the
// logs of one request, one socket or one match can be followed without
// threading loggers through every call.
type LogFields struct {
	TraceID   string
	SessionID string
	UserID    string
	MatchID   string
	Module    string
	RPCID     string
}

type logFieldsKey struct{}

// WithLogFields returns ctx carrying f over the fields ctx already
// carries: the non-empty fields of f replace the ones ctx has.
func WithLogFields(ctx context.Context, f LogFields) context.Context {
	if cur := logFieldsOf(ctx); cur != nil {
		merged := *cur
		merged.merge(f)
		f = merged
	}
	return context.WithValue(ctx, logFieldsKey{}, &f)
}

// WithTraceID returns ctx carrying trace id.
func WithTraceID(ctx context.Context, id string) context.Context {
	return WithLogFields(ctx, LogFields{TraceID: id})
}

// LogFieldsOf returns the fields ctx carries (zero when none).
func LogFieldsOf(ctx context.Context) LogFields {
	if f := logFieldsOf(ctx); f != nil {
		return *f
	}
	return LogFields{}
}

// TraceIDOf returns the trace id ctx carries, or "".
func TraceIDOf(ctx context.Context) string {
	if f := logFieldsOf(ctx); f != nil {
		return f.TraceID
	}
	return ""
}

func logFieldsOf(ctx context.Context) *LogFields {
	if ctx == nil {
		return nil
	}
	f, _ := ctx.Value(logFieldsKey{}).(*LogFields)
	return f
}

func (f *LogFields) merge(o LogFields) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&f.TraceID, o.TraceID)
	set(&f.SessionID, o.SessionID)
	set(&f.UserID, o.UserID)
	set(&f.MatchID, o.MatchID)
	set(&f.Module, o.Module)
	set(&f.RPCID, o.RPCID)
}

// NewTraceID returns a new random trace id: 32 lowercase hex digits, the
// form of a W3C trace-context trace id. Trace ids tie logs together; they
// are not secrets, so a fast generator serves.
func NewTraceID() string {
	const hex = "0123456789abcdef"
	var b [32]byte
	for half := 0; half < 2; half++ {
		v := rand.Uint64()
		if half == 0 && v == 0 {
			v = 1 // an all-zero trace id is invalid in W3C trace context
		}
		for i := 0; i < 16; i++ {
			b[half*16+i] = hex[v>>60]
			v <<= 4
		}
	}
	return string(b[:])
}

// ValidTraceID reports whether s can be used as a trace id received from a
// client (an X-Trace-Id header): 1 to 64 letters, digits, '-', '_' or '.',
// so that it cannot forge log lines.
func ValidTraceID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// TraceIDFromTraceparent returns the trace id of a W3C traceparent header
// ("00-<32 hex>-<16 hex>-<2 hex>"), or "" when h is not one.
func TraceIDFromTraceparent(h string) string {
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return ""
	}
	id := h[3:35]
	zero := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
		if c != '0' {
			zero = false
		}
	}
	if zero {
		return ""
	}
	return id
}

// The log keys a context's fields are written under, in LogFields order.
var logFieldKeys = [...]string{LogTrace, LogSession, LogUser, LogMatch, LogModule, LogRPC}

func (f *LogFields) values() [len(logFieldKeys)]string {
	return [...]string{f.TraceID, f.SessionID, f.UserID, f.MatchID, f.Module, f.RPCID}
}

// fieldBit returns the bit of a LogFields key, 0 for other keys.
func fieldBit(key string) uint8 {
	for i, k := range logFieldKeys {
		if k == key {
			return 1 << i
		}
	}
	return 0
}

// NewLogHandler returns a handler that adds the LogFields of each record's
// context to the record, then passes it to inner. A key the record (or the
// logger, through With) already has is not added again, so code that names
// a key itself (a match's logger with match_id) keeps its value and no key
// appears twice. Fields are added at the top level only while no group is
// open (Logger.WithGroup); inside a group they would land in the group, so
// they are then left out.
func NewLogHandler(inner slog.Handler) slog.Handler {
	if h, ok := inner.(*logHandler); ok {
		return h
	}
	return &logHandler{inner: inner}
}

type logHandler struct {
	inner   slog.Handler
	have    uint8 // fields the logger's own attributes (With) already hold
	grouped bool
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	f := logFieldsOf(ctx)
	if f == nil || h.grouped {
		return h.inner.Handle(ctx, r)
	}
	have := h.have
	r.Attrs(func(a slog.Attr) bool {
		have |= fieldBit(a.Key)
		return true
	})
	for i, v := range f.values() {
		if v != "" && have&(1<<i) == 0 {
			r.AddAttrs(slog.String(logFieldKeys[i], v))
		}
	}
	return h.inner.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &logHandler{inner: h.inner.WithAttrs(attrs), have: h.have, grouped: h.grouped}
	if !h.grouped {
		for _, a := range attrs {
			n.have |= fieldBit(a.Key)
		}
	}
	return n
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &logHandler{inner: h.inner.WithGroup(name), have: h.have, grouped: true}
}
