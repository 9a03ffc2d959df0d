// Package docs runs the guides of sdk/docs as a new user would follow them,
// so that they stay true: it writes the files they show, runs the commands
// they give, starts the server where they say, runs their nakama-js client
// and compares what it prints with what the guide says it prints.
//
// # The convention
//
// A guide marks the fenced code blocks the test uses with attributes after
// the language in the info string (```lang key=value ...). Blocks without
// an attribute are only for reading (installing a toolchain, an optional
// variant, an example of a failure). The marked blocks are processed in the
// order they appear:
//
//	```lua file=modules/counter.lua    the whole content of a file, written at that
//	                                   path (relative to the root of the clone); a
//	                                   later block with the same path replaces it
//	```sh step=server                  the command that starts the server: the test
//	                                   starts one in-process here (cmd/arbiter/app,
//	                                   the default configuration, ./data and ./modules
//	                                   of the workspace, on a free port)
//	```sh step=run                     commands run with bash -e from the root (a
//	                                   build, a client, an edit): each must succeed
//	```sh step=check                   `go run ./cmd/arbiter check [DIR]`: the test
//	                                   checks the folder in-process (app.Check)
//	```text step=output                what the step=run or step=check block just
//	                                   before it prints on stdout, exactly
//
// The workspace is a temporary folder laid out like a fresh clone: the
// repository's go.mod, go.sum and sdk/ (linked, not copied), and a modules/
// folder holding copies of the repository's sample modules (modules/*.lua).
// In commands run while the server runs, "127.0.0.1:7350" and
// "localhost:7350" are replaced by the test server's address, and
// ARBITER_HOST and ARBITER_PORT name it. When a step changes the modules
// folder while the server runs, the test waits for the server to log that
// the modules reloaded (the guides rely on watching, on by default).
//
// The client's npm packages are not downloaded: client/node_modules links
// to test/e2e/node_modules (when npm ci has installed it there and it is
// current), or to a folder installed from test/e2e's package-lock.json; a
// test checks that the versions the guides install are those.
//
// A missing tool (node, Debian's Rust toolchain with the wasm32 standard
// library, npm, curl) skips a guide's test with a message, or fails it when
// CI=true.
//
//	go test ./test/docs                      # every guide
//	go test -v -run 'Guides/lua' ./test/docs # one guide, with its log
package docs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/test/testlog"
)

// guides are the guides run as tests, with the tools each needs.
var guides = []struct {
	name  string // subtest name
	file  string // under sdk/docs
	needs []tool
}{
	{"lua", "first-match-lua.md", []tool{nodeTool, curlTool}},
	{"rust", "first-match-rust.md", []tool{rustTool, nodeTool}},
	{"assemblyscript", "first-match-assemblyscript.md", []tool{npmTool, nodeTool}},
	{"go", "first-match-go.md", []tool{goTool, nodeTool}},
}

// clientFile is the path of the nakama-js client every guide shows.
const clientFile = "client/client.mjs"

// Timeouts.
const (
	runTimeout    = 10 * time.Minute // one step=run block (a Rust build with LTO is slow)
	reloadTimeout = 3 * time.Minute  // a reload after a module changed (a Go module under -race)
)

func TestGuides(t *testing.T) {
	for _, g := range guides {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			blocks := readGuide(t, g.file)
			for _, need := range g.needs {
				if why := need.missing(); why != "" {
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s cannot be followed (CI=true, so this fails): %s", g.file, why)
					}
					t.Skipf("SKIPPED: %s cannot be followed: %s (with CI=true this fails)", g.file, why)
				}
			}
			w := newWorkspace(t)
			w.follow(g.file, blocks)
		})
	}
}

