package nk

import (
	"log/slog"

	"github.com/arbiterhq/arbiter/runtime"
)

// The logger group: a module's log lines, with the keys of runtime/log.go.
//
// Lines go to Call.Logger, or to Deps.Logger when the call has none, with
// the calling module (module), match (match_id) and trace (trace_id), and
// are logged with the call's context (Call.Ctx): through the server's
// handler (runtime.NewLogHandler) they also carry that context's fields,
// such as the RPC id (rpc_id), session and user of the request that made
// the call.

func (a *API) loggerFuncs() []*Func {
	levels := []struct {
		name  string
		level slog.Level
	}{
		{"logger_debug", slog.LevelDebug},
		{"logger_info", slog.LevelInfo},
		{"logger_warn", slog.LevelWarn},
		{"logger_error", slog.LevelError},
	}
	funcs := make([]*Func, len(levels))
	for i, l := range levels {
		funcs[i] = &Func{
			Name:    l.name,
			Doc:     "Logs message at " + l.level.String() + " level, with the calling module, match and trace. The message is not formatted: use string.format.",
			Params:  []Param{{Name: "message", Type: TypeString, Doc: "The message to log; must not be empty."}},
			Results: []Result{{Name: "message", Type: TypeString, Doc: "The message, unchanged."}},
			Run:     a.logAt(l.name, l.level),
		}
	}
	return funcs
}

func (a *API) logAt(name string, level slog.Level) func(*Call, []any) ([]any, error) {
	return func(c *Call, args []any) ([]any, error) {
		msg := args[0].(string)
		if msg == "" {
			return nil, badArg(name, 1, "expects message string")
		}
		a.logger(c).Log(callCtx(c), level, msg, callAttrs(c)...)
		return []any{msg}, nil
	}
}

// logger returns the logger of a call.
func (a *API) logger(c *Call) *slog.Logger {
	if c != nil && c.Logger != nil {
		return c.Logger
	}
	return a.d.Logger
}

// callAttrs returns the log attributes of a call: module, match_id and
// trace_id, those that are known.
func callAttrs(c *Call) []any {
	if c == nil {
		return nil
	}
	attrs := make([]any, 0, 6)
	if c.Module != "" {
		attrs = append(attrs, runtime.LogModule, c.Module)
	}
	if cc := c.Context; cc != nil {
		if cc.MatchID != "" {
			attrs = append(attrs, runtime.LogMatch, cc.MatchID)
		}
		if cc.TraceID != "" {
			attrs = append(attrs, runtime.LogTrace, cc.TraceID)
		}
	}
	return attrs
}
