package wasm

import (
	"errors"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/module"
)

func okGuest() *guest {
	return newGuest(1).registers(map[string]any{"rpcs": []any{"Echo"}}).reply("arbiter_rpc", statusOK, "pong")
}

func TestLoadRefuses(t *testing.T) {
	tests := []struct {
		name  string
		build func() []byte
		want  string
	}{
		{"unknown version", func() []byte { return newGuest(2).registers(nil).bytes() },
			"module built for Arbiter ABI version 2; this server supports version 1"},
		{"missing version", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.funcs[0].export = ""
			return g.bytes()
		}, "not an Arbiter module: missing export arbiter_abi_version () -> i32"},
		{"version of wrong type", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.funcs[0].results, g.m.funcs[0].body = []byte{vI64}, i64c(1)
			return g.bytes()
		}, "missing export arbiter_abi_version"},
		{"newer host module", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.imports[0].module = "arbiter_v2"
			return g.bytes()
		}, "module imports arbiter_v2 (ABI version 2); this server supports arbiter_v1"},
		{"unknown import", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.imports[0].name = "teleport"
			return g.bytes()
		}, "unknown import arbiter_v1.teleport"},
		{"import of wrong signature", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.imports[0].results = []byte{vI64}
			return g.bytes()
		}, "import arbiter_v1.take has signature (i32, i32) -> i64, want (i32, i32) -> i32"},
		{"foreign host module", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.imports[0].module = "env"
			return g.bytes()
		}, `imports from module "env"`},
		{"command module", func() []byte {
			return newGuest(1).registers(nil).fn("_start", nil, nil, nil, nil).bytes()
		}, "WASI command"},
		{"no memory export", func() []byte {
			g := newGuest(1).registers(nil)
			g.m.noMemory = true
			return g.bytes()
		}, "missing export memory"},
		{"no init", func() []byte { return newGuest(1).bytes() }, "missing export arbiter_init"},
		{"rpcs without arbiter_rpc", func() []byte {
			return newGuest(1).registers(map[string]any{"rpcs": []any{"a"}}).bytes()
		}, "registers RPCs but does not export arbiter_rpc"},
		{"handlers without callbacks", func() []byte {
			return newGuest(1).registers(map[string]any{"match_handlers": []any{"m"}}).bytes()
		}, "registers match handlers but does not export arbiter_match_create"},
		{"init fails", func() []byte {
			return newGuest(1).reply("arbiter_init", statusError, map[string]any{"message": "no config"}).bytes()
		}, "no config"},
		{"bad registrations", func() []byte {
			return newGuest(1).registers(map[string]any{"rpcs": "a"}).bytes()
		}, "rpcs must be a list of strings"},
		{"initial memory above the limit", func() []byte {
			g := okGuest()
			g.m.memPages = 9
			return g.bytes()
		}, "memory"},
		{"not wasm", func() []byte { return []byte("-- lua?") }, "invalid magic number"},
	}
	e := newEngine(t, Config{MemoryLimitPages: 8})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadOne(t, e, "games/bad.wasm", tc.build())
			var le *module.LoadError
			if !errors.As(err, &le) || le.Path != "games/bad.wasm" {
				t.Fatalf("got %v, want a LoadError of games/bad.wasm", err)
			}
			wantErr(t, err, tc.want)
		})
	}
}

func TestLoadRegisters(t *testing.T) {
	e := newEngine(t, Config{})
	g := newGuest(1).registers(map[string]any{"rpcs": []any{"Echo"}, "matchmaker_matched": true, "shutdown": true}).
		reply("arbiter_rpc", statusOK, "pong").
		reply("arbiter_matchmaker_matched", statusOK, "m.node").
		reply("arbiter_shutdown", statusOK, nil)
	_, r := mustLoad(t, e, "a.wasm", g.bytes())
	if r.rpcs["echo"] == nil || r.matchmaker == nil || r.shutdown == nil {
		t.Fatalf("registrations: %+v", r)
	}
	id, err := r.matchmaker(t.Context(), nil, []any{map[string]any{"presence": map[string]any{}}})
	if err != nil || id != "m.node" {
		t.Fatalf("matchmaker: %q %v", id, err)
	}
	if err := r.shutdown(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if !e.Accepts("x/Y.WASM") || e.Accepts("x.lua") || e.Name() != "wasm" {
		t.Fatal("Accepts/Name")
	}
}

func TestLoadDuplicateHandler(t *testing.T) {
	e := newEngine(t, Config{})
	g := matchGuest(nil).bytes()
	r := &regs{}
	_, err := e.Load(t.Context(), []module.File{{Name: "a", Path: "a.wasm", Data: g}, {Name: "b", Path: "b.wasm", Data: g}}, r)
	wantErr(t, err, `b.wasm: match handler "arena" is also served by a.wasm`)
}

func TestCompilationCache(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		e := newEngine(t, Config{CacheDir: dir})
		mustLoad(t, e, "a.wasm", okGuest().bytes())
	}
}
