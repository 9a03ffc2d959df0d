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
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// Set is one loaded, immutable set of modules and what they registered.
//
// A set is reference-counted. It holds one reference of its own while it
// serves calls: from the moment it becomes current until it has been
// replaced and its last running call (RPC, hook) has returned; it is then
// retired (its instances trimmed) and drops that reference. Each match
// created from it holds one more, until the match ends. The set closes its
// instances when the last reference goes.
type Set struct {
	// Version numbers the sets of a manager from 1, in the order they became
	// current; 0 is the empty set a manager starts with.
	Version int64
	// Files are the set's files, sorted by module name.
	Files []File
	// Loaded is when the set became current.
	Loaded time.Time

	instances  []Instance
	rpcs       map[string]RPCFunc
	matchmaker MatchmakerFunc
	shutdown   []ShutdownFunc

	m        *Manager
	refs     atomic.Int64 // holders: the set while it serves, and each match
	calls    atomic.Int64 // calls running; retiredBit once it serves no more
	replaced atomic.Bool  // no longer current
}

// retiredBit marks Set.calls once the set serves no more calls.
const retiredBit = int64(1) << 62

func (m *Manager) newSet(files []File) *Set {
	s := &Set{Files: files, rpcs: map[string]RPCFunc{}, m: m}
	s.refs.Store(1)
	return s
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

// MatchModules returns the names of the set's match modules, sorted, as
// far as its instances list them (module.MatchModules).
func (s *Set) MatchModules() []string {
	var names []string
	for _, inst := range s.instances {
		if mm, ok := inst.(MatchModules); ok {
			names = append(names, mm.MatchModules()...)
		}
	}
	sort.Strings(names)
	return names
}

// File returns the set's file at path.
func (s *Set) File(p string) (File, bool) {
	for _, f := range s.Files {
		if f.Path == p {
			return f, true
		}
	}
	return File{}, false
}

// policy returns the reload policy of match module name in s.
func (s *Set) policy(name string) Policy {
	for _, inst := range s.instances {
		if ps, ok := inst.(Policies); ok {
			if p, ok := ps.MatchPolicy(name); ok {
				return p
			}
		}
	}
	return PolicyKeep
}

// retire ends the set's service once it is replaced and no call runs: its
// instances are trimmed and its own reference dropped.
func (s *Set) retire() {
	if !s.calls.CompareAndSwap(0, retiredBit) {
		return // a call runs (it retires the set when it returns), or retired
	}
	for _, inst := range s.instances {
		if t, ok := inst.(Trimmer); ok {
			t.Trim()
		}
	}
	s.release()
}

// release drops a reference; the last closes the instances.
func (s *Set) release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	for _, inst := range s.instances {
		inst.Close()
	}
	if s.Version > 0 && s.m != nil {
		s.m.live.Add(-1)
		s.m.log.Debug("module set released", "version", s.Version)
	}
}

// discard closes a set that never became current.
func (s *Set) discard() {
	for _, inst := range s.instances {
		inst.Close()
	}
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

// Manager holds the current module set, routes calls to it, and loads new
// sets: from files (Load), or from its sources, the modules folder and the
// store of uploaded modules (Reload, Put, Delete).
type Manager struct {
	engines []Engine
	log     *slog.Logger
	cur     atomic.Pointer[Set]
	version atomic.Int64

	dir   string
	store runtime.ModuleStore

	// reloadMu serializes loads: two sets never load at once, and the
	// store changes in the order the sets switch.
	reloadMu sync.Mutex

	reloads, failures, migrations, migrationFailures, live atomic.Int64

	lastMu sync.Mutex
	last   ReloadStatus
}

// NewManager returns a manager with an empty set.
func NewManager(log *slog.Logger, engines ...Engine) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{engines: engines, log: log}
	m.cur.Store(m.newSet(nil))
	return m
}

// SetEngines sets the engines (wiring needs the manager before the engines).
func (m *Manager) SetEngines(engines ...Engine) { m.engines = engines }

