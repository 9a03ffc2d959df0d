package runtime

// Execution modes, named as Nakama names them in a callback's context.
const (
	ModeRPC        = "rpc"
	ModeMatch      = "match"
	ModeMatchmaker = "matchmaker"
	ModeRunOnce    = "run_once"
	ModeShutdown   = "shutdown"
	ModeEvent      = "event"
	ModeBefore     = "before"
	ModeAfter      = "after"
)

// CallContext is what a module callback learns about its call: the first
// argument of every Nakama callback ("context"). Fields that do not apply
// are empty and left out of the value a VM sees.
type CallContext struct {
	Env           map[string]string
	ExecutionMode string
	Node          string
	Version       string
	Headers       map[string][]string
	QueryParams   map[string][]string

	UserID         string
	Username       string
	Vars           map[string]string
	UserSessionExp int64
	SessionID      string
	Lang           string
	ClientIP       string
	ClientPort     string

	MatchID       string
	MatchNode     string
	MatchLabel    string
	MatchTickRate int

	// TraceID ties the logs of everything one request causes together.
	TraceID string
}

// Map returns the context as Nakama's context table: a map of the neutral
// value model (string, int64, map[string]any, []any) with Nakama's keys.
func (c *CallContext) Map() map[string]any {
	m := map[string]any{
		"env":            stringMap(c.Env),
		"execution_mode": c.ExecutionMode,
		"node":           c.Node,
		"version":        c.Version,
		"headers":        listMap(c.Headers),
		"query_params":   listMap(c.QueryParams),
	}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	if c.UserID != "" {
		m["user_id"] = c.UserID
		m["username"] = c.Username
		if len(c.Vars) > 0 {
			m["vars"] = stringMap(c.Vars)
		}
		m["user_session_exp"] = c.UserSessionExp
		put("session_id", c.SessionID)
		put("lang", c.Lang)
	}
	put("client_ip", c.ClientIP)
	put("client_port", c.ClientPort)
	if c.MatchID != "" {
		m["match_id"] = c.MatchID
		m["match_node"] = c.MatchNode
		m["match_label"] = c.MatchLabel
		m["match_tick_rate"] = int64(c.MatchTickRate)
	}
	put("trace_id", c.TraceID)
	return m
}

func stringMap(in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

func listMap(in map[string][]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, vs := range in {
		l := make([]any, len(vs))
		for i, v := range vs {
			l[i] = v
		}
		out[k] = l
	}
	return out
}
