package astest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// sdkDir is the AssemblyScript SDK, from this package's directory.
const sdkDir = "../../../sdk/assemblyscript"

// examples are the SDK's examples and the files they build to.
var examples = map[string]string{
	"arena":     "arena_as.wasm",
	"echo":      "echo_as.wasm",
	"tictactoe": "tictactoe_as.wasm",
}

// build holds the examples, built once per test binary.
var build struct {
	once sync.Once
	dir  string
	err  error
}

// example returns the bytes of an example module (by file name), building
// them all the first time.
func example(t testing.TB, file string) []byte {
	t.Helper()
	installSDK(t)
	build.once.Do(buildExamples)
	if build.err != nil {
		t.Fatal(build.err)
	}
	b, err := os.ReadFile(filepath.Join(build.dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// install holds the outcome of installing the SDK's npm dependencies.
var install struct {
	once sync.Once
	skip string // why the tests skip, when node or npm are missing
	err  error
}

// installSDK runs npm ci in the SDK when its compiler is not installed,
// once; it skips (or fails in CI) without node and npm.
func installSDK(t testing.TB) {
	t.Helper()
	install.once.Do(func() {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				install.skip = tool + " not found in PATH"
				return
			}
		}
		if _, err := os.Stat(filepath.Join(sdkDir, "node_modules", ".bin", "asc")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = sdkDir
		if out, err := cmd.CombinedOutput(); err != nil {
			install.err = fmt.Errorf("npm ci in %s: %v\n%s", sdkDir, err, out)
		}
	})
	if install.skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AssemblyScript SDK tests need node and npm in CI: %s", install.skip)
		}
		t.Skipf("SKIP: AssemblyScript SDK tests need node and npm: %s", install.skip)
	}
	if install.err != nil {
		t.Fatal(install.err)
	}
}

func buildExamples() {
	build.dir, build.err = os.MkdirTemp("", "arbiter-astest")
	if build.err != nil {
		return
	}
	// The examples at once: asc is mostly single-threaded.
	errs := make(chan error, len(examples))
	for ex, file := range examples {
		go func() {
			// The same command as the README's and test/build-wasm.sh's.
			args := []string{filepath.Join("examples", ex, "index.ts"), "--config", "asconfig.json",
				"-o", filepath.Join(build.dir, file)}
			args = append(args, strings.Fields(os.Getenv("ARBITER_AS_FLAGS"))...)
			cmd := exec.Command("node", append([]string{filepath.Join("node_modules", "assemblyscript", "bin", "asc.js")}, args...)...)
			cmd.Dir = sdkDir
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("asc %s: %v\n%s", strings.Join(args, " "), err, out)
				return
			}
			errs <- nil
		}()
	}
	for range examples {
		build.err = errors.Join(build.err, <-errs)
	}
}

// TestNodeUnitTests runs the SDK's own tests (npm test: the codec and JSON
// unit tests and the exports driven by a JavaScript host) with node's test
// runner, so that go test covers them too.
func TestNodeUnitTests(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: compiles four modules; not with -short")
	}
	installSDK(t)
	t.Parallel()
	cmd := exec.Command("node", "--test", "tests/")
	cmd.Dir = sdkDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test tests/ in %s: %v\n%s", sdkDir, err, out)
	}
	t.Logf("node --test tests/:\n%s", tail(out, 9))
}

// tail returns the last n lines of b (node's summary).
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// registrations records what modules register.
type registrations struct {
	mu   sync.Mutex
	rpcs map[string]module.RPCFunc
}

func (r *registrations) RPC(id string, fn module.RPCFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rpcs[id] = fn
}
func (r *registrations) MatchmakerMatched(module.MatchmakerFunc) {}
func (r *registrations) Shutdown(module.ShutdownFunc)            {}

// newEngine returns a new wasm engine, closed when t ends.
func newEngine(t testing.TB) *wasm.Engine {
	t.Helper()
	e, err := wasm.New(context.Background(), wasm.Config{API: nk.New(nk.Deps{Node: "node1"}), Node: "node1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}

// load loads one example module through a new engine.
func load(t testing.TB, file string) (module.Instance, *registrations) {
	t.Helper()
	wasmBytes := example(t, file)
	ctx := context.Background()
	e := newEngine(t)
	r := &registrations{rpcs: map[string]module.RPCFunc{}}
	inst, err := e.Load(ctx, []module.File{{Name: module.Name(file), Path: file, Data: wasmBytes}}, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(inst.Close)
	return inst, r
}

// rpcContext is the context of an RPC call by a user.
func rpcContext() *runtime.CallContext {
	return &runtime.CallContext{ExecutionMode: runtime.ModeRPC, UserID: "user-1", Username: "one", SessionID: "session-1"}
}
