package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
	"github.com/arbiterhq/arbiter/storage/postgres/pgtest"
	"github.com/arbiterhq/arbiter/test/testlog"
	"github.com/arbiterhq/arbiter/test/wasmbuild"
)

// backend is a store a server can run on.
type backend struct {
	name string
	// open returns a store for tb, or nil for the embedded SQLite store in
	// the server's data dir. It skips tb when the store is unavailable.
	open func(tb testing.TB) app.Store
}

// backends are the stores every end-to-end test runs against.
var backends = []backend{
	{"sqlite", func(testing.TB) app.Store { return nil }},
	{"postgres", func(tb testing.TB) app.Store { return pgtest.Open(tb) }},
}

// serverOptions say how to start a server; the zero value is a SQLite
// server with the default configuration in a fresh data dir.
type serverOptions struct {
	// DataDir is the SQLite data dir; empty means a new t.TempDir().
	DataDir string
	// Store, when set, is used instead of SQLite; the test closes it.
	Store app.Store
	// Config, when set, changes the configuration before the start.
	Config func(*app.Config)
	// Modules, when set, are the module files and folders the server loads
	// (paths relative to test/e2e, such as "../../modules" for the
	// repository's modules and "testdata/modules" for the fixtures). They
	// are copied into one new modules folder: a folder's content at its
	// top, a file by its name. Two sources giving the same file fail the
	// test. Unset, cfg.Modules stays ./modules, which test/e2e does not
	// have: the server runs without modules.
	Modules []string
	// WASMModules adds the WebAssembly tic-tac-toes of the guest SDKs
	// (test/wasmbuild: from $ARBITER_WASM_MODULES, or built) to Modules;
	// without their toolchains the test skips, or fails when CI=true.
	WASMModules bool
}

// server is an Arbiter server running in the test process.
type server struct {
	Config app.Config
	Host   string
	Port   string
	URL    string // http://host:port

	app    *app.App
	served chan error
	logs   *testlog.Buffer
	once   sync.Once
}

// startServer starts a server on 127.0.0.1:0 and stops it when tb ends. Its
// log is shown when tb fails.
func startServer(tb testing.TB, opts serverOptions) *server {
	tb.Helper()
	cfg := app.Default()
	cfg.Address, cfg.Port = "127.0.0.1", 0
	cfg.DataDir = opts.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = tb.TempDir()
	}
	cfg.LogLevel = "debug"
	cfg.BcryptCost = 4 // bcrypt's minimum: password hashing dominates the run otherwise
	if opts.WASMModules {
		opts.Modules = append(slices.Clone(opts.Modules), wasmbuild.Dir(tb))
	}
	if len(opts.Modules) > 0 {
		cfg.Modules = copyModules(tb, opts.Modules)
	}
	if opts.Config != nil {
		opts.Config(&cfg)
	}
	s := &server{Config: cfg, logs: &testlog.Buffer{}, served: make(chan error, 1)}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("server log (%s):\n%s", s.URL, s.logs.String())
		}
	})
	log := app.NewLogger(cfg, s.logs)
	var err error
	if opts.Store != nil {
		s.app, err = app.NewWithStore(tb.Context(), cfg, opts.Store, log)
	} else {
		s.app, err = app.New(tb.Context(), cfg, log)
	}
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	go func() { s.served <- s.app.Serve() }()
	tb.Cleanup(func() { s.stop(tb) })
	s.Host, s.Port, err = net.SplitHostPort(s.app.Addr())
	if err != nil {
		tb.Fatalf("server address %q: %v", s.app.Addr(), err)
	}
	s.URL = "http://" + s.app.Addr()
	return s
}

// copyModules copies the module sources into a new folder and returns it.
func copyModules(tb testing.TB, sources []string) string {
	tb.Helper()
	dir := tb.TempDir()
	from := map[string]string{} // destination → source, to refuse clashes
	copyFile := func(src, rel string) {
		dst := filepath.Join(dir, rel)
		if prev, ok := from[dst]; ok {
			tb.Fatalf("modules: %s and %s are both %s", prev, src, rel)
		}
		from[dst] = src
		data, err := os.ReadFile(src)
		if err != nil {
			tb.Fatalf("modules: %v", err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			tb.Fatalf("modules: %v", err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			tb.Fatalf("modules: %v", err)
		}
	}
	for _, src := range sources {
		info, err := os.Stat(src)
		if err != nil {
			tb.Fatalf("modules: %v", err)
		}
		if !info.IsDir() {
			copyFile(src, filepath.Base(src))
			continue
		}
		err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !isModule(p) {
				return nil // a README or build output the engines ignore
			}
			rel, err := filepath.Rel(src, p)
			if err == nil {
				copyFile(p, rel)
			}
			return err
		})
		if err != nil {
			tb.Fatalf("modules: %v", err)
		}
	}
	return dir
}

// isModule reports whether p is a file an engine loads (*.lua, *.wasm).
func isModule(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".lua" || ext == ".wasm"
}

// stop shuts the server down within its shutdown grace (10 s by default),
// as app.Run does, and waits for it; later calls do nothing. Matches that
// do not end when asked to run until the grace is over.
func (s *server) stop(tb testing.TB) {
	tb.Helper()
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownGrace)
		defer cancel()
		if err := s.app.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		if err := <-s.served; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
}

// minNode is the oldest Node.js the JavaScript tests run on: node:test with
// --test-force-exit (nakama-js leaves a 7 s timer behind every request,
// which would otherwise keep each test process alive).
var minNode = [3]int{20, 14, 0}

