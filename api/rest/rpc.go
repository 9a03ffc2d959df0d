package rest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
)

// RPCCaller runs module RPCs; runtime/module.Manager is one.
type RPCCaller interface {
	CallRPC(ctx context.Context, id string, c *runtime.CallContext, payload string) (string, error)
}

// Errors of the RPC endpoint, with Nakama's messages.
var (
	errRPCID         = runtime.NewError(runtime.InvalidArgument, "RPC ID must be set")
	errHTTPKey       = runtime.ErrUnauthenticated.With("HTTP key invalid")
	errRPCAuth       = runtime.ErrUnauthenticated.With("Auth token or HTTP key required")
	errPayloadString = runtime.NewError(runtime.InvalidArgument, "json: cannot unmarshal payload, the body must be a JSON string")
)

func (h *Handler) routeRPC() {
	if h.d.RPC == nil {
		return
	}
	h.mux.HandleFunc("GET /v2/rpc/{id}", h.rpc)
	h.mux.HandleFunc("POST /v2/rpc/{id}", h.rpc)
	// An empty id gets Nakama's message, not a 404.
	h.mux.HandleFunc("GET /v2/rpc/{$}", h.rpc)
	h.mux.HandleFunc("POST /v2/rpc/{$}", h.rpc)
}

// rpc serves /v2/rpc/{id} as Nakama does: authenticated by the http_key
// query parameter, HTTP Basic with the HTTP key, or a session token; the
// POST body is a JSON string holding the payload, or (with ?unwrap) the
// payload itself; the answer is {"payload": ...} or, with unwrap, the bare
// result.
func (h *Handler) rpc(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	if id == "" {
		h.writeError(w, errRPCID)
		return
	}
	cctx, err := h.rpcContext(r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	_, unwrap := r.URL.Query()["unwrap"]
	payload, err := h.rpcPayload(r, unwrap)
	if err != nil {
		h.writeError(w, err)
		return
	}
	out, err := h.d.RPC.CallRPC(r.Context(), id, cctx, payload)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if unwrap {
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "text/plain"
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write([]byte(out))
		return
	}
	body, _ := json.Marshal(struct {
		Payload string `json:"payload,omitempty"`
	}{out})
	writeJSON(w, http.StatusOK, body)
}

func (h *Handler) rpcPayload(r *http.Request, unwrap bool) (string, error) {
	if r.Method == http.MethodGet {
		return r.URL.Query().Get("payload"), nil
	}
	b, err := ReadBody(r, h.d.MaxBodyBytes)
	if err != nil {
		return "", err
	}
	if unwrap || len(strings.TrimSpace(string(b))) == 0 {
		return string(b), nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", errPayloadString
	}
	return s, nil
}

// rpcContext authenticates an RPC request and builds its callback context.
func (h *Handler) rpcContext(r *http.Request) (*runtime.CallContext, error) {
	q := r.URL.Query()
	c := &runtime.CallContext{
		Env: h.d.Env, ExecutionMode: runtime.ModeRPC, Node: h.d.Node, Version: h.d.Version,
		Headers: map[string][]string{}, QueryParams: map[string][]string{},
		TraceID: runtime.TraceIDOf(r.Context()),
	}
	for k, v := range r.Header {
		if k != "Authorization" {
			c.Headers[k] = v
		}
	}
	for k, v := range q {
		if k != "http_key" {
			c.QueryParams[k] = v
		}
	}
	c.ClientIP, c.ClientPort, _ = net.SplitHostPort(r.RemoteAddr)
	if key, ok := q["http_key"]; ok {
		if len(key) != 1 || key[0] != h.d.HTTPKey {
			return nil, errHTTPKey
		}
		return c, nil
	}
	hd := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(hd, "Basic "):
		if user, ok := basicUser(hd); !ok || user != h.d.HTTPKey {
			return nil, errHTTPKey
		}
	case strings.HasPrefix(hd, "Bearer "):
		claims, err := h.d.Tokens.Verify(hd[len("Bearer "):])
		if err != nil {
			return nil, auth.ErrTokenInvalid
		}
		c.UserID, c.Username, c.Vars, c.UserSessionExp = claims.UserID, claims.Username, claims.Vars, claims.ExpiresAt
	default:
		return nil, errRPCAuth
	}
	return c, nil
}
