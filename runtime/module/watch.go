package module

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/arbiterhq/arbiter/runtime"
)

// DefaultDebounce is how long a watcher waits after the last change before
// it reloads: an editor's save (often several events: truncate, write,
// rename) and a `git checkout` of many files each make one reload.
const DefaultDebounce = 200 * time.Millisecond

// Watcher reloads a manager's modules when module files under its folder
// change. Create it with Manager.Watch; Close stops it.
type Watcher struct {
	m        *Manager
	dir      string
	debounce time.Duration
	fw       *fsnotify.Watcher

	ctx    context.Context // cancelled by Close: stops a reload under way
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// Watch watches dir and its subfolders (those created later too) and,
// debounce after the last change of a file an engine loads (created,
// written, removed or renamed; hidden files are ignored), reloads the
// modules as Reload does with trigger "watch". Reloads never overlap, with
// each other or with other loads. A debounce of 0 is DefaultDebounce. dir
// must exist.
func (m *Manager) Watch(dir string, debounce time.Duration) (*Watcher, error) {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("watching modules: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("watching modules: %s is not a folder", dir)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching modules: %w", err)
	}
	w := &Watcher{m: m, dir: dir, debounce: debounce, fw: fw, done: make(chan struct{})}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	if err := w.addTree(dir); err != nil {
		_ = fw.Close()
		return nil, fmt.Errorf("watching modules: %w", err)
	}
	go w.run()
	m.log.Info("watching modules for changes", "folder", dir, "debounce", debounce.String())
	return w, nil
}

// Close stops watching and waits for a reload under way (which it cancels).
func (w *Watcher) Close() {
	w.once.Do(func() {
		w.cancel()
		_ = w.fw.Close()
		<-w.done
	})
}

// addTree watches dir and its subfolders, hidden ones left out.
func (w *Watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && hidden(p) {
			return fs.SkipDir
		}
		return w.fw.Add(p)
	})
}

func hidden(p string) bool { return strings.HasPrefix(filepath.Base(p), ".") }

func (w *Watcher) run() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if w.relevant(ev) {
				timer.Reset(w.debounce)
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.m.log.Warn("watching modules", runtime.LogError, err.Error())
		case <-timer.C:
			if w.ctx.Err() != nil {
				return
			}
			_, _ = w.m.Reload(w.ctx, "watch") // Reload logs its outcome
		case <-w.ctx.Done():
			return
		}
	}
}

// relevant reports whether ev may change the modules; a new folder is
// watched from now on.
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || hidden(ev.Name) {
		return false
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
			if err := w.addTree(ev.Name); err != nil {
				w.m.log.Warn("watching a new modules folder", "folder", ev.Name, runtime.LogError, err.Error())
			}
			return true // it may already hold modules
		}
	}
	if w.m.Accepts(ev.Name) {
		return true
	}
	// A folder removed or renamed away takes its modules with it.
	return ev.Has(fsnotify.Remove|fsnotify.Rename) && filepath.Ext(ev.Name) == ""
}
