package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// The modules of the hot reload test. ver.lua is "the RPC's file": it
// serves RPC "version" and holds the version the match modules report.
// keeper.lua and mover.lua count their ticks and answer a signal with
// "<version>:<ticks>"; mover's matches migrate on reload, keeper's keep
// their code. probe.lua creates and signals matches.
const (
	verSource = `local nk = require("nakama")
local M = {version = "%s"}
nk.register_rpc(function(context, payload) return M.version end, "version")
return M
`
	counterSource = `local ver = require("ver")
local M = {%s}
function M.match_init(context, params) return {ticks = 0}, 10, "" end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata) return state, true end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages)
  state.ticks = state.ticks + 1
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds) return nil end
function M.match_signal(context, dispatcher, tick, state, data) return state, ver.version .. ":" .. state.ticks end
return M
`
	probeSource = `local nk = require("nakama")
nk.register_rpc(function(context, payload) return nk.match_create(payload, {}) end, "create")
nk.register_rpc(function(context, payload) return nk.match_signal(payload, "") end, "signal")
`
)

const (
	adminUser     = "ops"
	adminPassword = "e2e-admin-secret"
)

// reloadServer starts a SQLite server (so the modules folder is watched)
// with the admin API, on a modules folder of the test's own.
func reloadServer(t *testing.T, modules string, opts serverOptions) *server {
	t.Helper()
	opts.Config = func(c *app.Config) {
		c.Modules = modules
		c.AdminUser, c.AdminPassword = adminUser, adminPassword
		c.Match.CallBudget = 2 * time.Second // the race detector slows callbacks down
	}
	return startServer(t, opts)
}

func writeText(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// httpClient is shared by the test's clients, with enough idle connections
// for all of them.
var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}

// callRPC calls RPC id with payload as a server-to-server call (http_key,
// unwrapped payload) and returns the answer.
func callRPC(s *server, id, payload string) (string, error) {
	u := s.URL + "/v2/rpc/" + id + "?unwrap&http_key=" + url.QueryEscape(s.Config.HTTPKey)
	res, err := httpClient.Post(u, "text/plain", strings.NewReader(payload))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("rpc %s: status %d: %s", id, res.StatusCode, b)
	}
	return string(b), nil
}

func mustRPC(t *testing.T, s *server, id, payload string) string {
	t.Helper()
	out, err := callRPC(s, id, payload)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signal returns the version and tick count a match reports.
func signal(t *testing.T, s *server, matchID string) (string, int) {
	t.Helper()
	out := mustRPC(t, s, "signal", matchID)
	v, n, ok := strings.Cut(out, ":")
	ticks, err := strconv.Atoi(n)
	if !ok || err != nil {
		t.Fatalf("match %s answers %q", matchID, out)
	}
	return v, ticks
}

// adminDo calls the admin API with the given credentials (none when user is
// "") and decodes the JSON answer into out when it is not nil.
func adminDo(t *testing.T, s *server, method, path string, body []byte, user, password string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: answer %q: %v", method, path, raw, err)
		}
	}
	return res.StatusCode
}

// listing is the admin API's answer to GET /admin/modules.
type listing struct {
	Version int64 `json:"version"`
	Modules []struct {
		Path   string `json:"path"`
		Source string `json:"source"`
		Size   int64  `json:"size"`
		Hash   string `json:"hash"`
	} `json:"modules"`
	LastReload *struct {
		OK      bool   `json:"ok"`
		Trigger string `json:"trigger"`
		Error   string `json:"error"`
		File    string `json:"file"`
		Line    int    `json:"line"`
		Version int64  `json:"version"`
	} `json:"last_reload"`
}

func list(t *testing.T, s *server) listing {
	t.Helper()
	var l listing
	if code := adminDo(t, s, "GET", "/admin/modules", nil, adminUser, adminPassword, &l); code != http.StatusOK {
		t.Fatalf("list: status %d", code)
	}
	return l
}

// answer is one RPC call of a client.
type answer struct {
	start, end time.Time
	version    string
	err        error
}

