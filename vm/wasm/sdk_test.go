package wasm

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// The Go SDK's examples and the Go test guests (sdkGuests), built with the
// Go toolchain for wasip1 once per test binary.
var sdkBuild struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// sdkGuests are the Go guests built, by package; a guest's name is the
// last element of its package path.
var sdkGuests = []string{"./sdk/go/examples/rpc", "./sdk/go/examples/match", "./vm/wasm/testdata/wasiprobe"}

func sdkExample(t testing.TB, name string) []byte {
	t.Helper()
	sdkBuild.once.Do(func() {
		sdkBuild.dir, sdkBuild.err = os.MkdirTemp("", "arbiter-sdk-go")
		if sdkBuild.err != nil {
			return
		}
		for _, ex := range sdkGuests {
			// sdk/go is part of the repository's module: build from its root.
			cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", filepath.Join(sdkBuild.dir, path.Base(ex)+".wasm"), ex)
			cmd.Dir = "../.."
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			if sdkBuild.out, sdkBuild.err = cmd.CombinedOutput(); sdkBuild.err != nil {
				return
			}
		}
	})
	if sdkBuild.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("building the Go SDK examples: %v\n%s", sdkBuild.err, sdkBuild.out)
		}
		t.Skipf("SKIP: cannot build the Go SDK examples (GOOS=wasip1): %v\n%s", sdkBuild.err, sdkBuild.out)
	}
	b, err := os.ReadFile(filepath.Join(sdkBuild.dir, name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sdkConfig shares one compilation cache across the tests that load SDK
// modules, which take seconds to compile.
func sdkConfig(t testing.TB, cfg Config) Config {
	t.Helper()
	sdkExample(t, "rpc")
	cfg.CacheDir = filepath.Join(sdkBuild.dir, "cache")
	return cfg
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sdkBuild.dir != "" {
		os.RemoveAll(sdkBuild.dir)
	}
	os.Exit(code)
}

func TestSDKRPC(t *testing.T) {
	e := newEngine(t, sdkConfig(t, Config{Node: "node1", CallBudget: 200 * time.Millisecond}))
	_, r := mustLoad(t, e, "examples/rpc.wasm", sdkExample(t, "rpc"))
	tests := []struct {
		id, payload, want string
		code              runtime.Code
		msg               string
		deadline          bool
	}{
		{id: "echo", payload: "hello", want: "hello"},
		{id: "whoami", want: "user-1@node1"},
		{id: "upper_nk", payload: "abc", want: "ABC"},
		{id: "create_match", want: "arena:user-1"},
		{id: "fail", payload: "x", code: runtime.PermissionDenied, msg: "not allowed: x"},
		{id: "panic", code: runtime.Internal, msg: "panic: boom"},
		{id: "spin", deadline: true},
		{id: "echo", payload: "still alive", want: "still alive"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			fn := r.rpcs[tc.id]
			if fn == nil {
				t.Fatalf("RPC %s not registered: %v", tc.id, r.rpcs)
			}
			got, err := fn(context.Background(), &runtime.CallContext{UserID: "user-1"}, tc.payload)
			switch {
			case tc.deadline:
				if !isDeadline(err) {
					t.Fatalf("err = %v, want a deadline error", err)
				}
			case tc.msg != "":
				var re *runtime.Error
				if !errors.As(err, &re) || re.Code != tc.code || re.Message != tc.msg {
					t.Fatalf("err = %#v, want code %d %q", err, tc.code, tc.msg)
				}
			case err != nil || got != tc.want:
				t.Fatalf("got %q %v, want %q", got, err, tc.want)
			}
		})
	}
}

func TestSDKMatch(t *testing.T) {
	e := newEngine(t, sdkConfig(t, Config{}))
	l, _ := mustLoad(t, e, "examples/match.wasm", sdkExample(t, "match"))
	d := &fakeDispatcher{}
	env := matchEnv(d)
	h, err := l.NewHandler(context.Background(), "arena", env)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	setup, err := h.Init(ctx, map[string]any{"capacity": int64(1)})
	if err != nil || setup != (match.Setup{TickRate: 10, Label: "arena"}) {
		t.Fatalf("init: %+v %v", setup, err)
	}
	env.Context.MatchTickRate, env.Context.MatchLabel = setup.TickRate, setup.Label
	p1 := match.Presence{UserID: "u1", SessionID: "s1", Username: "one", Node: "node"}
	if ok, reason, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: p1}); !ok || reason != "" || err != nil {
		t.Fatalf("join attempt: %v %q %v", ok, reason, err)
	}
	if err := h.Join(ctx, 0, []match.Presence{p1}); err != nil {
		t.Fatal(err)
	}
	env.Context.MatchLabel = "players=1" // as the registry does on UpdateLabel
	if ok, reason, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: match.Presence{SessionID: "s2"}}); ok || reason != "match full" || err != nil {
		t.Fatalf("second join attempt: %v %q %v", ok, reason, err)
	}
	msgs := []match.Message{{Sender: p1, OpCode: 3, Data: []byte("a"), Reliable: true}, {Sender: p1, OpCode: 3, Data: []byte("b")}}
	if err := h.Loop(ctx, 1, msgs); err != nil {
		t.Fatal(err)
	}
	want := []string{"label:players=1", "broadcast:a", "broadcast:b"}
	if len(d.calls) != 3 || d.calls[0] != want[0] || d.calls[1] != want[1] || d.calls[2] != want[2] {
		t.Fatalf("dispatcher calls %v, want %v", d.calls, want)
	}
	if got, err := h.Signal(ctx, 2, "count"); err != nil || got != "messages=2 label=players=1" {
		t.Fatalf("signal: %q %v", got, err)
	}
	if _, err := h.Signal(ctx, 2, "panic"); err == nil || err.Error() != "panic: asked to" {
		t.Fatalf("signal panic: %v", err)
	}
	if err := h.Leave(ctx, 3, []match.Presence{p1}); !errors.Is(err, match.ErrNilState) {
		t.Fatalf("last leave: %v, want ErrNilState", err)
	}
}

func TestSDKMatchBudget(t *testing.T) {
	e := newEngine(t, sdkConfig(t, Config{}))
	l, _ := mustLoad(t, e, "examples/match.wasm", sdkExample(t, "match"))
	h, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	err, _ = withBudget(time.Nanosecond, func(ctx context.Context) error {
		// Budgets count CPU time: burn some on the call's thread until the
		// watchdog sees the overrun (a sleep would cost nothing).
		for deadline := time.Now().Add(5 * time.Second); ctx.Err() == nil && time.Now().Before(deadline); {
		}
		_, err := h.Init(ctx, nil)
		return err
	})
	if !isDeadline(err) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}
