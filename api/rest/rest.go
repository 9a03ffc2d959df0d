// Package rest serves Nakama's REST API under /v2: it decodes a request,
// calls the engine and encodes the answer, with the gateway's JSON options
// and error bodies, so that Nakama's clients work unchanged.
package rest

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/notify"
	"github.com/arbiterhq/arbiter/runtime/object"
)

// DefaultMaxBodyBytes is the largest request body accepted, as Nakama's
// max_request_size_bytes.
const DefaultMaxBodyBytes = 256 * 1024

// Deps are what the REST API serves from.
type Deps struct {
	Accounts  *account.Service
	Objects   *object.Service
	Tokens    *auth.Tokens
	ServerKey string
	Logger    *slog.Logger
	// RPC runs module RPCs; nil serves no /v2/rpc.
	RPC     RPCCaller
	HTTPKey string
	// Matches lists matches at /v2/match; nil serves none.
	Matches *match.Registry
	// Notifications serves /v2/notification; nil serves none.
	Notifications *notify.Service
	// Chat serves channel histories at /v2/channel; nil serves none.
	Chat *chat.Service
	// Node, Version and Env go into RPC callback contexts.
	Node    string
	Version string
	Env     map[string]string
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Metrics counts the errors answered; nil counts nothing.
	Metrics *metrics.Metrics
}

// Handler is the REST API.
type Handler struct {
	d   Deps
	mux *http.ServeMux
}

// New returns the REST API handler.
func New(d Deps) *Handler {
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{d: d, mux: http.NewServeMux()}
	h.routeAccounts()
	h.routeStorage()
	h.routeRPC()
	h.routeMatches()
	h.routeNotifications()
	h.routeChannels()
	return h
}

// Handle registers an extra route on the API (used by the packages that
// add RPC, match and notification endpoints).
func (h *Handler) Handle(pattern string, handler http.Handler) { h.mux.Handle(pattern, handler) }

// TraceHeader is the header that carries a request's trace id: taken from
// the request when it holds a valid one (else from a W3C traceparent
// header, else made up) and set on the answer.
const TraceHeader = "X-Trace-Id"

// ServeHTTP serves a request, answering unknown paths and methods with
// Nakama's JSON errors. Every request gets a trace id (see TraceHeader) in
// its context, so its logs and those of what it causes carry it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	trace := RequestTrace(r)
	w.Header().Set(TraceHeader, trace)
	ctx := runtime.WithTraceID(r.Context(), trace)
	r = r.WithContext(ctx)
	if h.d.Logger.Enabled(ctx, slog.LevelDebug) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			h.d.Logger.DebugContext(ctx, "http request", "method", r.Method, "path", r.URL.Path,
				"status", sw.status, "duration", time.Since(start).String())
		}()
		w = sw
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		if h.otherMethod(r) {
			h.writeError(w, runtime.NewError(runtime.Unimplemented, "Method Not Allowed"))
		} else {
			h.writeError(w, runtime.NewError(runtime.NotFound, "Not Found"))
		}
		return
	}
	h.mux.ServeHTTP(w, r)
}

// RequestTrace returns the trace id a request brings (X-Trace-Id when
// valid, else the trace id of a W3C traceparent header), or a new one.
func RequestTrace(r *http.Request) string {
	if id := r.Header.Get(TraceHeader); runtime.ValidTraceID(id) {
		return id
	}
	if id := runtime.TraceIDFromTraceparent(r.Header.Get("Traceparent")); id != "" {
		return id
	}
	return runtime.NewTraceID()
}

// statusWriter records the status written, for the debug request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (h *Handler) otherMethod(r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := h.mux.Handler(probe); p != "" {
			return true
		}
	}
	return false
}

// A call is a REST endpoint: it returns the message to answer with.
type call func(r *http.Request) (proto.Message, error)

// serve runs c and writes its result or error.
func (h *Handler) serve(c call) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, err := c(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		WriteMessage(w, msg)
	})
}

// fail writes err, logging it when it is not one a client caused.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if code, _ := wire.Public(err); code == runtime.Internal {
		h.d.Logger.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, runtime.LogError, err)
	}
	h.writeError(w, err)
}

