package wasm

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWASISandbox runs a Go guest (testdata/wasiprobe) that tries to reach
// the host through WASI: it finds no file system, no environment and no
// arguments, while its clocks and random bytes are the host's.
func TestWASISandbox(t *testing.T) {
	t.Setenv("ARBITER_WASI_PROBE", "host-secret")
	wasm := sdkExample(t, "wasiprobe")
	e := newEngine(t, sdkConfig(t, Config{}))
	_, r := mustLoad(t, e, "probe.wasm", wasm)
	call := func(t *testing.T, r *regs, id, payload string) string {
		t.Helper()
		fn := r.rpcs[id]
		if fn == nil {
			t.Fatalf("RPC %s not registered", id)
		}
		out, err := fn(context.Background(), nil, payload)
		if err != nil {
			t.Fatalf("%s(%q): %v", id, payload, err)
		}
		return out
	}
	wd, _ := os.Getwd()
	refused := []struct{ id, payload string }{
		{"read_file", "/etc/passwd"},
		{"read_file", "/etc/hostname"},
		{"read_file", "sdk_test.go"},
		{"read_file", wd + "/sdk_test.go"},
		{"read_file", "../../go.mod"},
		{"read_file", "/proc/self/environ"},
		{"read_dir", "/"},
		{"read_dir", "."},
		{"read_dir", os.TempDir()},
		{"write_file", "probe.txt"},
		{"write_file", os.TempDir() + "/arbiter-wasi-probe.txt"},
	}
	for _, tc := range refused {
		t.Run(tc.id+" "+tc.payload, func(t *testing.T) {
			if got := call(t, r, tc.id, tc.payload); !strings.HasPrefix(got, "error: ") {
				t.Fatalf("%s(%q) = %q, want an error", tc.id, tc.payload, got)
			}
		})
	}
	if _, err := os.Stat("probe.txt"); err == nil {
		t.Error("the guest wrote probe.txt in the host's folder")
		os.Remove("probe.txt")
	}
	t.Run("environment", func(t *testing.T) {
		for _, name := range []string{"ARBITER_WASI_PROBE", "PATH", "HOME"} {
			if got := call(t, r, "getenv", name); got != "false " {
				t.Errorf("getenv(%s) = %q, want nothing", name, got)
			}
		}
		if got := call(t, r, "environ", ""); got != "" {
			t.Errorf("environ = %q, want empty", got)
		}
	})
	t.Run("arguments", func(t *testing.T) {
		if got := call(t, r, "args", ""); got != "" {
			t.Errorf("args = %q, want none", got)
		}
	})
	t.Run("wall clock", func(t *testing.T) {
		before := time.Now()
		ns, err := strconv.ParseInt(call(t, r, "now", ""), 10, 64)
		after := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		// The host's clock: between the times read around the call (with a
		// little slack for clock granularity).
		if got := time.Unix(0, ns); got.Before(before.Add(-time.Second)) || got.After(after.Add(time.Second)) {
			t.Fatalf("the guest's time is %s, the host's %s to %s", got, before, after)
		}
	})
	t.Run("monotonic clock", func(t *testing.T) {
		start := time.Now()
		ns, err := strconv.ParseInt(call(t, r, "elapsed", "50"), 10, 64)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		// The guest spun until its clock said 50 ms: so did the host's.
		if guest := time.Duration(ns); guest < 50*time.Millisecond || took < guest-5*time.Millisecond {
			t.Fatalf("the guest measured %s, the host %s", guest, took)
		}
	})
	t.Run("random", func(t *testing.T) {
		seen := map[string]bool{}
		for range 3 {
			b := call(t, r, "random", "")
			if len(b) != 32 || b == strings.Repeat("0", 32) || seen[b] {
				t.Fatalf("random bytes %q after %v", b, seen)
			}
			seen[b] = true
		}
		// A fresh instance on another engine does not replay the same bytes,
		// as a seeded (not the host's) source would.
		e2 := newEngine(t, sdkConfig(t, Config{}))
		_, r2 := mustLoad(t, e2, "probe.wasm", wasm)
		if b := call(t, r2, "random", ""); seen[b] {
			t.Fatalf("another instance drew the same random bytes %q", b)
		}
	})
}
