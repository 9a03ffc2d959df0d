package sdktest

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
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// sdkRust is the Rust SDK's workspace, from this package's directory.
const sdkRust = "../../../sdk/rust"

// rustBuild holds the Rust examples, built once per test binary.
var rustBuild struct {
	once    sync.Once
	dir     string
	err     error
	missing string // the toolchain part that is missing, if any
	out     []byte
}

func toolPath(env, def string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	return def
}

// rustToolchain returns cargo and rustc, or what is missing.
func rustToolchain() (cargo, rustc, missing string) {
	cargo = toolPath("ARBITER_CARGO", "/usr/bin/cargo")
	rustc = toolPath("ARBITER_RUSTC", "/usr/bin/rustc")
	for _, p := range []string{cargo, rustc} {
		if _, err := os.Stat(p); err != nil {
			return "", "", p + " not found (apt-get install rustc cargo libstd-rust-dev-wasm32)"
		}
	}
	out, err := exec.Command(rustc, "--print", "sysroot").Output()
	if err != nil {
		return "", "", fmt.Sprintf("%s --print sysroot: %v", rustc, err)
	}
	lib := filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib", "wasm32-unknown-unknown")
	if _, err := os.Stat(lib); err != nil {
		return "", "", "no wasm32-unknown-unknown standard library for " + rustc + " (apt-get install libstd-rust-dev-wasm32)"
	}
	return cargo, rustc, ""
}

// rustModule returns the bytes of the Rust example module name
// ("tictactoe_rust", "rpc_rust"), building the examples on first use.
func rustModule(t testing.TB, name string) []byte {
	t.Helper()
	rustBuild.once.Do(func() {
		cargo, rustc, missing := rustToolchain()
		if missing != "" {
			rustBuild.missing = missing
			return
		}
		if rustBuild.dir, rustBuild.err = os.MkdirTemp("", "arbiter-sdk-rust"); rustBuild.err != nil {
			return
		}
		cmd := exec.Command(cargo, "build", "--release", "--offline", "--target", "wasm32-unknown-unknown")
		cmd.Dir = sdkRust
		rustdoc := filepath.Join(filepath.Dir(rustc), "rustdoc")
		cmd.Env = append(os.Environ(), "RUSTC="+rustc, "RUSTDOC="+rustdoc,
			"CARGO_TARGET_DIR="+filepath.Join(rustBuild.dir, "target"))
		rustBuild.out, rustBuild.err = cmd.CombinedOutput()
	})
	switch {
	case rustBuild.missing != "" && os.Getenv("CI") == "true":
		t.Fatalf("the Rust toolchain for wasm32 is required in CI: %s", rustBuild.missing)
	case rustBuild.missing != "":
		t.Skipf("SKIP: cannot build the Rust SDK examples: %s", rustBuild.missing)
	case rustBuild.err != nil:
		t.Fatalf("building the Rust SDK examples: %v\n%s", rustBuild.err, rustBuild.out)
	}
	b, err := os.ReadFile(filepath.Join(rustBuild.dir, "target", "wasm32-unknown-unknown", "release", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if rustBuild.dir != "" {
		os.RemoveAll(rustBuild.dir)
	}
	os.Exit(code)
}

// newEngine returns a wasm engine over the real nk API (its functions that
// need no service work), sharing one compilation cache per test binary.
func newEngine(t testing.TB) *wasm.Engine {
	t.Helper()
	cfg := wasm.Config{API: nk.New(nk.Deps{}), Node: "node1"}
	if rustBuild.dir != "" {
		cfg.CacheDir = filepath.Join(rustBuild.dir, "cache")
	}
	e, err := wasm.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}

// registrations records what modules register.
type registrations struct {
	mu         sync.Mutex
	rpcs       map[string]module.RPCFunc
	matchmaker module.MatchmakerFunc
	shutdown   module.ShutdownFunc
}

func (r *registrations) RPC(id string, fn module.RPCFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rpcs == nil {
		r.rpcs = map[string]module.RPCFunc{}
	}
	r.rpcs[strings.ToLower(id)] = fn
}
func (r *registrations) MatchmakerMatched(fn module.MatchmakerFunc) { r.matchmaker = fn }
func (r *registrations) Shutdown(fn module.ShutdownFunc)            { r.shutdown = fn }

// load loads one module file into e.
func load(t testing.TB, e *wasm.Engine, path string, b []byte) (module.Instance, *registrations) {
	t.Helper()
	reg := &registrations{}
	inst, err := e.Load(context.Background(), []module.File{{Name: module.Name(path), Path: path, Data: b}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(inst.Close)
	return inst, reg
}

// sent is one broadcast a handler asked for, as the test compares them.
type sent struct {
	Op       int64
	Data     string
	To       string // "*" for every presence, else the session ids joined by ","
	Sender   string // session id, "" for none
	Reliable bool
	Deferred bool
}

func (s sent) String() string {
	return fmt.Sprintf("op %d to %s from %q reliable=%v deferred=%v: %s", s.Op, s.To, s.Sender, s.Reliable, s.Deferred, s.Data)
}

// dispatcher is a match.Dispatcher that records what a handler asks of it.
type dispatcher struct {
	sent    []sent
	labels  []string
	kicked  []match.Presence
	stopped bool
	// ctx is the match context, whose label is updated as the registry does.
	ctx *runtime.CallContext
}

var _ match.Dispatcher = (*dispatcher)(nil)

func (d *dispatcher) record(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable, deferred bool) error {
	if d.stopped {
		return errors.New("match stopped")
	}
	s := sent{Op: op, Data: string(data), To: "*", Reliable: reliable, Deferred: deferred}
	if to != nil {
		ids := make([]string, len(to))
		for k, p := range to {
			ids[k] = p.SessionID
		}
		s.To = strings.Join(ids, ",")
	}
	if sender != nil {
		s.Sender = sender.SessionID
	}
	d.sent = append(d.sent, s)
	return nil
}

func (d *dispatcher) Broadcast(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	return d.record(op, data, to, sender, reliable, false)
}

func (d *dispatcher) BroadcastDeferred(op int64, data []byte, to []match.Presence, sender *match.Presence, reliable bool) error {
	return d.record(op, data, to, sender, reliable, true)
}

func (d *dispatcher) Kick(ps []match.Presence) error {
	d.kicked = append(d.kicked, ps...)
	return nil
}

func (d *dispatcher) UpdateLabel(label string) error {
	if d.stopped {
		return errors.New("match stopped")
	}
	d.labels = append(d.labels, label)
	if d.ctx != nil {
		d.ctx.MatchLabel = label
	}
	return nil
}

// take returns and forgets what was recorded.
func (d *dispatcher) take() ([]sent, []string) {
	s, l := d.sent, d.labels
	d.sent, d.labels = nil, nil
	return s, l
}

// matchEnv returns the environment of a new match over d.
func matchEnv(module string, d *dispatcher) match.Env {
	env := newMatchEnv(module, d)
	d.ctx = env.Context
	return env
}

// newMatchEnv returns the environment of a new match over any dispatcher.
func newMatchEnv(module string, d match.Dispatcher) match.Env {
	c := &runtime.CallContext{ExecutionMode: runtime.ModeMatch, Node: "node1", MatchID: "m1.node1", MatchNode: "node1",
		Env: map[string]string{"K": "V"}}
	return match.Env{MatchID: "m1.node1", Node: "node1", Module: module, Dispatcher: d, Context: c}
}