// TestHotReload is the end-to-end test of hot reload: 50 clients call an
// RPC in a loop and 20 matches tick while the RPC's file is rewritten five
// times. No call fails; each new version answers within a second of its
// write; the 19 "keep" matches go on ticking on the first version; the
// "migrate" match follows every version and keeps counting from its state.
// Then broken files (a syntax error, failing top-level code, a WASM file
// that does not validate) leave the last good version serving, and the
// error, with its file and line, is logged and reported by the admin API.
func TestHotReload(t *testing.T) {
	dir := t.TempDir()
	writeText(t, dir, "ver.lua", fmt.Sprintf(verSource, "v1"))
	writeText(t, dir, "keeper.lua", fmt.Sprintf(counterSource, ""))
	writeText(t, dir, "mover.lua", fmt.Sprintf(counterSource, `reload = "migrate"`))
	writeText(t, dir, "probe.lua", probeSource)
	s := reloadServer(t, dir, serverOptions{})

	// 19 matches keep their code, 1 migrates.
	var keepers []string
	for range 19 {
		keepers = append(keepers, mustRPC(t, s, "create", "keeper"))
	}
	mover := mustRPC(t, s, "create", "mover")

	// 50 clients call "version" in a loop.
	const clients = 50
	var stop atomic.Bool
	var wg sync.WaitGroup
	answers := make([][]answer, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				a := answer{start: time.Now()}
				a.version, a.err = callRPC(s, "version", "")
				a.end = time.Now()
				answers[c] = append(answers[c], a)
			}
		}()
	}
	stopClients := func() {
		if !stop.Swap(true) {
			wg.Wait()
		}
	}
	t.Cleanup(stopClients)

	time.Sleep(500 * time.Millisecond)
	keeperTicks := make([]int, len(keepers))
	for i, id := range keepers {
		v, n := signal(t, s, id)
		if v != "v1" {
			t.Fatalf("keeper %d answers version %s before any reload", i, v)
		}
		keeperTicks[i] = n
	}
	_, moverTicks := signal(t, s, mover)

	// Five rewrites of the RPC's file.
	writes := make([]time.Time, 0, 5)
	for k := 2; k <= 6; k++ {
		version := "v" + strconv.Itoa(k)
		writeText(t, dir, "ver.lua", fmt.Sprintf(verSource, version))
		writes = append(writes, time.Now())
		time.Sleep(1500 * time.Millisecond)
		v, n := signal(t, s, mover)
		if v != version || n < moverTicks {
			t.Fatalf("after writing %s the migrate match answers %s:%d, want %s with at least %d ticks (its state carried over)",
				version, v, n, version, moverTicks)
		}
		moverTicks = n
	}
	stopClients()

	// No call failed; each client's answers never went back; every call
	// that started a second after a write (and before the next) saw it.
	total := 0
	firstSeen := make([]time.Time, len(writes))
	for c, as := range answers {
		last := 1
		for _, a := range as {
			total++
			if a.err != nil {
				t.Fatalf("client %d: call at %s failed: %v", c, a.start.Format(time.StampMilli), a.err)
			}
			n, err := strconv.Atoi(strings.TrimPrefix(a.version, "v"))
			if err != nil || n < 1 || n > 6 {
				t.Fatalf("client %d: answer %q", c, a.version)
			}
			if n < last {
				t.Fatalf("client %d: answer went back from v%d to v%d", c, last, n)
			}
			last = n
			if n >= 2 && (firstSeen[n-2].IsZero() || a.end.Before(firstSeen[n-2])) {
				firstSeen[n-2] = a.end
			}
			for k, w := range writes {
				next := time.Now()
				if k+1 < len(writes) {
					next = writes[k+1]
				}
				if a.start.After(w.Add(time.Second)) && a.start.Before(next) && n != k+2 {
					t.Fatalf("client %d: a call started %s after writing v%d answered v%d", c, a.start.Sub(w), k+2, n)
				}
			}
		}
	}
	for k, w := range writes {
		if firstSeen[k].IsZero() {
			t.Fatalf("no call answered v%d", k+2)
		}
		latency := firstSeen[k].Sub(w)
		t.Logf("v%d answered %s after its write", k+2, latency.Round(time.Millisecond))
		if latency > time.Second {
			t.Fatalf("v%d answered %s after its write, want within a second", k+2, latency)
		}
	}
	t.Logf("%d calls by %d clients, none failed", total, clients)

	// The keep matches kept ticking on the first version.
	for i, id := range keepers {
		v, n := signal(t, s, id)
		if v != "v1" || n <= keeperTicks[i] {
			t.Fatalf("keeper %d answers %s:%d, want v1 with more than %d ticks", i, v, n, keeperTicks[i])
		}
	}
	logs := s.logs.String()
	for k := 2; k <= 6; k++ {
		if want := fmt.Sprintf(`msg="modules reloaded" old_version=%d new_version=%d`, k-1, k); !strings.Contains(logs, want) {
			t.Fatalf("the log lacks %s", want)
		}
	}
	if n := strings.Count(logs, `msg="match migrated to the new code"`); n != 5 {
		t.Fatalf("the log shows %d migrations, want 5", n)
	}

	// Broken files keep v6 serving; the error names the file and line.
	broken := []struct {
		name, file, text string
		line             int
		message          string
	}{
		// The Lua files load before the WASM ones, so the WASM file comes
		// first: the Lua errors then show over it.
		{"invalid wasm", "bad.wasm", "\x00asm\x01\x00\x00\x00\xff\xff", 0, "bad.wasm:"},
		{"syntax error", "ver.lua", "local nk = require(\"nakama\")\nlocal M = {version = \"v7\"\nreturn M\n", 3, "ver.lua:3:"},
		{"failing top-level code", "ver.lua", "local nk = require(\"nakama\")\nerror(\"cannot start\")\nreturn {}\n", 2, "cannot start"},
	}
	for _, b := range broken {
		writeText(t, dir, b.file, b.text)
		deadline := time.Now().Add(5 * time.Second)
		var l listing
		for {
			l = list(t, s)
			if l.LastReload != nil && !l.LastReload.OK && strings.Contains(l.LastReload.Error, b.message) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no failed reload reported: %+v", b.name, l.LastReload)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("%s: reported %q", b.name, l.LastReload.Error)
		if lr := l.LastReload; lr.File != b.file || lr.Line != b.line || lr.Version != 6 || lr.Trigger != "watch" || l.Version != 6 {
			t.Fatalf("%s: reported %+v (version %d), want %s line %d with version 6 serving", b.name, lr, l.Version, b.file, b.line)
		}
		if v := mustRPC(t, s, "version", ""); v != "v6" {
			t.Fatalf("%s: the RPC answers %s, want v6", b.name, v)
		}
		// The failure is logged just after it is recorded: poll the log.
		logged := func() bool {
			for _, line := range strings.Split(s.logs.String(), "\n") {
				if strings.Contains(line, `msg="modules failed to load; the previous version keeps serving" version=6 trigger=watch`) &&
					strings.Contains(line, fmt.Sprintf("file=%s line=%d", b.file, b.line)) {
					return true
				}
			}
			return false
		}
		for deadline := time.Now().Add(5 * time.Second); !logged(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the log lacks the failure with file=%s line=%d", b.name, b.file, b.line)
			}
		}
		// The admin API's reload reports it too.
		var eb struct {
			Error string `json:"error"`
			File  string `json:"file"`
			Line  int    `json:"line"`
		}
		if code := adminDo(t, s, "POST", "/admin/modules/reload", nil, adminUser, adminPassword, &eb); code != http.StatusBadRequest ||
			eb.File != b.file || eb.Line != b.line || !strings.Contains(eb.Error, b.message) {
			t.Fatalf("%s: POST /admin/modules/reload: %d %+v", b.name, code, eb)
		}
	}
	if err := os.Remove(filepath.Join(dir, "bad.wasm")); err != nil {
		t.Fatal(err)
	}
	writeText(t, dir, "ver.lua", fmt.Sprintf(verSource, "v7"))
	deadline := time.Now().Add(5 * time.Second)
	for mustRPC(t, s, "version", "") != "v7" {
		if time.Now().After(deadline) {
			t.Fatalf("the fixed file did not load: %+v", list(t, s).LastReload)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The migrate match moves at its next tick boundary.
	for v, _ := signal(t, s, mover); v != "v7"; v, _ = signal(t, s, mover) {
		if time.Now().After(deadline) {
			t.Fatalf("the migrate match answers %s after the fix, want v7", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestModuleUpload uploads a module through the admin API, lists it, and
// finds it loaded again after a restart on the same data; wrong or missing
// admin credentials are refused.
func TestModuleUpload(t *testing.T) {
	module := []byte(`local nk = require("nakama")
nk.register_rpc(function(context, payload) return "uploaded:" .. payload end, "up")
`)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeText(t, dir, "probe.lua", probeSource)
			opts := serverOptions{DataDir: t.TempDir(), Store: b.open(t)}
			first := reloadServer(t, dir, opts)

			for _, creds := range [][2]string{{"", ""}, {adminUser, "wrong"}, {"root", adminPassword}} {
				if code := adminDo(t, first, "PUT", "/admin/modules/up.lua", module, creds[0], creds[1], nil); code != http.StatusUnauthorized {
					t.Fatalf("upload with credentials %q: status %d, want 401", creds, code)
				}
				if code := adminDo(t, first, "GET", "/admin/modules", nil, creds[0], creds[1], nil); code != http.StatusUnauthorized {
					t.Fatalf("list with credentials %q: status %d, want 401", creds, code)
				}
			}
			// The server key is not an admin credential.
			if code := adminDo(t, first, "GET", "/admin/modules", nil, first.Config.ServerKey, "", nil); code != http.StatusUnauthorized {
				t.Fatalf("list with the server key: status %d, want 401", code)
			}

			var res struct {
				Version int64  `json:"version"`
				Path    string `json:"path"`
			}
			if code := adminDo(t, first, "PUT", "/admin/modules/games/up.lua", module, adminUser, adminPassword, &res); code != http.StatusOK || res.Path != "games/up.lua" {
				t.Fatalf("upload: status %d %+v", code, res)
			}
			if got := mustRPC(t, first, "up", "x"); got != "uploaded:x" {
				t.Fatalf("uploaded RPC answers %q", got)
			}
			var eb struct {
				File string `json:"file"`
				Line int    `json:"line"`
			}
			if code := adminDo(t, first, "PUT", "/admin/modules/broken.lua", []byte("return {\n"), adminUser, adminPassword, &eb); code != http.StatusBadRequest ||
				eb.File != "broken.lua" || eb.Line != 2 {
				t.Fatalf("broken upload: status %d %+v", code, eb)
			}
			l := list(t, first)
			if l.Version != res.Version || len(l.Modules) != 2 {
				t.Fatalf("list %+v", l)
			}
			for _, m := range l.Modules {
				if m.Path == "games/up.lua" && (m.Source != "uploaded" || m.Size != int64(len(module))) {
					t.Fatalf("listed as %+v", m)
				}
			}
			first.stop(t)

			second := reloadServer(t, dir, opts)
			if got := mustRPC(t, second, "up", "y"); got != "uploaded:y" {
				t.Fatalf("after the restart the uploaded RPC answers %q", got)
			}
			l = list(t, second)
			found := false
			for _, m := range l.Modules {
				found = found || (m.Path == "games/up.lua" && m.Source == "uploaded")
			}
			if !found {
				t.Fatalf("after the restart the list is %+v", l)
			}
			var dl bytes.Buffer
			req, _ := http.NewRequest("GET", second.URL+"/admin/modules/games/up.lua", nil)
			req.SetBasicAuth(adminUser, adminPassword)
			if res, err := httpClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("download: %v %v", res, err)
			} else {
				_, _ = io.Copy(&dl, res.Body)
				res.Body.Close()
			}
			if !bytes.Equal(dl.Bytes(), module) {
				t.Fatalf("downloaded %q", dl.Bytes())
			}
			if code := adminDo(t, second, "DELETE", "/admin/modules/games/up.lua", nil, adminUser, adminPassword, nil); code != http.StatusOK {
				t.Fatalf("delete: status %d", code)
			}
			if _, err := callRPC(second, "up", ""); err == nil || !strings.Contains(err.Error(), "status 404") {
				t.Fatalf("the deleted RPC: %v", err)
			}
		})
	}
}

// TestAdminDisabled checks that without admin credentials the admin API
// does not exist.
func TestAdminDisabled(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, creds := range [][2]string{{"", ""}, {"admin", "admin"}} {
		if code := adminDo(t, s, "GET", "/admin/modules", nil, creds[0], creds[1], nil); code != http.StatusNotFound {
			t.Fatalf("admin API without credentials configured: status %d, want 404", code)
		}
	}
}
