package wasm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

func TestRPCReplies(t *testing.T) {
	tests := []struct {
		name   string
		status byte
		value  any
		body   func(g *guest) []byte // a raw body instead of a canned reply
		want   string
		code   runtime.Code // of a *runtime.Error
		msg    string       // contained in the error
	}{
		{name: "string", value: "pong", want: "pong"},
		{name: "nil", value: nil, want: ""},
		{name: "bytes", value: []byte("raw"), want: "raw"},
		{name: "empty reply", body: func(*guest) []byte { return i64c(0) }, want: ""},
		{name: "error with code", status: statusError, value: map[string]any{"message": "denied", "code": int64(7)}, code: runtime.PermissionDenied, msg: "denied"},
		{name: "error without code", status: statusError, value: errMap("oops"), code: runtime.Internal, msg: "oops"},
		{name: "error code out of range", status: statusError, value: map[string]any{"message": "x", "code": int64(99)}, code: runtime.Internal, msg: "x"},
		{name: "not found", status: statusNotFound, value: errMap("?"), code: runtime.NotFound, msg: "RPC function not found"},
		{name: "wrong type", value: int64(1), code: runtime.Internal, msg: "only allowed one return value of type String/Byte"},
		{name: "reply outside memory", body: func(*guest) []byte { return i64c(0x7fff0000<<32 | 16) }, msg: "lies outside memory"},
		{name: "malformed reply", body: func(g *guest) []byte { return i64c(g.put([]byte{0, 0x05, 0x09})) }, msg: "malformed value"},
		{name: "unknown status", status: 9, value: nil, msg: "unknown status 9"},
		{name: "trap", body: func(*guest) []byte { return opUnreachable }, msg: "unreachable"},
	}
	e := newEngine(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuest(1).registers(map[string]any{"rpcs": []any{"Echo"}})
			if tc.body != nil {
				g.body("arbiter_rpc", tc.body(g))
			} else {
				g.reply("arbiter_rpc", tc.status, tc.value)
			}
			_, r := mustLoad(t, e, "r.wasm", g.bytes())
			got, err := r.rpcs["echo"](context.Background(), &runtime.CallContext{UserID: "u"}, "ping")
			if tc.msg == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q %v, want %q", got, err, tc.want)
				}
				return
			}
			wantErr(t, err, tc.msg)
			var re *runtime.Error
			if tc.code != 0 && (!errors.As(err, &re) || re.Code != tc.code) {
				t.Fatalf("error %#v, want code %d", err, tc.code)
			}
		})
	}
}

func TestRPCEndlessLoop(t *testing.T) {
	e := newEngine(t, Config{CallBudget: 50 * time.Millisecond, PoolSize: 1})
	spin := newGuest(1).registers(map[string]any{"rpcs": []any{"spin"}}).body("arbiter_rpc", cat(opInfinite, opUnreachable))
	_, rs := mustLoad(t, e, "spin.wasm", spin.bytes())
	_, ro := mustLoad(t, e, "ok.wasm", okGuest().bytes())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			start := time.Now()
			_, err := rs.rpcs["spin"](context.Background(), nil, "")
			if !isDeadline(err) {
				t.Errorf("err = %v, want a deadline error", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("stopped after %s", d)
			}
		})
	}
	for range 10 { // another module keeps working meanwhile
		if got, err := ro.rpcs["echo"](context.Background(), nil, ""); err != nil || got != "pong" {
			t.Fatalf("other module: %q %v", got, err)
		}
	}
	wg.Wait()
	// The pool of one discarded the stopped instances: a call still runs.
	if _, err := rs.rpcs["spin"](context.Background(), nil, ""); !isDeadline(err) {
		t.Fatalf("after discard: %v", err)
	}
}