// SetSources sets where Reload reads the modules: the modules folder dir
// and the store of uploaded modules (nil for none).
func (m *Manager) SetSources(dir string, store runtime.ModuleStore) {
	m.dir, m.store = dir, store
}

// Current returns the current set, for inspection: calls go through the
// manager's methods, which hold the set while they run.
func (m *Manager) Current() *Set { return m.cur.Load() }

// Generation implements match.Reloader: the current set's version.
func (m *Manager) Generation() int64 { return m.cur.Load().Version }

// Accepts reports whether an engine loads the file at path p.
func (m *Manager) Accepts(p string) bool { return m.engineFor(p) != nil }

// ReadDir reads the module files under dir that an engine accepts, sorted
// by module name. Hidden files and folders (a name starting with '.', as
// editors' lock and swap files) are skipped. A missing dir has no modules.
func (m *Manager) ReadDir(dir string) ([]File, error) {
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
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
		f := File{Name: Name(rel), Path: filepath.ToSlash(rel), Data: data, Source: SourceFolder}
		if info, err := d.Info(); err == nil {
			f.Updated = info.ModTime().UTC()
		}
		files = append(files, f)
		return nil
	})
	sortFiles(files)
	return files, err
}

func sortFiles(files []File) {
	sort.Slice(files, func(i, j int) bool {
		if files[i].Name != files[j].Name {
			return files[i].Name < files[j].Name
		}
		return files[i].Path < files[j].Path
	})
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
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	return m.switchTo(ctx, "load", files)
}

// Reload loads the modules folder and the uploaded modules as a new set and
// makes it current; trigger says why in the log ("start", "watch", "api").
// If any file fails, the current set stays and the error says which file
// and line.
func (m *Manager) Reload(ctx context.Context, trigger string) (*Set, error) {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	files, err := m.sourceFiles(ctx, "")
	if err != nil {
		m.failed(trigger, err)
		return nil, err
	}
	return m.switchTo(ctx, trigger, files)
}

// switchTo prepares files and commits them; the caller holds reloadMu.
func (m *Manager) switchTo(ctx context.Context, trigger string, files []File) (*Set, error) {
	s, err := m.prepare(ctx, files)
	if err != nil {
		m.failed(trigger, err)
		return nil, err
	}
	m.commit(s, trigger)
	return s, nil
}

// sourceFiles returns the modules folder's files with the uploaded ones
// over them (an uploaded file replaces a folder file of the same path),
// leaving out the uploaded file at skip.
func (m *Manager) sourceFiles(ctx context.Context, skip string) ([]File, error) {
	files := []File{}
	if m.dir != "" {
		var err error
		if files, err = m.ReadDir(m.dir); err != nil {
			return nil, fmt.Errorf("reading modules folder: %w", err)
		}
	}
	if m.store == nil {
		return files, nil
	}
	stored, err := m.store.ListModules(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("reading uploaded modules: %w", err)
	}
	for _, sm := range stored {
		if sm.Path == skip {
			continue
		}
		files = withFile(files, File{Name: Name(sm.Path), Path: sm.Path, Data: sm.Data,
			Source: SourceUploaded, Updated: sm.UpdateTime})
	}
	sortFiles(files)
	return files, nil
}

// withFile returns files with f in place of the file of its path, or added.
func withFile(files []File, f File) []File {
	for i := range files {
		if files[i].Path == f.Path {
			files[i] = f
			return files
		}
	}
	return append(files, f)
}

// prepare loads files completely, without making them current.
func (m *Manager) prepare(ctx context.Context, files []File) (*Set, error) {
	s := m.newSet(files)
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
			s.discard()
			return nil, err
		}
		s.instances = append(s.instances, inst)
	}
	return s, nil
}