// TestClientsAgree checks that every guide shows the same client.
func TestClientsAgree(t *testing.T) {
	var first, firstGuide string
	for _, g := range guides {
		n := 0
		for _, b := range readGuide(t, g.file) {
			if b.attrs["file"] != clientFile {
				continue
			}
			n++
			switch {
			case first == "":
				first, firstGuide = b.body, g.file
			case b.body != first:
				t.Errorf("%s:%d: %s differs from the one in %s; the guides share one client", g.file, b.line, clientFile, firstGuide)
			}
		}
		if n == 0 {
			t.Errorf("%s shows no %s", g.file, clientFile)
		}
	}
}

// TestPackageVersions checks that the npm packages the guides install are
// the versions the tests use: nakama-js and ws as test/e2e installs them,
// assemblyscript as sdk/assemblyscript does.
func TestPackageVersions(t *testing.T) {
	want := map[string]string{}
	for _, pj := range []string{"test/e2e/package.json", "sdk/assemblyscript/package.json"} {
		var p struct{ Dependencies, DevDependencies map[string]string }
		b, err := os.ReadFile(filepath.Join(repoRoot(), pj))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("%s: %v", pj, err)
		}
		for k, v := range p.Dependencies {
			want[k] = v
		}
		for k, v := range p.DevDependencies {
			want[k] = v
		}
	}
	pkg := regexp.MustCompile(`(?:^|\s)((?:@[a-z0-9-]+/)?[a-z0-9.-]+)@([0-9][^\s]*)`)
	for _, g := range guides {
		for _, b := range readGuide(t, g.file) {
			if b.lang != "sh" {
				continue
			}
			for _, line := range strings.Split(b.body, "\n") {
				if !strings.Contains(line, "npm install") {
					continue
				}
				for _, m := range pkg.FindAllStringSubmatch(line, -1) {
					if v, ok := want[m[1]]; !ok {
						t.Errorf("%s:%d: installs %s, which no package.json of the repository pins", g.file, b.line, m[1])
					} else if v != m[2] {
						t.Errorf("%s:%d: installs %s@%s; the repository uses %s", g.file, b.line, m[1], m[2], v)
					}
				}
			}
		}
	}
}

// TestLinks checks that the relative links of sdk/docs lead to files.
func TestLinks(t *testing.T) {
	dir := filepath.Join(repoRoot(), "sdk", "docs")
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no guides in %s (%v)", dir, err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inFence := false
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "```") {
				inFence = !inFence
			}
			if inFence {
				continue
			}
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				if _, err := os.Stat(filepath.Join(dir, target)); err != nil {
					t.Errorf("%s:%d: broken link %s", filepath.Base(f), i+1, m[1])
				}
			}
		}
	}
}

// TestMetricsDocumented checks that operations.md lists every metric family
// the server exports.
func TestMetricsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "sdk", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range metrics.Names {
		if !strings.Contains(string(b), "`"+name+"`") {
			t.Errorf("operations.md does not list the metric %s (runtime/metrics.Names)", name)
		}
	}
}

// --- guides and their blocks

// block is a fenced code block of a guide.
type block struct {
	lang  string
	attrs map[string]string
	body  string
	line  int // of the opening fence
}

func (b block) step() string { return b.attrs["step"] }

