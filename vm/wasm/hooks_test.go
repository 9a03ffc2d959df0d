package wasm

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// TestReloadSwitchesWASMHooks loads versions of a WASM module through the
// module manager: the matchmaker hook and the shutdown hook that run are
// those of the current version, also through a hook taken before a reload.
func TestReloadSwitchesWASMHooks(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var ran []string // the shutdown hooks run, by version
	api := testAPI()
	api["mark"] = &nk.Func{Name: "mark", Params: []nk.Param{{Name: "s", Type: nk.TypeString}},
		Run: func(c *nk.Call, args []any) ([]any, error) {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, args[0].(string))
			return nil, nil
		}}
	shutdowns := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := ran
		ran = nil
		return out
	}
	e := newEngine(t, Config{API: api})
	m := module.NewManager(nil, e)
	t.Cleanup(m.Close)
	// version makes a module whose hooks answer or mark v; without hooks
	// when v is "".
	version := func(v string) []byte {
		if v == "" {
			return okGuest().bytes()
		}
		g := newGuest(1).registers(map[string]any{"matchmaker_matched": true, "shutdown": true})
		g.reply(exMatchmaker.String(), statusOK, v)
		args, _ := abi.Encode([]any{v})
		g.forward(exShutdown.String(), "nk_call", func(g *guest) []byte { return cat(g.ptrLen([]byte("mark")), g.ptrLen(args)) })
		return g.bytes()
	}
	var first module.MatchmakerFunc
	for _, v := range []string{"v1", "v2", "", "v4"} {
		if _, err := m.Load(ctx, []module.File{{Name: "hooks", Path: "hooks.wasm", Data: version(v)}}); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		hook := m.MatchmakerHook()
		if (hook == nil) != (v == "") {
			t.Fatalf("%q: hook %v", v, hook != nil)
		}
		if hook != nil {
			if got, err := hook(ctx, nil, []any{}); err != nil || got != v {
				t.Fatalf("%q: the hook answers %q %v", v, got, err)
			}
		}
		if first == nil {
			first = hook
		} else if got, err := first(ctx, nil, []any{}); err != nil || got != v {
			t.Fatalf("%q: the hook of v1 answers %q %v", v, got, err)
		}
		m.RunShutdown(ctx, nil)
		want := []string{v}
		if v == "" {
			want = nil
		}
		if got := shutdowns(); !slices.Equal(got, want) {
			t.Fatalf("%q: shutdown hooks run %q, want %q", v, got, want)
		}
	}
}
