package wasm

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
	"github.com/arbiterhq/arbiter/test/testlog"
)

// setBody replaces the body of export name.
func (g *guest) setBody(name string, body []byte) *guest {
	for k := range g.m.funcs {
		if g.m.funcs[k].export == name {
			g.m.funcs[k].locals, g.m.funcs[k].body = []byte{vI64}, body
			return g
		}
	}
	panic("no export " + name)
}

// TestMatchLogFields runs a match_loop that logs through the log import
// and through nk's logger_info: each line names the module and the match,
// also through a handler that adds a context's fields (no key twice), and
// a guest cannot overwrite them with its own fields.
func TestMatchLogFields(t *testing.T) {
	g := matchGuest(nil)
	fields, _ := abi.Encode(map[string]any{"k": "v", "match_id": "forged", "module": "forged"})
	args, _ := abi.Encode([]any{"from nk"})
	g.setBody(exLoop.String(), cat(
		i32c(2), g.ptrLen([]byte("from log")), g.ptrLen(fields), call(g.imports["log"]), opDrop,
		g.ptrLen([]byte("logger_info")), g.ptrLen(args), call(g.imports["nk_call"]), opDrop,
		i64c(0)))
	tests := []struct {
		name    string
		handler func(w *testlog.Buffer) slog.Handler
		ctx     context.Context
	}{
		{"plain handler", func(w *testlog.Buffer) slog.Handler { return slog.NewJSONHandler(w, nil) }, context.Background()},
		{"server handler", func(w *testlog.Buffer) slog.Handler { return runtime.NewLogHandler(slog.NewJSONHandler(w, nil)) },
			runtime.WithLogFields(context.Background(), runtime.LogFields{MatchID: "m1.node", Module: "arena"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testlog.Buffer{}
			log := slog.New(tc.handler(logs))
			e := newEngine(t, Config{Logger: log, API: nk.New(nk.Deps{Logger: log})})
			l, _ := mustLoad(t, e, "games/m.wasm", g.bytes())
			h, err := l.NewHandler(context.Background(), "arena", matchEnv(&fakeDispatcher{}))
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			if err := h.Loop(tc.ctx, 1, nil); err != nil {
				t.Fatal(err)
			}
			for _, want := range []struct {
				msg, level string
				extra      map[string]any
			}{
				{"from log", "WARN", map[string]any{"k": "v"}},
				{"from nk", "INFO", nil},
			} {
				raw, recs := logs.JSON(t, want.msg)
				if len(recs) != 1 {
					t.Fatalf("%d lines %q logged, want 1", len(recs), want.msg)
				}
				r := recs[0]
				if r["module"] != "games.m" || r["match_id"] != "m1.node" || r["level"] != want.level {
					t.Errorf("%q logged %s, want module games.m, match_id m1.node, level %s", want.msg, raw[0], want.level)
				}
				for k, v := range want.extra {
					if r[k] != v {
						t.Errorf("%q: %s = %v, want %v", want.msg, k, r[k], v)
					}
				}
				for _, key := range []string{`"module"`, `"match_id"`} {
					if n := strings.Count(raw[0], key); n != 1 {
						t.Errorf("%q has the key %s %d times: %s", want.msg, key, n, raw[0])
					}
				}
			}
		})
	}
}