// commit makes a prepared set current and retires the one it replaces.
func (m *Manager) commit(s *Set, trigger string) {
	s.Version = m.version.Add(1)
	s.Loaded = time.Now()
	m.live.Add(1)
	old := m.cur.Swap(s)
	old.replaced.Store(true)
	if old.calls.Load() == 0 {
		old.retire()
	}
	m.record(ReloadStatus{Time: s.Loaded, Trigger: trigger, Version: s.Version})
	attrs := []any{"files", len(s.Files), "rpcs", len(s.rpcs), "trigger", trigger}
	if old.Version == 0 {
		m.log.Info("modules loaded", append([]any{"version", s.Version}, attrs...)...)
		return
	}
	m.reloads.Add(1)
	m.log.Info("modules reloaded", append([]any{"old_version", old.Version, "new_version", s.Version}, attrs...)...)
}

// failed counts, records and logs a load that failed.
func (m *Manager) failed(trigger string, err error) {
	m.failures.Add(1)
	cur := m.cur.Load().Version
	st := ReloadStatus{Time: time.Now(), Trigger: trigger, Version: cur, Err: err}
	m.record(st)
	attrs := []any{"version", cur, "trigger", trigger, runtime.LogError, err.Error()}
	var le *LoadError
	if errors.As(err, &le) {
		attrs = append(attrs, "file", le.Path, "line", le.Line)
	}
	m.log.Error("modules failed to load; the previous version keeps serving", attrs...)
}

func (m *Manager) record(st ReloadStatus) {
	m.lastMu.Lock()
	m.last = st
	m.lastMu.Unlock()
}

// ReloadStatus is the outcome of the last load.
type ReloadStatus struct {
	Time    time.Time
	Trigger string
	// Version is the current set's version after the load.
	Version int64
	// Err is why the load failed (a *LoadError when a file is at fault),
	// nil when it succeeded.
	Err error
}

// LastReload returns the outcome of the last load; its Time is zero before
// any.
func (m *Manager) LastReload() ReloadStatus {
	m.lastMu.Lock()
	defer m.lastMu.Unlock()
	return m.last
}

// Stats are the manager's counters, for metrics.
type Stats struct {
	// Version is the current set's.
	Version int64
	// Reloads counts the sets that replaced another; Failures the loads
	// that failed (the previous set kept serving).
	Reloads, Failures int64
	// Migrations counts the matches moved to new code; MigrationFailures
	// those that kept their code because their state could not be handed
	// over.
	Migrations, MigrationFailures int64
	// LiveSets counts the sets not yet released: the current one and those
	// still running matches or calls.
	LiveSets int64
}

// Stats returns the manager's counters.
func (m *Manager) Stats() Stats {
	return Stats{
		Version: m.cur.Load().Version, Reloads: m.reloads.Load(), Failures: m.failures.Load(),
		Migrations: m.migrations.Load(), MigrationFailures: m.migrationFailures.Load(), LiveSets: m.live.Load(),
	}
}

// acquire returns the current set, held for one call until release: it is
// not retired while the call runs. A set retired between reading the
// pointer and holding it has been replaced, so the loop takes the new one.
func (m *Manager) acquire() *Set {
	for {
		s := m.cur.Load()
		n := s.calls.Load()
		if n&retiredBit != 0 {
			continue
		}
		if s.calls.CompareAndSwap(n, n+1) {
			return s
		}
	}
}

// release ends a call on s.
func (m *Manager) release(s *Set) {
	if s.calls.Add(-1) == 0 && s.replaced.Load() {
		s.retire()
	}
}

// CallRPC runs RPC id on the current set.
func (m *Manager) CallRPC(ctx context.Context, id string, c *runtime.CallContext, payload string) (string, error) {
	s := m.acquire()
	defer m.release(s)
	fn, ok := s.rpcs[strings.ToLower(id)]
	if !ok {
		return "", runtime.ErrFunctionNotFound
	}
	return fn(ctx, c, payload)
}

// MatchmakerHook returns the matchmaker hook, or nil when the current set
// has none. The hook runs on the set current when it is called.
func (m *Manager) MatchmakerHook() MatchmakerFunc {
	if m.cur.Load().matchmaker == nil {
		return nil
	}
	return m.callMatchmaker
}

