package module

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// Set is one loaded, immutable set of modules and what they registered.
type Set struct {
	Version   int64
	Files     []File
	instances []Instance

	rpcs       map[string]RPCFunc
	matchmaker MatchmakerFunc
	shutdown   []ShutdownFunc
}

// RPCs returns the ids of the registered RPCs, sorted.
func (s *Set) RPCs() []string {
	ids := make([]string, 0, len(s.rpcs))
	for id := range s.rpcs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// builder collects registrations while a set loads.
type builder struct {
	mu  sync.Mutex
	set *Set
}

func (b *builder) RPC(id string, fn RPCFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set.rpcs[strings.ToLower(id)] = fn
}

func (b *builder) MatchmakerMatched(fn MatchmakerFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set.matchmaker = fn
}

func (b *builder) Shutdown(fn ShutdownFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set.shutdown = []ShutdownFunc{fn} // the last registration wins, as in Nakama
}

// Manager holds the current module set and routes calls to it.
type Manager struct {
	engines []Engine
	log     *slog.Logger
	cur     atomic.Pointer[Set]
	version atomic.Int64
}

// NewManager returns a manager with an empty set.
func NewManager(log *slog.Logger, engines ...Engine) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{engines: engines, log: log}
	m.cur.Store(&Set{rpcs: map[string]RPCFunc{}})
	return m
}

// SetEngines sets the engines (wiring needs the manager before the engines).
func (m *Manager) SetEngines(engines ...Engine) { m.engines = engines }

// Current returns the current set.
func (m *Manager) Current() *Set { return m.cur.Load() }

// ReadDir reads the module files under dir that an engine accepts, sorted
// by module name. A missing dir has no modules.
func (m *Manager) ReadDir(dir string) ([]File, error) {
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || m.engineFor(p) == nil {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, File{Name: Name(rel), Path: filepath.ToSlash(rel), Data: data})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, err
}

// Name is the module name of a path: without extension, '.' for '/'.
func Name(p string) string {
	p = filepath.ToSlash(p)
	p = strings.TrimSuffix(p, path.Ext(p))
	return strings.ReplaceAll(p, "/", ".")
}

func (m *Manager) engineFor(p string) Engine {
	for _, e := range m.engines {
		if e.Accepts(p) {
			return e
		}
	}
	return nil
}

// Load loads files as a new set and makes it current. If any file fails,
// the current set stays and the error says which file and line.
func (m *Manager) Load(ctx context.Context, files []File) (*Set, error) {
	s := &Set{Version: m.version.Add(1), Files: files, rpcs: map[string]RPCFunc{}}
	b := &builder{set: s}
	byEngine := map[Engine][]File{}
	for _, f := range files {
		e := m.engineFor(f.Path)
		if e == nil {
			return nil, &LoadError{Path: f.Path, Err: errors.New("no engine loads this kind of file")}
		}
		byEngine[e] = append(byEngine[e], f)
	}
	for _, e := range m.engines {
		fs := byEngine[e]
		if len(fs) == 0 {
			continue
		}
		inst, err := e.Load(ctx, fs, b)
		if err != nil {
			for _, i := range s.instances {
				i.Close()
			}
			return nil, err
		}
		s.instances = append(s.instances, inst)
	}
	old := m.cur.Swap(s)
	m.log.Info("modules loaded", "version", s.Version, "previous", old.Version, "files", len(files), "rpcs", len(s.rpcs))
	return s, nil
}

// RPC returns the RPC registered under id (case-insensitive).
func (m *Manager) RPC(id string) (RPCFunc, bool) {
	fn, ok := m.cur.Load().rpcs[strings.ToLower(id)]
	return fn, ok
}

// CallRPC runs RPC id.
func (m *Manager) CallRPC(ctx context.Context, id string, c *runtime.CallContext, payload string) (string, error) {
	fn, ok := m.RPC(id)
	if !ok {
		return "", runtime.ErrFunctionNotFound
	}
	return fn(ctx, c, payload)
}

// MatchmakerHook returns the matchmaker hook, or nil.
func (m *Manager) MatchmakerHook() MatchmakerFunc { return m.cur.Load().matchmaker }

// NewHandler creates a match handler from the current set: it implements
// match.Factory.
func (m *Manager) NewHandler(ctx context.Context, name string, env match.Env) (match.Handler, error) {
	for _, inst := range m.cur.Load().instances {
		h, err := inst.NewHandler(ctx, name, env)
		if errors.Is(err, match.ErrModuleNotFound) {
			continue
		}
		return h, err
	}
	return nil, match.ErrModuleNotFound
}

// RunShutdown runs the shutdown hooks with c, logging their errors.
func (m *Manager) RunShutdown(ctx context.Context, c *runtime.CallContext) {
	for _, fn := range m.cur.Load().shutdown {
		if err := fn(ctx, c); err != nil {
			m.log.Error("shutdown hook failed", runtime.LogError, err)
		}
	}
}

// Describe returns a one-line summary of the current set.
func (m *Manager) Describe() string {
	s := m.cur.Load()
	return fmt.Sprintf("version %d: %d files, %d rpcs", s.Version, len(s.Files), len(s.rpcs))
}

// Close releases the instances of the current set. Calls after Close fail.
func (m *Manager) Close() {
	old := m.cur.Swap(&Set{rpcs: map[string]RPCFunc{}})
	for _, i := range old.instances {
		i.Close()
	}
}
