package runtime

// Log attribute keys. Every package logs with log/slog using these keys, so
// that one request or one match can be followed across the server's logs.
const (
	LogSession = "session_id"
	LogUser    = "user_id"
	LogMatch   = "match_id"
	LogModule  = "module"
	LogRPC     = "rpc_id"
	LogTrace   = "trace_id"
	LogError   = "error"
)