// writeError writes err as WriteError does and counts it by code.
func (h *Handler) writeError(w http.ResponseWriter, err error) {
	code, msg := wire.Public(err)
	h.d.Metrics.RESTError(code)
	writeJSON(w, wire.HTTPStatus(code), wire.ErrorJSON(code, msg))
}

// WriteMessage writes msg as JSON; nil is written as {}.
func WriteMessage(w http.ResponseWriter, msg proto.Message) {
	body := []byte("{}")
	if msg != nil {
		b, err := wire.MarshalJSON(msg)
		if err != nil {
			WriteError(w, err)
			return
		}
		body = b
	}
	writeJSON(w, http.StatusOK, body)
}

// WriteError writes err as Nakama's JSON error body.
func WriteError(w http.ResponseWriter, err error) {
	code, msg := wire.Public(err)
	writeJSON(w, wire.HTTPStatus(code), wire.ErrorJSON(code, msg))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store, no-cache, must-revalidate")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var errBodyTooLarge = runtime.NewError(runtime.InvalidArgument, "http: request body too large")

// ReadBody reads a request body of at most max bytes.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, runtime.NewError(runtime.InvalidArgument, "Error reading request body.")
	}
	if int64(len(b)) > max {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// decode reads the body into m; an empty body leaves m empty.
func (h *Handler) decode(r *http.Request, m proto.Message) error {
	b, err := ReadBody(r, h.d.MaxBodyBytes)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := wire.UnmarshalREST(b, m); err != nil {
		return runtime.NewError(runtime.InvalidArgument, err.Error())
	}
	return nil
}

// Errors of request authentication, with Nakama's messages.
var (
	errServerKeyRequired = runtime.ErrUnauthenticated.With("Server key required")
	errServerKeyInvalid  = runtime.ErrUnauthenticated.With("Server key invalid")
	errTokenRequired     = runtime.ErrUnauthenticated.With("Auth token required")
)

// basic requires HTTP Basic authentication with the server key as user.
func (h *Handler) basic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := CheckBasic(r, h.d.ServerKey); err != nil {
			h.writeError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CheckBasic checks that r carries HTTP Basic credentials whose user is key.
func CheckBasic(r *http.Request, key string) error {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return errServerKeyRequired
	}
	user, ok := basicUser(values[0])
	if !ok || user != key {
		return errServerKeyInvalid
	}
	return nil
}

func basicUser(header string) (string, bool) {
	const prefix = "Basic "
	if !strings.HasPrefix(header, prefix) {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(header[len(prefix):])
	if err != nil {
		return "", false
	}
	user, _, ok := strings.Cut(string(b), ":")
	return user, ok
}

type claimsKey struct{}

// bearer requires a valid session token and puts its claims in the context.
func (h *Handler) bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Bearer(r, h.d.Tokens)
		if err != nil {
			h.writeError(w, err)
			return
		}
		ctx := runtime.WithLogFields(context.WithValue(r.Context(), claimsKey{}, c), runtime.LogFields{UserID: c.UserID})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Bearer returns the claims of the request's Bearer session token.
func Bearer(r *http.Request, tokens *auth.Tokens) (auth.Claims, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return auth.Claims{}, errTokenRequired
	}
	const prefix = "Bearer "
	if len(values) > 1 || !strings.HasPrefix(values[0], prefix) {
		return auth.Claims{}, auth.ErrTokenInvalid
	}
	return tokens.Verify(values[0][len(prefix):])
}

// Caller returns the claims put in the context by bearer.
func Caller(ctx context.Context) auth.Claims {
	c, _ := ctx.Value(claimsKey{}).(auth.Claims)
	return c
}

// queryBool parses a boolean query parameter; def when absent.
func queryBool(r *http.Request, name string, def bool) (bool, error) {
	v, ok := r.URL.Query()[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return def, nil
	}
	switch strings.ToLower(v[0]) {
	case "1", "t", "true":
		return true, nil
	case "0", "f", "false":
		return false, nil
	}
	return def, runtime.Errorf(runtime.InvalidArgument, "Invalid %s value: %q.", name, v[0])
}
