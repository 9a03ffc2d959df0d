package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/api/admin"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// modEngine loads ".mod" files; a line "fail MESSAGE" fails the load there.
type modEngine struct{}

func (modEngine) Name() string          { return "mod" }
func (modEngine) Accepts(p string) bool { return path.Ext(p) == ".mod" }
func (modEngine) Load(_ context.Context, files []module.File, _ module.Registrations) (module.Instance, error) {
	for _, f := range files {
		for n, line := range strings.Split(string(f.Data), "\n") {
			if msg, ok := strings.CutPrefix(line, "fail "); ok {
				return nil, &module.LoadError{Path: f.Path, Line: n + 1, Err: errors.New(msg)}
			}
		}
	}
	return instance{}, nil
}

type instance struct{}

func (instance) NewHandler(context.Context, string, match.Env) (match.Handler, error) {
	return nil, match.ErrModuleNotFound
}
func (instance) Close() {}

// memStore is an in-memory module store.
type memStore struct {
	mu sync.Mutex
	m  map[string]runtime.StoredModule
}

func (s *memStore) PutModule(_ context.Context, p string, data []byte) (runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := runtime.StoredModule{Path: p, Data: data, Size: int64(len(data)), Hash: runtime.ModuleHash(data), UpdateTime: time.Now()}
	s.m[p] = m
	return m, nil
}

func (s *memStore) GetModule(_ context.Context, p string) (runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.m[p]
	if !ok {
		return m, runtime.ErrNotFound
	}
	return m, nil
}

