package lua

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// TestHookBudget checks that a matchmaker_matched hook or a shutdown
// function that never returns is stopped by HookBudget (not by the far
// longer RPC budget) with ErrBudget, and that the pool, of one VM, then
// keeps serving: the VM that overran is replaced.
func TestHookBudget(t *testing.T) {
	cfg := testConfig()
	cfg.PoolMin, cfg.PoolMax = 1, 1
	cfg.RPCBudget = time.Minute // the hooks must not run under this one
	cfg.HookBudget = 50 * time.Millisecond
	const limit = 2 * time.Second // stopped well before this, even under -race
	entries := []any{map[string]any{"presence": map[string]any{"user_id": "u"}}}
	matchmaker := func(reg *vmtest.Registrations) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := reg.Matchmaker(ctx, &runtime.CallContext{ExecutionMode: runtime.ModeMatchmaker}, entries)
			return err
		}
	}
	shutdown := func(reg *vmtest.Registrations) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return reg.Shutdowns[0](ctx, &runtime.CallContext{ExecutionMode: runtime.ModeShutdown})
		}
	}
	cases := []struct {
		name     string
		register string
		call     func(reg *vmtest.Registrations) func(ctx context.Context) error
	}{
		{"matchmaker_matched loops", "nk.register_matchmaker_matched(function(context, entries) while true do end end)", matchmaker},
		{"matchmaker_matched loops in pcall", "nk.register_matchmaker_matched(function(context, entries) while true do pcall(function() while true do end end) end end)", matchmaker},
		{"shutdown loops", "nk.register_shutdown(function(context) while true do end end)", shutdown},
		{"shutdown loops in pcall", "nk.register_shutdown(function(context) while true do pcall(function() while true do end end) end end)", shutdown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "local nk = require('nakama')\n" + c.register + "\nnk.register_rpc(function() return 'ok' end, 'ok')"
			inst, reg := loadWith(t, cfg, map[string]string{"m.lua": src})
			call := c.call(reg)
			for round := range 2 { // the replacement VM runs the hook too
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				start := time.Now()
				err := call(ctx)
				took := time.Since(start)
				cancel()
				if !errors.Is(err, ErrBudget) {
					t.Fatalf("round %d: err = %v, want ErrBudget", round, err)
				}
				if took > limit {
					t.Fatalf("round %d: stopped after %s, want about the hook budget of %s", round, took, cfg.HookBudget)
				}
				ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
				got, err := reg.Call(ctx, "ok", "")
				cancel()
				if err != nil || got != "ok" {
					t.Fatalf("round %d: RPC after the overrun = %q, %v: the pool stopped serving", round, got, err)
				}
				if n := inst.pool.size(); n != 1 {
					t.Fatalf("round %d: pool has %d VMs, want 1", round, n)
				}
			}
		})
	}
}