// TestMemoryLimit runs guests that need more memory than the limit: one
// that handles the failed memory.grow itself, one that traps on it. After
// the failure the engine serves on: the same RPC (on the same or a new
// instance), another module and a new match instance.
func TestMemoryLimit(t *testing.T) {
	g := newGuest(1).registers(map[string]any{"rpcs": []any{"grow"}})
	oom, _ := abi.Encode(errMap("out of memory"))
	fail, ok := g.put(append([]byte{statusError}, oom...)), g.put([]byte{statusOK})
	// memory.grow(100) == -1 ? fail : ok
	g.body("arbiter_rpc", cat(i32c(100), opMemoryGrow, i32c(-1), []byte{0x46, 0x04, vI64}, i64c(fail), []byte{0x05}, i64c(ok), []byte{0x0b}))
	// With an input above 4 KiB (a big payload): memory.grow(100), then a
	// store at 100 pages, out of bounds unless the memory grew; then OK.
	trap := newGuest(1).registers(map[string]any{"rpcs": []any{"trap"}})
	trap.body("arbiter_rpc", cat(localGet(1), i32c(4096), []byte{0x4b, 0x04, 0x40}, // if len > 4096
		i32c(100), opMemoryGrow, opDrop, i32c(100*65536), i64c(1), opI64StoreAt0, []byte{0x0b}, i64c(0)))
	big := strings.Repeat("x", 8192)
	tests := []struct {
		name    string
		pages   uint32
		growErr string // "" when the growth succeeds
		trapErr string
	}{
		{"past the limit", 4, "out of memory", "out of bounds memory access"},
		{"within the limit", 300, "", ""}, // grow twice: 2+100+100 pages
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One instance per module: a failed one must be replaced.
			e := newEngine(t, Config{MemoryLimitPages: tc.pages, PoolSize: 1})
			_, rg := mustLoad(t, e, "grow.wasm", g.bytes())
			_, rt := mustLoad(t, e, "trap.wasm", trap.bytes())
			for k := range 2 { // the guest's own failure leaves its instance usable
				_, err := rg.rpcs["grow"](context.Background(), nil, "")
				if tc.growErr == "" && err != nil {
					t.Fatalf("grow %d: %v", k, err)
				}
				if tc.growErr != "" {
					wantErr(t, err, tc.growErr)
				}
			}
			_, err := rt.rpcs["trap"](context.Background(), nil, big)
			if tc.trapErr == "" && err != nil {
				t.Fatalf("trap: %v", err)
			}
			if tc.trapErr != "" {
				wantErr(t, err, tc.trapErr)
			}
			// The next call gets a working instance.
			for k := range 2 {
				if got, err := rt.rpcs["trap"](context.Background(), nil, "small"); err != nil || got != "" {
					t.Fatalf("call %d after the failure: %q %v", k, got, err)
				}
			}
			// A new module, and a new match instance, on the same engine.
			_, ro := mustLoad(t, e, "ok.wasm", okGuest().bytes())
			if got, err := ro.rpcs["echo"](context.Background(), nil, ""); err != nil || got != "pong" {
				t.Fatalf("another module after the failure: %q %v", got, err)
			}
			lm, _ := mustLoad(t, e, "m.wasm", matchGuest(nil).bytes())
			h, err := lm.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
			if err != nil {
				t.Fatalf("a match after the failure: %v", err)
			}
			defer h.Close()
			if err := h.Loop(context.Background(), 0, nil); err != nil {
				t.Fatalf("a match loop after the failure: %v", err)
			}
		})
	}
}

func TestPoolConcurrency(t *testing.T) {
	e := newEngine(t, Config{PoolSize: 3})
	l, r := mustLoad(t, e, "ok.wasm", okGuest().bytes())
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 40 {
		wg.Go(func() {
			for range 20 {
				if got, err := r.rpcs["echo"](context.Background(), nil, "x"); err != nil || got != "pong" {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d calls failed", failed.Load())
	}
	if n := len(l.modules[0].pool.slots); n > 3 {
		t.Fatalf("%d live instances, want at most 3", n)
	}
	// With every instance taken, a call waits only as long as its ctx.
	p := l.modules[0].pool
	var held []*instance
	for range 3 {
		i, err := p.get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := r.rpcs["echo"](ctx, nil, ""); !isDeadline(err) {
		t.Fatalf("exhausted pool: %v", err)
	}
	held[0].broken = true // a broken instance frees its slot
	for _, i := range held {
		p.put(i)
	}
	if got, err := r.rpcs["echo"](context.Background(), nil, ""); err != nil || got != "pong" {
		t.Fatalf("after put: %q %v", got, err)
	}
}

func TestPoolClose(t *testing.T) {
	e := newEngine(t, Config{})
	l, r := mustLoad(t, e, "ok.wasm", okGuest().bytes())
	i, err := l.modules[0].pool.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	l.modules[0].pool.put(i) // closed on return
	if _, err := r.rpcs["echo"](context.Background(), nil, ""); err == nil {
		t.Fatal("an unloaded module answered")
	}
}
