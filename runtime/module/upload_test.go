package module

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// writeFile writes a file under dir, making its folders.
func writeFile(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sourcedManager(t *testing.T) (*Manager, string, *memStore) {
	t.Helper()
	m, _ := newManager(t)
	dir := t.TempDir()
	store := newMemStore()
	m.SetSources(dir, store)
	return m, dir, store
}

func TestReloadFolderAndUploads(t *testing.T) {
	ctx := context.Background()
	m, dir, store := sourcedManager(t)
	writeFile(t, dir, "a.fake", "rpc a folder")
	writeFile(t, dir, "games/b.fake", "rpc b folder")
	writeFile(t, dir, ".#a.fake", "fail editor lock file") // hidden: skipped
	writeFile(t, dir, ".git/x.fake", "fail hidden folder")
	writeFile(t, dir, "notes.txt", "not a module")
	if _, err := store.PutModule(ctx, "a.fake", []byte("rpc a uploaded")); err != nil {
		t.Fatal(err)
	}
	s, err := m.Reload(ctx, "start")
	if err != nil {
		t.Fatal(err)
	}
	if call(t, m, "a") != "uploaded" || call(t, m, "b") != "folder" {
		t.Fatal("the uploaded module does not replace the folder's")
	}
	var got []string
	for _, f := range s.Files {
		got = append(got, f.Path+"="+f.Source)
	}
	if strings.Join(got, " ") != "a.fake=uploaded games/b.fake=folder" {
		t.Fatalf("files %v", got)
	}
	l := m.List()
	if l.Version != 1 || len(l.Modules) != 2 || l.Modules[1].Name != "games.b" || l.Modules[1].Hash != runtime.ModuleHash([]byte("rpc b folder")) ||
		l.Modules[1].Updated.IsZero() || l.Last.Trigger != "start" {
		t.Fatalf("listing %+v", l)
	}
}

func TestPut(t *testing.T) {
	ctx := context.Background()
	m, dir, store := sourcedManager(t)
	writeFile(t, dir, "a.fake", "rpc a folder")
	if _, err := m.Reload(ctx, "start"); err != nil {
		t.Fatal(err)
	}
	// A module that does not load is neither stored nor switched to.
	_, err := m.Put(ctx, "b.fake", []byte("rpc b one\nfail broken"))
	var le *LoadError
	if !errors.As(err, &le) || le.Path != "b.fake" || le.Line != 2 {
		t.Fatalf("bad upload: %v", err)
	}
	if _, err := store.GetModule(ctx, "b.fake"); !errors.Is(err, runtime.ErrNotFound) {
		t.Fatal("a module that does not load was stored")
	}
	if m.Current().Version != 1 {
		t.Fatal("a failed upload switched")
	}
	// A good one is stored and serves.
	s, err := m.Put(ctx, "b.fake", []byte("rpc b one"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || call(t, m, "b") != "one" {
		t.Fatalf("after upload: version %d", s.Version)
	}
	if sm, err := store.GetModule(ctx, "b.fake"); err != nil || string(sm.Data) != "rpc b one" {
		t.Fatalf("stored %+v %v", sm, err)
	}
	f, _ := s.File("b.fake")
	if f.Source != SourceUploaded || f.Updated.IsZero() {
		t.Fatalf("file %+v", f)
	}
	// Uploading over a folder module replaces it.
	if _, err := m.Put(ctx, "a.fake", []byte("rpc a uploaded")); err != nil || call(t, m, "a") != "uploaded" {
		t.Fatalf("replacing a folder module: %v", err)
	}
	// A store that fails leaves everything as it was.
	store.fail = errors.New("disk full")
	if _, err := m.Put(ctx, "c.fake", []byte("rpc c x")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failing store: %v", err)
	}
	store.fail = nil
	if m.Current().Version != 3 {
		t.Fatalf("version %d after a failed store, want 3", m.Current().Version)
	}
	if _, err := m.CallRPC(ctx, "c", nil, ""); !errors.Is(err, runtime.ErrFunctionNotFound) {
		t.Fatal("a module the store refused serves")
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	m, dir, _ := sourcedManager(t)
	writeFile(t, dir, "a.fake", "rpc a folder")
	if _, err := m.Reload(ctx, "start"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Put(ctx, "a.fake", []byte("rpc a uploaded")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Delete(ctx, "nope.fake"); !errors.Is(err, ErrNotUploaded) || !errors.Is(err, runtime.ErrNotFound) {
		t.Fatalf("deleting a module never uploaded: %v", err)
	}
	s, err := m.Delete(ctx, "a.fake")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 3 || call(t, m, "a") != "folder" {
		t.Fatal("the folder module did not come back")
	}
	if _, err := m.Delete(ctx, "a.fake"); !errors.Is(err, ErrNotUploaded) {
		t.Fatalf("deleting a folder module: %v", err)
	}
}

func TestCheckPath(t *testing.T) {
	m, _ := newManager(t)
	for _, p := range []string{"a.fake", "games/chess.fake", "a-b_c.1.fake"} {
		if err := m.CheckPath(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	for _, p := range []string{"", "/a.fake", "../a.fake", "a/../b.fake", "./a.fake", "a//b.fake", "a\\b.fake",
		".hidden.fake", "d/.x/a.fake", "a.txt", "a", strings.Repeat("x", 300) + ".fake", "a\x00.fake"} {
		if err := m.CheckPath(p); !errors.Is(err, ErrBadPath) {
			t.Errorf("%q: %v, want ErrBadPath", p, err)
		}
	}
	if _, err := m.Put(context.Background(), "../x.fake", nil); !errors.Is(err, ErrBadPath) {
		t.Fatalf("Put with a bad path: %v", err)
	}
	// Without a store nothing can be uploaded.
	if _, err := m.Put(context.Background(), "x.fake", nil); !errors.Is(err, ErrNoStore) {
		t.Fatalf("Put without store: %v", err)
	}
}

func TestWatchDebounces(t *testing.T) {
	m, dir, _ := sourcedManager(t)
	writeFile(t, dir, "a.fake", "rpc v 0")
	if _, err := m.Reload(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	w, err := m.Watch(dir, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// Ten writes 20 ms apart: one reload, 150 ms after the last.
	for i := 1; i <= 10; i++ {
		writeFile(t, dir, "a.fake", "rpc v "+string(rune('0'+i%10)))
		time.Sleep(20 * time.Millisecond)
	}
	last := time.Now()
	eventually(t, "the reload", func() bool { return m.Stats().Reloads == 1 })
	if d := time.Since(last); d > time.Second {
		t.Fatalf("reloaded %s after the last write", d)
	}
	time.Sleep(400 * time.Millisecond)
	if n := m.Stats().Reloads; n != 1 {
		t.Fatalf("%d reloads for one burst of writes, want 1", n)
	}
	if call(t, m, "v") != "0" { // the last write was 10 % 10
		t.Fatalf("answer %q after the burst", call(t, m, "v"))
	}

	// Files that are not modules, and hidden ones, change nothing.
	writeFile(t, dir, "notes.txt", "x")
	writeFile(t, dir, ".a.fake.swp", "x")
	time.Sleep(400 * time.Millisecond)
	if n := m.Stats().Reloads; n != 1 {
		t.Fatalf("%d reloads after unrelated files, want 1", n)
	}

	// A new folder is watched, and its modules load.
	writeFile(t, dir, "games/b.fake", "rpc b new")
	eventually(t, "the new folder's module", func() bool {
		out, err := m.CallRPC(context.Background(), "b", nil, "")
		return err == nil && out == "new"
	})
	before := m.Stats().Reloads
	writeFile(t, dir, "games/b.fake", "rpc b changed")
	eventually(t, "a change in the new folder", func() bool {
		out, _ := m.CallRPC(context.Background(), "b", nil, "")
		return out == "changed"
	})

	// A broken file keeps the previous version and records the error.
	writeFile(t, dir, "games/b.fake", "rpc b broken\nfail syntax")
	eventually(t, "the failed reload", func() bool { return m.Stats().Failures == 1 })
	var le *LoadError
	if last := m.LastReload(); !errors.As(last.Err, &le) || le.Path != "games/b.fake" || le.Line != 2 || last.Trigger != "watch" {
		t.Fatalf("last reload %+v", last)
	}
	if out, _ := m.CallRPC(context.Background(), "b", nil, ""); out != "changed" {
		t.Fatalf("after a broken file the answer is %q", out)
	}

	// Removing the folder removes its modules.
	if err := os.RemoveAll(filepath.Join(dir, "games")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed folder's module to go", func() bool {
		_, err := m.CallRPC(context.Background(), "b", nil, "")
		return errors.Is(err, runtime.ErrFunctionNotFound)
	})
	if m.Stats().Reloads <= before {
		t.Fatal("no reload counted")
	}
	w.Close()
	w.Close() // harmless
}

func TestWatchMissingFolder(t *testing.T) {
	m, _ := newManager(t)
	if _, err := m.Watch(filepath.Join(t.TempDir(), "none"), 0); err == nil {
		t.Fatal("watching a missing folder succeeded")
	}
}