// readGuide returns the blocks of sdk/docs/name.
func readGuide(t *testing.T, name string) []block {
	t.Helper()
	path := filepath.Join(repoRoot(), "sdk", "docs", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseBlocks(string(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return blocks
}

// parseBlocks returns the fenced code blocks of a Markdown text.
func parseBlocks(md string) ([]block, error) {
	var out []block
	var cur *block
	var body strings.Builder
	fence := ""
	sc := bufio.NewScanner(strings.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			if !strings.HasPrefix(trimmed, "```") {
				continue
			}
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
			info := strings.Fields(strings.TrimSpace(trimmed[len(fence):]))
			cur = &block{line: n, attrs: map[string]string{}}
			for i, f := range info {
				if k, v, ok := strings.Cut(f, "="); ok {
					cur.attrs[k] = v
				} else if i == 0 {
					cur.lang = f
				} else {
					return nil, fmt.Errorf("line %d: %q in the info string is not key=value", n, f)
				}
			}
			body.Reset()
			continue
		}
		if strings.TrimSpace(line) == fence {
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: code block not closed", cur.line)
	}
	for _, b := range out {
		for k, v := range b.attrs {
			switch k {
			case "file":
				if v == "" || filepath.IsAbs(v) || filepath.Clean(v) != v || strings.HasPrefix(v, "..") {
					return nil, fmt.Errorf("line %d: file=%q must be a clean relative path inside the clone", b.line, v)
				}
			case "step":
				if !slices.Contains([]string{"server", "run", "check", "output"}, v) {
					return nil, fmt.Errorf("line %d: unknown step=%q (want server, run, check or output)", b.line, v)
				}
			default:
				return nil, fmt.Errorf("line %d: unknown attribute %q (want file or step)", b.line, k)
			}
		}
	}
	return out, sc.Err()
}

// --- the workspace

// workspace is a temporary folder laid out like a fresh clone, where a
// guide is followed.
type workspace struct {
	t    *testing.T
	dir  string
	app  *app.App
	addr string // host:port of the server, once started
	logs *testlog.Buffer
}

func newWorkspace(t *testing.T) *workspace {
	t.Helper()
	root := repoRoot()
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "sdk"} {
		if err := os.Symlink(filepath.Join(root, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	samples, err := filepath.Glob(filepath.Join(root, "modules", "*.lua"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no sample modules in %s/modules (%v)", root, err)
	}
	for _, src := range samples {
		copyFile(t, src, filepath.Join(dir, "modules", filepath.Base(src)))
	}
	if err := os.MkdirAll(filepath.Join(dir, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(clientModules(t), filepath.Join(dir, "client", "node_modules")); err != nil {
		t.Fatal(err)
	}
	return &workspace{t: t, dir: dir, logs: &testlog.Buffer{}}
}

// follow processes a guide's marked blocks in order.
func (w *workspace) follow(guide string, blocks []block) {
	t := w.t
	t.Cleanup(func() {
		if t.Failed() && w.app != nil {
			t.Logf("server log:\n%s", w.logs.String())
		}
	})
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		where := fmt.Sprintf("%s:%d", guide, b.line)
		// The output a step=run or step=check block is compared with.
		expect := func() (string, bool) {
			for j := i + 1; j < len(blocks); j++ {
				if len(blocks[j].attrs) == 0 {
					continue
				}
				if blocks[j].step() == "output" {
					i = j
					return blocks[j].body, true
				}
				break
			}
			return "", false
		}
		switch {
		case b.attrs["file"] != "":
			w.changeModules(where, func() {
				path := filepath.Join(w.dir, b.attrs["file"])
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(b.body), 0o644); err != nil {
					t.Fatal(err)
				}
			})
		case b.step() == "server":
			w.startServer(where)
		case b.step() == "run":
			var out string
			w.changeModules(where, func() { out = w.run(where, b.body) })
			if want, ok := expect(); ok {
				compareOutput(t, where, out, want)
			}
		case b.step() == "check":
			out := w.check(where, b.body)
			if want, ok := expect(); ok {
				compareOutput(t, where, out, want)
			}
		case b.step() == "output":
			t.Fatalf("%s: step=output follows no step=run or step=check block", where)
		}
	}
	if w.app == nil {
		t.Fatalf("%s has no step=server block: the server never started", guide)
	}
}

// startServer starts the server as `go run ./cmd/arbiter` from the clone
// would: the default configuration in the workspace.
func (w *workspace) startServer(where string) {
	t := w.t
	if w.app != nil {
		t.Fatalf("%s: the server already runs", where)
	}
	cfg := app.Default()
	cfg.Address, cfg.Port = "127.0.0.1", 0
	cfg.DataDir = filepath.Join(w.dir, "data")
	cfg.Modules = filepath.Join(w.dir, "modules")
	a, err := app.New(t.Context(), cfg, app.NewLogger(cfg, w.logs))
	if err != nil {
		t.Fatalf("%s: the server does not start: %v", where, err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	w.app, w.addr = a, a.Addr()
}

// run runs a block's commands with bash from the workspace's root and
// returns their stdout.
func (w *workspace) run(where, script string) string {
	t := w.t
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	// The guides' commands assume cargo's default target folder.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CARGO_TARGET_DIR=") })
	if w.addr != "" {
		for _, local := range []string{"127.0.0.1:7350", "localhost:7350"} {
			script = strings.ReplaceAll(script, local, w.addr)
		}
		host, port, _ := net.SplitHostPort(w.addr)
		env = append(env, "ARBITER_HOST="+host, "ARBITER_PORT="+port)
	}
	env = append(env, "NO_COLOR=1")
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = w.dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s: ran in %s:\n%s%s", where, time.Since(start).Round(time.Millisecond), indent(script), indent(stderr.String()))
	if err != nil {
		if ctx.Err() != nil {
			t.Fatalf("%s: the commands did not finish within %s", where, runTimeout)
		}
		t.Fatalf("%s: the commands failed: %v\nstdout:\n%s\nstderr:\n%s", where, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// checkCommand is the command of a step=check block.
var checkCommand = regexp.MustCompile(`^go run \./cmd/arbiter check( \S+)?$`)

// check does what `arbiter check [DIR]` does, in-process, and returns what
// it prints when every module loads.
func (w *workspace) check(where, script string) string {
	t := w.t
	line := strings.TrimSpace(script)
	m := checkCommand.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("%s: a step=check block holds %q, want `go run ./cmd/arbiter check [DIR]`", where, line)
	}
	dir := filepath.Join(w.dir, "modules")
	if arg := strings.TrimSpace(m[1]); arg != "" {
		dir = filepath.Join(w.dir, arg)
	}
	res, err := app.Check(t.Context(), app.Default(), dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("%s: check: %v", where, err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("%s: check failed: %v", where, errors.Join(res.Errors...))
	}
	t.Logf("%s: checked %s: %d files load", where, dir, len(res.Files))
	// The line cmd/arbiter's check command prints.
	return fmt.Sprintf("ok: %d files, RPCs: %s, match handlers: %s\n", len(res.Files), names(res.RPCs), names(res.MatchModules))
}

func names(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// changeModules runs fn; when the server runs and fn changed the modules
// folder, it waits until the server has reloaded the modules.
func (w *workspace) changeModules(where string, fn func()) {
	t := w.t
	before := w.modulesState()
	reloads := len(w.logs.Lines(`msg="modules reloaded"`))
	fn()
	if w.app == nil || w.modulesState() == before {
		return
	}
	deadline := time.Now().Add(reloadTimeout)
	for len(w.logs.Lines(`msg="modules reloaded"`)) == reloads {
		if time.Now().After(deadline) {
			failed := w.logs.Lines(`msg="modules failed to load`)
			t.Fatalf("%s: the modules folder changed, and the server did not reload it within %s; failed loads:\n%s",
				where, reloadTimeout, strings.Join(failed, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// modulesState describes the files of the modules folder (names, sizes
// and times), to tell whether a step changed them.
func (w *workspace) modulesState() string {
	var b strings.Builder
	_ = filepath.WalkDir(filepath.Join(w.dir, "modules"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// compareOutput compares a command's stdout with the guide's output block,
// ignoring trailing spaces.
func compareOutput(t *testing.T, where, got, want string) {
	t.Helper()
	norm := func(s string) string {
		lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " \t")
		}
		return strings.Join(lines, "\n")
	}
	if norm(got) != norm(want) {
		t.Errorf("%s: the output differs from the guide's\n--- guide:\n%s\n--- printed:\n%s", where, norm(want), norm(got))
	}
}

// --- tools

// tool is something a guide needs; missing says why it is not there ("" when it is).
type tool struct{ missing func() string }

var nodeTool = tool{func() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed (apt-get install -y nodejs npm)"
	}
	out, err := exec.Command("node", "--version").Output()
	v, ok := parseVersion(string(out))
	if err != nil || !ok || v[0] < 18 {
		return fmt.Sprintf("node %s is too old: the guides need 18 or later", strings.TrimSpace(string(out)))
	}
	return ""
}}

var npmTool = tool{func() string {
	if _, err := exec.LookPath("npm"); err != nil {
		return "npm is not installed (apt-get install -y nodejs npm)"
	}
	return ""
}}

var curlTool = tool{func() string {
	if _, err := exec.LookPath("curl"); err != nil {
		return "curl is not installed (apt-get install -y curl)"
	}
	return ""
}}

var goTool = tool{func() string {
	if _, err := exec.LookPath("go"); err != nil {
		return "go is not on PATH"
	}
	return ""
}}

// rustTool is the toolchain the Rust guide names: Debian's rustc and cargo
// with the wasm32 standard library.
var rustTool = tool{func() string {
	const hint = "apt-get install -y rustc cargo libstd-rust-dev-wasm32"
	for _, p := range []string{"/usr/bin/cargo", "/usr/bin/rustc"} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Sprintf("%s not found (%s)", p, hint)
		}
	}
	out, err := exec.Command("/usr/bin/rustc", "--print", "sysroot").Output()
	if err != nil {
		return fmt.Sprintf("/usr/bin/rustc --print sysroot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", "wasm32-unknown-unknown")); err != nil {
		return "no wasm32-unknown-unknown standard library for /usr/bin/rustc (" + hint + ")"
	}
	return ""
}}

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

// --- the client's npm packages

var npmPackages struct {
	once sync.Once
	dir  string // a node_modules folder
	why  string // why there is none
	fail bool   // why is a failure, not a missing tool
}

// clientModules returns a node_modules folder with the client's packages:
// test/e2e's when npm ci has installed it there and it is current, else
// one installed from test/e2e's lock into a temporary folder (removed by
// TestMain).
func clientModules(t *testing.T) string {
	t.Helper()
	npmPackages.once.Do(prepareClientModules)
	switch {
	case npmPackages.why == "":
		return npmPackages.dir
	case npmPackages.fail:
		t.Fatalf("installing the client's npm packages: %s", npmPackages.why)
	case os.Getenv("CI") == "true":
		t.Fatalf("the client's npm packages cannot be installed (CI=true, so this fails): %s", npmPackages.why)
	default:
		t.Skipf("SKIPPED: the client's npm packages cannot be installed: %s (with CI=true this fails)", npmPackages.why)
	}
	return ""
}

var tempDirs []string

func prepareClientModules() {
	e2e := filepath.Join(repoRoot(), "test", "e2e")
	lock, err := os.Stat(filepath.Join(e2e, "package-lock.json"))
	if err != nil {
		npmPackages.why, npmPackages.fail = err.Error(), true
		return
	}
	if installed, err := os.Stat(filepath.Join(e2e, "node_modules", ".package-lock.json")); err == nil && !installed.ModTime().Before(lock.ModTime()) {
		npmPackages.dir = filepath.Join(e2e, "node_modules")
		return
	}
	if _, err := exec.LookPath("npm"); err != nil {
		npmPackages.why = "test/e2e/node_modules is missing or stale and npm is not installed"
		return
	}
	dir, err := os.MkdirTemp("", "arbiter-docs-npm-")
	if err != nil {
		npmPackages.why, npmPackages.fail = err.Error(), true
		return
	}
	tempDirs = append(tempDirs, dir)
	for _, f := range []string{"package.json", "package-lock.json", ".npmrc"} {
		b, err := os.ReadFile(filepath.Join(e2e, f))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		if err != nil {
			npmPackages.why, npmPackages.fail = err.Error(), true
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		npmPackages.why, npmPackages.fail = fmt.Sprintf("npm ci: %v\n%s", err, out), true
		return
	}
	npmPackages.dir = filepath.Join(dir, "node_modules")
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// --- helpers

// repoRoot returns the repository's root folder.
func repoRoot() string {
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}