func (m *Manager) callMatchmaker(ctx context.Context, c *runtime.CallContext, entries []any) (string, error) {
	s := m.acquire()
	defer m.release(s)
	if s.matchmaker == nil {
		return "", nil // removed by a reload meanwhile: a relayed match
	}
	return s.matchmaker(ctx, c, entries)
}

// NewHandler creates a match handler from the current set: it implements
// match.Factory. The handler holds the set until it is closed.
func (m *Manager) NewHandler(ctx context.Context, name string, env match.Env) (match.Handler, error) {
	s := m.acquire()
	defer m.release(s)
	for _, inst := range s.instances {
		h, err := inst.NewHandler(ctx, name, env)
		if errors.Is(err, match.ErrModuleNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.refs.Add(1)
		return &setHandler{Handler: h, set: s}, nil
	}
	return nil, match.ErrModuleNotFound
}

// setHandler is a match handler that holds its set until it is closed.
type setHandler struct {
	match.Handler
	set    *Set
	closed bool
}

var errNoSnapshot = errors.New("the running code cannot hand its state over (no snapshot)")

// Snapshot implements match.Snapshotter when the handler does.
func (h *setHandler) Snapshot(ctx context.Context, tick int64) (any, error) {
	sn, ok := h.Handler.(match.Snapshotter)
	if !ok {
		return nil, errNoSnapshot
	}
	return sn.Snapshot(ctx, tick)
}

// Close implements match.Handler: it closes the handler and releases the
// set.
func (h *setHandler) Close() {
	if h.closed {
		return
	}
	h.closed = true
	h.Handler.Close()
	h.set.release()
}

// Upgrade implements match.Reloader: it moves a match to the current set
// when that set's policy for the match's module is PolicyMigrate, and logs
// what it did.
func (m *Manager) Upgrade(ctx context.Context, h match.Handler, name string, env match.Env, tick int64) (match.Handler, error) {
	old, ok := h.(*setHandler)
	if !ok {
		return nil, nil
	}
	s := m.acquire()
	defer m.release(s)
	if s == old.set || s.policy(name) != PolicyMigrate {
		return nil, nil
	}
	fail := func(err error) (match.Handler, error) {
		m.migrationFailures.Add(1)
		m.log.Warn("match keeps its code: its state could not be handed to the new code",
			runtime.LogMatch, env.MatchID, runtime.LogModule, name, "version", old.set.Version,
			"new_version", s.Version, runtime.LogError, err.Error())
		return nil, err
	}
	snap, err := old.Snapshot(ctx, tick)
	if err != nil {
		return fail(err)
	}
	for _, inst := range s.instances {
		r, ok := inst.(match.Restorer)
		if !ok {
			continue
		}
		nh, err := r.Restore(ctx, name, env, tick, snap)
		if errors.Is(err, match.ErrModuleNotFound) {
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("restoring the state in the new code: %w", err))
		}
		s.refs.Add(1)
		m.migrations.Add(1)
		m.log.Info("match migrated to the new code", runtime.LogMatch, env.MatchID, runtime.LogModule, name,
			"old_version", old.set.Version, "new_version", s.Version, "tick", tick)
		return &setHandler{Handler: nh, set: s}, nil
	}
	return fail(errors.New("the new code has no match module of this name that restores a state"))
}

// RunShutdown runs the shutdown hooks with c, logging their errors.
func (m *Manager) RunShutdown(ctx context.Context, c *runtime.CallContext) {
	s := m.acquire()
	defer m.release(s)
	for _, fn := range s.shutdown {
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

// Close replaces the current set with an empty one: calls after Close find
// nothing. The replaced set closes once its running calls and matches end.
func (m *Manager) Close() {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	old := m.cur.Swap(m.newSet(nil))
	old.replaced.Store(true)
	if old.calls.Load() == 0 {
		old.retire()
	}
}
