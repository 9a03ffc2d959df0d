// Package runtime is Arbiter's engine: the domain types, the errors a client
// may see, and the small ports the engine needs from persistence.
//
// The engine's parts live in sub-packages: auth (tokens), account, object
// (storage objects), session (sockets, presence, fan-out), match (relayed and
// authoritative matches), matchmaker, nk (the one implementation of the nk
// API that every VM adapter binds) and module (loaded module sets).
//
// # Dependencies
//
// runtime imports neither api, vm nor storage. The network edge (api/) calls
// the engine; VM adapters (vm/) and stores (storage/) implement interfaces the
// engine declares. This keeps the engine testable with in-memory fakes and
// lets each edge change without touching the core.
//
// # Errors
//
// Errors a client may see are *Error values carrying a gRPC-numbered Code
// and a message written for the client. Sentinels (ErrNotFound, ...) are
// declared once here; errors derived from them with With keep matching them
// under errors.Is. api/wire maps them to HTTP statuses and realtime codes in
// one table. Any other error is internal: it is logged, and the client sees
// a generic message.
//
// # Logs
//
// Every package logs with log/slog under the keys of log.go (session_id,
// user_id, match_id, module, rpc_id, trace_id). Rather than thread loggers
// through every call, a context carries LogFields (WithLogFields): the edge
// puts a trace id in each request's context (REST: X-Trace-Id or
// traceparent, else a new one; socket: a new one per message, except data
// and pings), the socket its session and user, the RPC caller the RPC id,
// and a match's callbacks run under a context with its match id and module
// (match_init and join attempts also with the trace of the request that
// caused them). The handler of NewLogHandler adds those fields to every
// line logged with that context (slog's *Context methods), unless the line
// names the key itself. The engine's metrics are declared in
// runtime/metrics.
package runtime
