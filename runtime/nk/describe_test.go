package nk

import (
	"regexp"
	"slices"
	"testing"
)

func bare() *env {
	return &env{api: New(Deps{Node: testNode, Version: "1.2.3", Env: map[string]string{"k": "v"}})}
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestDescriptions checks what annotations and the WASM ABI are generated
// from: every function, parameter and result is named and documented, and
// defaults have their parameter's type.
func TestDescriptions(t *testing.T) {
	a := bare().api
	seen := map[string]bool{}
	for _, f := range a.Funcs() {
		if seen[f.Name] {
			t.Errorf("%s listed twice", f.Name)
		}
		seen[f.Name] = true
		if !snake.MatchString(f.Name) || f.Doc == "" || f.Run == nil {
			t.Errorf("%s: bad name, no doc or no Run", f.Name)
		}
		if a.Func(f.Name) != f {
			t.Errorf("%s: Func does not find it", f.Name)
		}
		checkParams(t, f)
		checkResults(t, f)
	}
	if !slices.IsSortedFunc(a.Funcs(), func(x, y *Func) int { return cmpString(x.Name, y.Name) }) {
		t.Error("Funcs is not sorted")
	}
	for _, name := range wantFuncs {
		if !seen[name] {
			t.Errorf("missing function %s", name)
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func checkParams(t *testing.T, f *Func) {
	names := map[string]bool{}
	optional := false
	for i, p := range f.Params {
		if !snake.MatchString(p.Name) || p.Doc == "" || names[p.Name] {
			t.Errorf("%s param %d %q: bad or duplicate name, or no doc", f.Name, i+1, p.Name)
		}
		names[p.Name] = true
		if p.Default != nil {
			if !p.Optional {
				t.Errorf("%s.%s: default on a required parameter", f.Name, p.Name)
			}
			if cv, ok := convert(p.Type, p.Default); !ok || TypeName(cv) != TypeName(p.Default) {
				t.Errorf("%s.%s: default %v (%T) is not a %s", f.Name, p.Name, p.Default, p.Default, p.Type)
			}
		}
		// storage_list(user_id?, collection?, limit, ...) is Nakama's order.
		if optional && !p.Optional && p.Type != TypeAny && f.Name != "storage_list" {
			t.Errorf("%s.%s: required parameter after an optional one", f.Name, p.Name)
		}
		optional = optional || p.Optional
	}
}

func checkResults(t *testing.T, f *Func) {
	names := map[string]bool{}
	for i, r := range f.Results {
		if !snake.MatchString(r.Name) || r.Doc == "" || names[r.Name] {
			t.Errorf("%s result %d %q: bad or duplicate name, or no doc", f.Name, i+1, r.Name)
		}
		names[r.Name] = true
	}
}

var wantFuncs = []string{
	"register_rpc", "register_matchmaker_matched", "register_shutdown", "run_once", "get_context",
	"match_create", "match_get", "match_list", "match_signal",
	"storage_read", "storage_write", "storage_delete", "storage_list",
	"notification_send", "notifications_send",
	"stream_user_join", "stream_user_update", "stream_user_leave", "stream_user_get", "stream_user_list",
	"stream_send", "stream_count", "stream_close", "session_disconnect",
	"account_get_id", "account_update_id", "users_get_id",
	"json_encode", "json_decode", "uuid_v4", "uuid_bytes_to_string", "uuid_string_to_bytes", "time",
	"base64_encode", "base64_decode", "base64url_encode", "base64url_decode", "base16_encode", "base16_decode",
	"md5_hash", "sha256_hash", "hmac_sha256_hash",
	"logger_debug", "logger_info", "logger_warn", "logger_error",
	"localcache_get", "localcache_put", "localcache_delete", "localcache_clear",
	"event",
}

// TestArgumentTypes calls every function with a value of the wrong type
// for each required parameter and checks Lua's wording. The other
// arguments are left nil, so an earlier required parameter would report
// first: only the first required parameter is checked per function, plus
// the later ones with earlier arguments valid.
func TestArgumentTypes(t *testing.T) {
	a := bare().api
	for _, f := range a.Funcs() {
		args := make([]any, len(f.Params))
		for i, p := range f.Params {
			bad, got := wrongValue(p.Type)
			if bad == nil {
				args[i] = goodValue(p.Type)
				continue
			}
			args[i] = bad
			_, err := f.Invoke(&Call{}, args)
			want := "bad argument #" + itoa(i+1) + " to " + f.Name + " (" + p.Type.String() + " expected, got " + got + ")"
			if p.Expects != "" {
				want = "bad argument #" + itoa(i+1) + " to " + f.Name + " (" + p.Expects + ")"
			}
			if err == nil || err.Error() != want {
				t.Errorf("%s: %v, want %q", f.Name, err, want)
			}
			args[i] = goodValue(p.Type)
		}
	}
}

func itoa(n int) string { return FormatNumber(int64(n)) }

// wrongValue returns a value no parameter of type t accepts, and its Lua
// type name; nil for TypeAny.
func wrongValue(t Type) (any, string) {
	switch t {
	case TypeAny:
		return nil, ""
	case TypeString, TypeBytes, TypeInt, TypeNumber:
		return true, "boolean"
	}
	return "x", "string"
}

func goodValue(t Type) any {
	switch t {
	case TypeBool:
		return true
	case TypeInt:
		return int64(1)
	case TypeNumber:
		return 1.5
	case TypeString, TypeBytes:
		return "x"
	case TypeList:
		return []any{}
	case TypeMap, TypeTable:
		return map[string]any{}
	case TypeFunction:
		return &fakeFunction{}
	}
	return nil
}