var (
	nodeOnce sync.Once
	nodeErr  error // why the JavaScript tests cannot run; nil when they can
	nodeFail bool  // nodeErr is a failure even outside CI (npm ci failed)
)

// requireNode skips tb (fails it under CI=true) unless node and npm are
// installed, and installs the npm packages when node_modules is missing or
// stale. The work happens once per test binary.
func requireNode(tb testing.TB) {
	tb.Helper()
	nodeOnce.Do(func() { nodeFail, nodeErr = prepareNode() })
	switch {
	case nodeErr == nil:
	case nodeFail:
		tb.Fatalf("preparing the JavaScript tests: %v", nodeErr)
	case os.Getenv("CI") == "true":
		tb.Fatalf("the JavaScript tests cannot run (CI=true, so this fails): %v", nodeErr)
	default:
		tb.Skipf("SKIPPED: the JavaScript tests cannot run: %v (with CI=true this fails)", nodeErr)
	}
}

// prepareNode checks the tools and runs npm ci when needed; fail reports
// that the error is not merely a missing tool.
func prepareNode() (fail bool, err error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return false, errors.New("node is not installed")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return false, fmt.Errorf("node --version: %v", err)
	}
	if v, ok := parseVersion(string(out)); !ok || versionLess(v, minNode) {
		return false, fmt.Errorf("node %s is too old: need %d.%d or later", strings.TrimSpace(string(out)), minNode[0], minNode[1])
	}
	if !nodeModulesStale() {
		return false, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return false, errors.New("node_modules is missing or stale and npm is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// .npmrc sets ignore-scripts: no dependency needs an install script.
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = "."
	if out, err := cmd.CombinedOutput(); err != nil {
		return true, fmt.Errorf("npm ci: %v\n%s", err, out)
	}
	return false, nil
}

// nodeModulesStale reports whether npm ci must run: node_modules is missing,
// or npm's record of it is older than package-lock.json.
func nodeModulesStale() bool {
	lock, err := os.Stat("package-lock.json")
	if err != nil {
		return true
	}
	installed, err := os.Stat(filepath.Join("node_modules", ".package-lock.json"))
	return err != nil || installed.ModTime().Before(lock.ModTime())
}

var versionRE = regexp.MustCompile(`v?(\d+)\.(\d+)\.(\d+)`)

func parseVersion(s string) (v [3]int, ok bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return v, false
	}
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, true
}

func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// nodeTimeout bounds one node --test run (a few seconds normally; a server
// built with -race hashes passwords far more slowly).
const nodeTimeout = 5 * time.Minute

// runNode runs `node --test` on files (paths relative to test/e2e) against
// s. Node's output goes to the test's output, which go test shows with -v
// or when the test fails; the test fails when node does.
func runNode(t *testing.T, s *server, files ...string) {
	t.Helper()
	requireNode(t)
	if len(files) == 0 {
		t.Fatal("runNode: no files")
	}
	ctx, cancel := context.WithTimeout(t.Context(), nodeTimeout)
	defer cancel()
	args := append([]string{"--test", "--test-force-exit", "--test-reporter=spec"}, files...)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Env = append(os.Environ(),
		"ARBITER_HOST="+s.Host,
		"ARBITER_PORT="+s.Port,
		"ARBITER_SERVER_KEY="+s.Config.ServerKey,
		"ARBITER_HTTP_KEY="+s.Config.HTTPKey,
		"NO_COLOR=1",
	)
	// Node's output is collected and written in one piece, so that parallel
	// runs do not interleave under -v.
	var out testlog.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	_, _ = io.WriteString(t.Output(), out.String())
	if err != nil {
		if ctx.Err() != nil {
			t.Fatalf("node --test did not finish within %s", nodeTimeout)
		}
		t.Fatalf("node --test %s: %v (its output is above)", strings.Join(files, " "), err)
	}
}

// testFiles returns the JavaScript test files of this folder.
func testFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.test.mjs files found (%v)", err)
	}
	return files
}

// client is a minimal REST client for Go-side tests.
type client struct {
	t   testing.TB
	url string
	key string
}

func newClient(t testing.TB, s *server) *client {
	return &client{t: t, url: s.URL, key: s.Config.ServerKey}
}

// response is a decoded answer.
type response struct {
	Status int
	Body   map[string]any
}

// do sends a request with a Bearer token (or, with bearer "", the server
// key) and decodes the JSON answer.
func (c *client) do(method, path, bearer string, body any) response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	} else {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.key+":")))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	r := response{Status: res.StatusCode}
	if err := json.Unmarshal(raw, &r.Body); err != nil {
		c.t.Fatalf("%s %s: answer is not a JSON object: %v: %q", method, path, err, raw)
	}
	return r
}

// ok is do that requires status 200.
func (c *client) ok(method, path, bearer string, body any) map[string]any {
	c.t.Helper()
	r := c.do(method, path, bearer, body)
	if r.Status != http.StatusOK {
		c.t.Fatalf("%s %s: status %d, want 200: %v", method, path, r.Status, r.Body)
	}
	return r.Body
}

// str returns the string at a dotted path of a decoded JSON object (array
// elements by index), or "" when there is none.
func str(v any, path string) string {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	s, _ := v.(string)
	return s
}

// sameJSON reports whether two JSON texts hold the same value (stores may
// normalise the text of a value, as PostgreSQL's JSONB does).
func sameJSON(tb testing.TB, a, b string) bool {
	tb.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		tb.Errorf("not JSON: %q: %v", a, err)
		return false
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		tb.Errorf("not JSON: %q: %v", b, err)
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
