// Package api is Arbiter's network edge: one HTTP handler serving Nakama's
// REST API (api/rest), the realtime socket (api/ws), the admin API
// (api/admin) and the operator's endpoints: /healthcheck (alive, Nakama's
// path), /readyz (ready to serve) and /metrics (Prometheus), with the wire
// codec and error mapping in api/wire. It decodes, calls the engine in
// runtime/ and encodes; it holds no game logic.
package api

import (
	"net/http"

	"github.com/arbiterhq/arbiter/api/rest"
)

// Deps are what the edge serves.
type Deps struct {
	REST *rest.Handler
	// WS serves the realtime socket at /ws.
	WS http.Handler
	// Ready reports whether the server can serve (store reachable, modules
	// loaded); nil means always.
	Ready func(r *http.Request) error
	// Admin serves the admin API at /admin/ (api/admin); nil serves none.
	Admin http.Handler
	// Metrics serves the Prometheus metrics at /metrics; nil serves none.
	Metrics http.Handler
}

// NewHandler returns the server's HTTP handler.
func NewHandler(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v2/", d.REST)
	if d.WS != nil {
		mux.Handle("GET /ws", d.WS)
	}
	mux.HandleFunc("GET /healthcheck", func(w http.ResponseWriter, _ *http.Request) {
		rest.WriteMessage(w, nil)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if d.Ready != nil {
			if err := d.Ready(r); err != nil {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(err.Error() + "\n"))
				return
			}
		}
		rest.WriteMessage(w, nil)
	})
	if d.Admin != nil {
		mux.Handle("/admin/", d.Admin)
	}
	if d.Metrics != nil {
		mux.Handle("GET /metrics", d.Metrics)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {})
	mux.Handle("/", d.REST) // unknown paths get Nakama's JSON 404
	return cors(mux)
}

// cors lets browser clients on any origin call the API, as Nakama does.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Header.Get("Origin") != "" {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, User-Agent")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}
