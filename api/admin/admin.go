// Package admin serves the admin API under /admin/: module upload, listing,
// download, deletion and reload, for operators and the `arbiter module`
// commands. It has credentials of its own (HTTP Basic with the configured
// admin user and password), separate from the server key and the players'
// sessions; with no credentials configured the whole API answers 404.
//
// Routes (JSON answers, errors as {"error": "...", "file": ..., "line": ...}):
//
//	GET    /admin/modules            the current set: version, files, last load
//	GET    /admin/modules/{path...}  download a file of the current set
//	PUT    /admin/modules/{path...}  upload a file (the body); 400 with file and
//	                                 line when the set does not load with it
//	DELETE /admin/modules/{path...}  delete an uploaded file and reload
//	POST   /admin/modules/reload     reload the folder and the uploaded files
package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// DefaultMaxModuleBytes bounds an uploaded module.
const DefaultMaxModuleBytes = 64 << 20

// Deps are what the admin API serves from.
type Deps struct {
	// User and Password are the admin credentials (HTTP Basic). When either
	// is empty the admin API is disabled: every path answers 404.
	User, Password string
	Modules        *module.Manager
	Logger         *slog.Logger
	// MaxModuleBytes bounds an upload; 0 is DefaultMaxModuleBytes.
	MaxModuleBytes int64
}

// Handler is the admin API.
type Handler struct {
	d        Deps
	mux      *http.ServeMux
	user     [32]byte
	password [32]byte
}

// New returns the admin API handler, to be mounted at /admin/.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxModuleBytes <= 0 {
		d.MaxModuleBytes = DefaultMaxModuleBytes
	}
	h := &Handler{d: d, mux: http.NewServeMux(),
		user: sha256.Sum256([]byte(d.User)), password: sha256.Sum256([]byte(d.Password))}
	h.mux.HandleFunc("GET /admin/modules", h.list)
	h.mux.HandleFunc("GET /admin/modules/{$}", h.list)
	h.mux.HandleFunc("POST /admin/modules/reload", h.reload)
	h.mux.HandleFunc("GET /admin/modules/{path...}", h.download)
	h.mux.HandleFunc("PUT /admin/modules/{path...}", h.upload)
	h.mux.HandleFunc("DELETE /admin/modules/{path...}", h.remove)
	return h
}

// Enabled reports whether admin credentials are configured.
func (h *Handler) Enabled() bool { return h.d.User != "" && h.d.Password != "" }

// ServeHTTP serves the admin API: 404 when disabled, 401 without the admin
// credentials.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.Enabled() {
		writeError(w, http.StatusNotFound, errors.New("not found (the admin API is disabled: set --admin-user and --admin-password)"))
		return
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="arbiter admin", charset="UTF-8"`)
		writeError(w, http.StatusUnauthorized, errors.New("admin credentials required"))
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		writeError(w, http.StatusNotFound, errors.New("not found"))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares the request's Basic credentials with the admin's in
// constant time (over hashes, so the lengths do not show either).
func (h *Handler) authorized(r *http.Request) bool {
	user, password, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(u[:], h.user[:])&subtle.ConstantTimeCompare(p[:], h.password[:]) == 1
}

// Module is one file of the current set, as listed.
type Module struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Hash    string    `json:"hash"`
	Updated time.Time `json:"updated,omitzero"`
	Source  string    `json:"source"`
}

// LastReload is the outcome of the last load.
type LastReload struct {
	Time    time.Time `json:"time"`
	Trigger string    `json:"trigger"`
	OK      bool      `json:"ok"`
	Version int64     `json:"version"`
	Error   string    `json:"error,omitempty"`
	File    string    `json:"file,omitempty"`
	Line    int       `json:"line,omitempty"`
}

// Listing is the answer of GET /admin/modules.
type Listing struct {
	Version    int64       `json:"version"`
	Modules    []Module    `json:"modules"`
	LastReload *LastReload `json:"last_reload,omitempty"`
}

// Result is the answer of an upload, a deletion or a reload.
type Result struct {
	Version int64  `json:"version"`
	Path    string `json:"path,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Hash    string `json:"hash,omitempty"`
}

// ErrorBody is the answer of a failed request.
type ErrorBody struct {
	Error string `json:"error"`
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
}

func (h *Handler) list(w http.ResponseWriter, _ *http.Request) {
	l := h.d.Modules.List()
	out := Listing{Version: l.Version, Modules: make([]Module, 0, len(l.Modules))}
	for _, m := range l.Modules {
		out.Modules = append(out.Modules, Module{Path: m.Path, Name: m.Name, Size: m.Size, Hash: m.Hash,
			Updated: m.Updated, Source: m.Source})
	}
	if !l.Last.Time.IsZero() {
		lr := &LastReload{Time: l.Last.Time, Trigger: l.Last.Trigger, OK: l.Last.Err == nil, Version: l.Last.Version}
		if l.Last.Err != nil {
			eb := errorBody(l.Last.Err)
			lr.Error, lr.File, lr.Line = eb.Error, eb.File, eb.Line
		}
		out.LastReload = lr
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	f, ok := h.d.Modules.Current().File(p)
	if !ok {
		writeError(w, http.StatusNotFound, errors.New("no module of the current set has the path "+strconv.Quote(p)))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("ETag", `"`+runtime.ModuleHash(f.Data)+`"`)
	hd.Set("X-Arbiter-Module-Source", f.Source)
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.d.MaxModuleBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, errors.New("module larger than "+strconv.FormatInt(h.d.MaxModuleBytes, 10)+" bytes"))
			return
		}
		writeError(w, http.StatusBadRequest, errors.New("reading the module: "+err.Error()))
		return
	}
	s, err := h.d.Modules.Put(r.Context(), p, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.d.Logger.Info("module uploaded", "path", p, "size", len(data), "version", s.Version)
	writeJSON(w, http.StatusOK, Result{Version: s.Version, Path: p, Size: int64(len(data)), Hash: runtime.ModuleHash(data)})
}

func (h *Handler) remove(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	s, err := h.d.Modules.Delete(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.d.Logger.Info("module deleted", "path", p, "version", s.Version)
	writeJSON(w, http.StatusOK, Result{Version: s.Version, Path: p})
}

func (h *Handler) reload(w http.ResponseWriter, r *http.Request) {
	s, err := h.d.Modules.Reload(r.Context(), "admin api")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Result{Version: s.Version})
}

// fail answers a failed operation: 400 for a module that does not load or
// a bad path (with the file and line), 404 for a missing upload, 500
// otherwise (logged).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var le *module.LoadError
	switch {
	case errors.As(err, &le), errors.Is(err, module.ErrBadPath):
		writeJSON(w, http.StatusBadRequest, errorBody(err))
	case errors.Is(err, runtime.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
	default:
		h.d.Logger.ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, runtime.LogError, err)
		writeError(w, http.StatusInternalServerError, err)
	}
}

// errorBody is err with the file and line of a load error.
func errorBody(err error) ErrorBody {
	b := ErrorBody{Error: err.Error()}
	var le *module.LoadError
	if errors.As(err, &le) {
		b.File, b.Line = le.Path, le.Line
	}
	return b
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, ErrorBody{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
