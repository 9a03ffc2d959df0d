package nk

import (
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestMatchCreateAndGet(t *testing.T) {
	e := newEnv(t)
	params := map[string]any{"label": "lobby", "nested": map[string]any{"n": int64(1)}}
	id := e.call(t, "match_create", "game", params)[0].(string)
	if !strings.HasSuffix(id, "."+testNode) {
		t.Fatalf("id = %q", id)
	}
	// The handler got a copy of the params.
	params["nested"].(map[string]any)["n"] = int64(2)
	if got := e.factory.params[0]["nested"].(map[string]any)["n"]; got != int64(1) {
		t.Fatalf("params shared with the caller: %v", got)
	}

	got := e.call(t, "match_get", id)[0].(map[string]any)
	want := map[string]any{
		"match_id": id, "authoritative": true, "label": "lobby", "size": int64(0),
		"tick_rate": int64(10), "handler_name": "game",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("match_get[%s] = %v, want %v", k, got[k], v)
		}
	}
	// nil params give match_init an empty table.
	e.call(t, "match_create", "game", nil)
	if p := e.factory.params[1]; p == nil || len(p) != 0 {
		t.Fatalf("params = %#v, want empty map", p)
	}
	// Unknown, relayed and other-node ids are nil.
	for _, other := range []string{runtime.NewUUID().String() + "." + testNode, runtime.NewUUID().String() + ".", runtime.NewUUID().String() + ".elsewhere"} {
		if v := e.call(t, "match_get", other)[0]; v != nil {
			t.Errorf("match_get(%s) = %v, want nil", other, v)
		}
	}
}

func TestMatchCreateErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		args []any
		want string
	}{
		{"empty module", []any{"", nil}, "bad argument #1 to match_create (expects module name)"},
		{"nil module", []any{nil, nil}, "bad argument #1 to match_create (string expected, got nil)"},
		{"list params", []any{"game", []any{int64(1)}}, "bad argument #2 to match_create (expects params to be nil or a table of key-value pairs)"},
		{"string params", []any{"game", "x"}, "bad argument #2 to match_create (expects params to be nil or a table of key-value pairs)"},
		{"function in params", []any{"game", map[string]any{"f": &fakeFunction{}}}, "error creating match: cannot encode params"},
		{"unknown module", []any{"nope", nil}, "error creating match: not found"},
		{"bad tick rate", []any{"game_bad_rate", nil}, "error creating match: match_init returned invalid tick rate, must be between 1 and 60"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { e.wantErr(t, tt.want, "match_create", tt.args...) })
	}
	e.wantErr(t, "failed to get match: match id invalid", "match_get", "not-an-id")
}

func TestMatchList(t *testing.T) {
	e := newEnv(t)
	a := e.call(t, "match_create", "game", map[string]any{"label": `{"mode":"ranked","level":12}`})[0]
	b := e.call(t, "match_create", "game", map[string]any{"label": "plain"})[0]

	ids := func(out []any) []any {
		l := out[0].([]any)
		r := make([]any, len(l))
		for i, m := range l {
			r[i] = m.(map[string]any)["match_id"]
		}
		return r
	}
	// Default limit 1: the newest.
	if got := ids(e.call(t, "match_list")); len(got) != 1 || got[0] != b {
		t.Fatalf("default list = %v, want [%v]", got, b)
	}
	if got := ids(e.call(t, "match_list", int64(10), true, "plain")); len(got) != 1 || got[0] != b {
		t.Fatalf("label list = %v", got)
	}
	if got := ids(e.call(t, "match_list", int64(10), nil, nil, nil, nil, "+label.mode:ranked")); len(got) != 1 || got[0] != a {
		t.Fatalf("query list = %v", got)
	}
	if got := ids(e.call(t, "match_list", int64(10), nil, nil, 1.0, nil)); len(got) != 0 {
		t.Fatalf("min_size 1 = %v, want none", got)
	}
	if got := ids(e.call(t, "match_list", int64(10), nil, nil, 0.0, 0.5)); len(got) != 2 {
		t.Fatalf("max_size 0.5 (truncated to 0) = %v, want both", got)
	}
	if got := ids(e.call(t, "match_list", int64(0))); len(got) != 0 {
		t.Fatalf("limit 0 = %v", got)
	}
	e.wantErr(t, "failed to list matches: error parsing query string: missing value after \"label:\" at offset 6",
		"match_list", int64(10), nil, nil, nil, nil, "+label:")
}

func TestMatchListArguments(t *testing.T) {
	e := bare()
	tests := []struct {
		args []any
		want string
	}{
		{[]any{"x"}, "bad argument #1 to match_list (integer expected, got string)"},
		{[]any{nil, "yes"}, "bad argument #2 to match_list (expects authoritative true/false or nil)"},
		{[]any{nil, nil, true}, "bad argument #3 to match_list (expects label string or nil)"},
		{[]any{nil, nil, nil, "x"}, "bad argument #4 to match_list (expects minimum size number or nil)"},
		{[]any{nil, nil, nil, nil, map[string]any{}}, "bad argument #5 to match_list (expects maximum size number or nil)"},
		{[]any{nil, nil, nil, nil, nil, false}, "bad argument #6 to match_list (expects query string or nil)"},
	}
	for _, tt := range tests {
		e.wantErr(t, tt.want, "match_list", tt.args...)
	}
}

func TestMatchSignal(t *testing.T) {
	e := newEnv(t)
	id := e.call(t, "match_create", "game", nil)[0]
	if got := e.call(t, "match_signal", id, "ping")[0]; got != "echo:ping" {
		t.Fatalf("signal = %v", got)
	}
	if got := e.call(t, "match_signal", id)[0]; got != "echo:" {
		t.Fatalf("signal without data = %v", got)
	}
	e.wantErr(t, "failed to signal match: match id invalid", "match_signal", "bad", "x")
	e.wantErr(t, "failed to signal match: match not found", "match_signal", runtime.NewUUID().String()+"."+testNode, "x")
	e.wantErr(t, "failed to signal match: match not found", "match_signal", runtime.NewUUID().String()+".", "x")
}