func (s *memStore) ListModules(context.Context, bool) ([]runtime.StoredModule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []runtime.StoredModule
	for _, m := range s.m {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (s *memStore) DeleteModule(_ context.Context, p string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[p]; !ok {
		return runtime.ErrNotFound
	}
	delete(s.m, p)
	return nil
}

type server struct {
	t   *testing.T
	url string
	dir string
	m   *module.Manager
}

func newServer(t *testing.T, user, password string) *server {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "folder.mod"), []byte("ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := module.NewManager(nil, modEngine{})
	m.SetSources(dir, &memStore{m: map[string]runtime.StoredModule{}})
	if _, err := m.Reload(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	h := admin.New(admin.Deps{User: user, Password: password, Modules: m, MaxModuleBytes: 1024})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &server{t: t, url: srv.URL, dir: dir, m: m}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %q is not JSON: %v", a.body, err)
	}
}

func (s *server) do(method, p string, body []byte, creds ...string) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+p, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if len(creds) == 2 {
		req.SetBasicAuth(creds[0], creds[1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

func TestDisabledWithoutCredentials(t *testing.T) {
	for _, creds := range [][2]string{{"", ""}, {"ops", ""}, {"", "secret"}} {
		s := newServer(t, creds[0], creds[1])
		for _, r := range []struct{ method, path string }{
			{"GET", "/admin/modules"}, {"PUT", "/admin/modules/x.mod"}, {"POST", "/admin/modules/reload"},
		} {
			if a := s.do(r.method, r.path, nil, "ops", "secret"); a.status != http.StatusNotFound {
				t.Fatalf("%v %s %s: status %d, want 404", creds, r.method, r.path, a.status)
			}
		}
	}
}

func TestCredentials(t *testing.T) {
	s := newServer(t, "ops", "secret")
	for _, creds := range [][]string{nil, {"ops", "wrong"}, {"wrong", "secret"}, {"ops", ""}, {"", ""}, {"ops", "secretX"}} {
		a := s.do("GET", "/admin/modules", nil, creds...)
		if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic ") {
			t.Fatalf("credentials %v: status %d, header %q; want 401 asking for Basic", creds, a.status, a.header.Get("WWW-Authenticate"))
		}
		if a = s.do("PUT", "/admin/modules/x.mod", []byte("ok"), creds...); a.status != http.StatusUnauthorized {
			t.Fatalf("upload with credentials %v: status %d", creds, a.status)
		}
	}
	if a := s.do("GET", "/admin/modules", nil, "ops", "secret"); a.status != http.StatusOK {
		t.Fatalf("right credentials: %d %s", a.status, a.body)
	}
	if a := s.do("GET", "/admin/nothing", nil, "ops", "secret"); a.status != http.StatusNotFound {
		t.Fatalf("unknown path: %d", a.status)
	}
}

func TestModules(t *testing.T) {
	s := newServer(t, "ops", "secret")
	as := []string{"ops", "secret"}

	// Upload.
	a := s.do("PUT", "/admin/modules/games/up.mod", []byte("ok uploaded\n"), as...)
	var res admin.Result
	a.json(t, &res)
	if a.status != http.StatusOK || res.Version != 2 || res.Path != "games/up.mod" || res.Size != 12 || res.Hash != runtime.ModuleHash([]byte("ok uploaded\n")) {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}

	// List.
	var l admin.Listing
	a = s.do("GET", "/admin/modules", nil, as...)
	a.json(t, &l)
	if l.Version != 2 || len(l.Modules) != 2 || l.LastReload == nil || !l.LastReload.OK {
		t.Fatalf("list: %s", a.body)
	}
	byPath := map[string]admin.Module{}
	for _, m := range l.Modules {
		byPath[m.Path] = m
	}
	if m := byPath["games/up.mod"]; m.Source != "uploaded" || m.Name != "games.up" || m.Size != 12 || m.Updated.IsZero() {
		t.Fatalf("uploaded module listed as %+v", m)
	}
	if m := byPath["folder.mod"]; m.Source != "folder" || m.Hash != runtime.ModuleHash([]byte("ok\n")) {
		t.Fatalf("folder module listed as %+v", m)
	}

	// Download.
	a = s.do("GET", "/admin/modules/games/up.mod", nil, as...)
	if a.status != http.StatusOK || string(a.body) != "ok uploaded\n" || a.header.Get("X-Arbiter-Module-Source") != "uploaded" ||
		a.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d %q %v", a.status, a.body, a.header)
	}
	if a = s.do("GET", "/admin/modules/none.mod", nil, as...); a.status != http.StatusNotFound {
		t.Fatalf("download of a missing module: %d", a.status)
	}

	// A module that does not load: 400 with file and line, nothing changes.
	a = s.do("PUT", "/admin/modules/bad.mod", []byte("ok\nfail syntax error near 'x'\n"), as...)
	var eb admin.ErrorBody
	a.json(t, &eb)
	if a.status != http.StatusBadRequest || eb.File != "bad.mod" || eb.Line != 2 || eb.Error != "bad.mod:2: syntax error near 'x'" {
		t.Fatalf("bad upload: %d %s", a.status, a.body)
	}
	if s.m.Current().Version != 2 {
		t.Fatal("a failed upload switched")
	}
	// Bad paths and sizes.
	for _, p := range []string{"/admin/modules/x.txt", "/admin/modules/.hidden.mod", "/admin/modules/a%5Cb.mod", "/admin/modules/a%2F..%2Fb.mod"} {
		if a = s.do("PUT", p, []byte("ok"), as...); a.status != http.StatusBadRequest {
			t.Fatalf("PUT %s: %d %s", p, a.status, a.body)
		}
	}
	if a = s.do("PUT", "/admin/modules/big.mod", bytes.Repeat([]byte("x"), 2000), as...); a.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", a.status)
	}

	// Delete.
	if a = s.do("DELETE", "/admin/modules/folder.mod", nil, as...); a.status != http.StatusNotFound {
		t.Fatalf("deleting a folder module: %d %s", a.status, a.body)
	}
	a = s.do("DELETE", "/admin/modules/games/up.mod", nil, as...)
	a.json(t, &res)
	if a.status != http.StatusOK || res.Version != 3 {
		t.Fatalf("delete: %d %s", a.status, a.body)
	}
	if _, ok := s.m.Current().File("games/up.mod"); ok {
		t.Fatal("the deleted module still serves")
	}

	// Reload: a broken folder file is reported and remembered.
	if err := os.WriteFile(filepath.Join(s.dir, "folder.mod"), []byte("\n\nfail boom"), 0o644); err != nil {
		t.Fatal(err)
	}
	a = s.do("POST", "/admin/modules/reload", nil, as...)
	a.json(t, &eb)
	if a.status != http.StatusBadRequest || eb.File != "folder.mod" || eb.Line != 3 {
		t.Fatalf("broken reload: %d %s", a.status, a.body)
	}
	a = s.do("GET", "/admin/modules", nil, as...)
	a.json(t, &l)
	if lr := l.LastReload; l.Version != 3 || lr == nil || lr.OK || lr.File != "folder.mod" || lr.Line != 3 || lr.Error != "folder.mod:3: boom" || lr.Trigger != "admin api" {
		t.Fatalf("list after a failed reload: %s", a.body)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "folder.mod"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	a = s.do("POST", "/admin/modules/reload", nil, as...)
	a.json(t, &res)
	if a.status != http.StatusOK || res.Version != 4 {
		t.Fatalf("reload: %d %s", a.status, a.body)
	}
}
