package module

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// MaxPathBytes bounds the path of an uploaded module.
const MaxPathBytes = 255

// Errors of uploads.
var (
	// ErrBadPath: an uploaded module's path is not a clean relative path of
	// a kind of file an engine loads.
	ErrBadPath = runtime.NewError(runtime.InvalidArgument, "invalid module path")
	// ErrNotUploaded: no uploaded module has that path (folder modules are
	// changed in the folder).
	ErrNotUploaded = runtime.ErrNotFound.With("no uploaded module has this path")
	// ErrNoStore: the manager has no store of uploaded modules.
	ErrNoStore = runtime.NewError(runtime.Unavailable, "modules cannot be uploaded: no module store")
)

// CheckPath checks the path of an uploaded module: relative, slash
// separated, clean (no "." or ".." elements, no empty ones), no hidden
// elements, at most MaxPathBytes, naming a kind of file an engine loads.
func (m *Manager) CheckPath(p string) error {
	bad := func(why string) error { return ErrBadPath.Withf("invalid module path %q: %s", p, why) }
	switch {
	case p == "":
		return bad("empty")
	case len(p) > MaxPathBytes:
		return bad(fmt.Sprintf("longer than %d bytes", MaxPathBytes))
	case strings.ContainsAny(p, "\\\x00"):
		return bad("backslash or NUL")
	case strings.HasPrefix(p, "/"):
		return bad("must be relative")
	case path.Clean(p) != p:
		return bad("must be clean (no '.', '..' or empty elements)")
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." || strings.HasPrefix(el, ".") {
			return bad("no element may start with '.'")
		}
	}
	if !m.Accepts(p) {
		return bad("not a kind of file any engine loads (.lua, .wasm)")
	}
	return nil
}

// Put uploads a module file: it loads the folder and the uploaded modules
// with data at p (replacing any file of that path) and, only when that set
// loads, stores the file and makes the set current. A load error is a
// *LoadError; nothing changes then.
func (m *Manager) Put(ctx context.Context, p string, data []byte) (*Set, error) {
	if err := m.CheckPath(p); err != nil {
		return nil, err
	}
	if m.store == nil {
		return nil, ErrNoStore
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	files, err := m.sourceFiles(ctx, "")
	if err != nil {
		m.failed("upload", err)
		return nil, err
	}
	f := File{Name: Name(p), Path: p, Data: data, Source: SourceUploaded, Updated: time.Now().UTC()}
	files = withFile(files, f)
	sortFiles(files)
	s, err := m.prepare(ctx, files)
	if err != nil {
		m.failed("upload", err)
		return nil, err
	}
	stored, err := m.store.PutModule(ctx, p, data)
	if err != nil {
		s.discard()
		return nil, fmt.Errorf("storing module %s: %w", p, err)
	}
	for i := range s.Files {
		if s.Files[i].Path == p {
			s.Files[i].Updated = stored.UpdateTime
		}
	}
	m.commit(s, "upload "+p)
	return s, nil
}

// Delete removes an uploaded module: it loads the set without it (a folder
// file of the same path comes back) and, only when that set loads, deletes
// the file from the store and makes the set current. ErrNotUploaded when no
// uploaded module has that path.
func (m *Manager) Delete(ctx context.Context, p string) (*Set, error) {
	if m.store == nil {
		return nil, ErrNoStore
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if _, err := m.store.GetModule(ctx, p); err != nil {
		if errors.Is(err, runtime.ErrNotFound) {
			return nil, fmt.Errorf("%w: %q", ErrNotUploaded, p)
		}
		return nil, err
	}
	files, err := m.sourceFiles(ctx, p)
	if err != nil {
		m.failed("delete", err)
		return nil, err
	}
	s, err := m.prepare(ctx, files)
	if err != nil {
		m.failed("delete", err)
		return nil, err
	}
	if err := m.store.DeleteModule(ctx, p); err != nil {
		s.discard()
		return nil, fmt.Errorf("deleting module %s: %w", p, err)
	}
	m.commit(s, "delete "+p)
	return s, nil
}

// ModuleInfo describes one file of the current set.
type ModuleInfo struct {
	Path    string
	Name    string
	Size    int64
	Hash    string // hex SHA-256
	Updated time.Time
	Source  string // SourceFolder or SourceUploaded
}

// Listing is the current set's files and the outcome of the last load.
type Listing struct {
	Version int64
	Modules []ModuleInfo
	Last    ReloadStatus
}

// List describes the current set.
func (m *Manager) List() Listing {
	s := m.cur.Load()
	l := Listing{Version: s.Version, Modules: make([]ModuleInfo, 0, len(s.Files)), Last: m.LastReload()}
	for _, f := range s.Files {
		l.Modules = append(l.Modules, ModuleInfo{Path: f.Path, Name: f.Name, Size: int64(len(f.Data)),
			Hash: runtime.ModuleHash(f.Data), Updated: f.Updated, Source: f.Source})
	}
	return l
}
