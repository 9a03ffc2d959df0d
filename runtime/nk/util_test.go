package nk

import (
	"crypto/hmac"
	"crypto/sha256"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestJSONEncode(t *testing.T) {
	e := bare()
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{int64(3), "3"},
		{3.0, "3"},
		{2.5, "2.5"},
		{"a<b>&", `"a\u003cb\u003e\u0026"`},
		{[]byte("raw"), `"raw"`},
		{map[string]any{}, "{}"},
		{[]any{}, "{}"},
		{[]any{int64(1), nil, "x"}, `[1,null,"x"]`},
		{map[string]any{"b": int64(1), "a": map[string]any{"c": []any{}}}, `{"a":{"c":{}},"b":1}`},
	}
	for _, tt := range tests {
		if got := e.call(t, "json_encode", tt.in)[0]; got != tt.want {
			t.Errorf("json_encode(%#v) = %v, want %s", tt.in, got, tt.want)
		}
	}
	e.wantErr(t, "error encoding to JSON: json: unsupported value: NaN", "json_encode", math.NaN())
}

func TestJSONDecode(t *testing.T) {
	e := bare()
	tests := []struct {
		in   string
		want any
	}{
		{"null", nil},
		{"12", int64(12)},
		{"1.5", 1.5},
		{"1e2", 100.0},
		{"123456789012345678901234", 1.2345678901234568e23},
		{`"s"`, "s"},
		{`{"a":null,"b":[1,null,{"c":true}]}`, map[string]any{"b": []any{int64(1), nil, map[string]any{"c": true}}}},
	}
	for _, tt := range tests {
		if got := e.call(t, "json_decode", tt.in)[0]; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("json_decode(%s) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
	e.wantErr(t, "bad argument #1 to json_decode (expects JSON string)", "json_decode", "")
	e.wantErr(t, "not a valid JSON string: unexpected end of JSON input", "json_decode", "{")
	e.wantErr(t, "not a valid JSON string: invalid character 'x' after top-level value", "json_decode", "1 x")
}

func TestUUIDAndTime(t *testing.T) {
	e := bare()
	id := e.call(t, "uuid_v4")[0].(string)
	if u, ok := runtime.ParseUUID(id); !ok || u[6]>>4 != 4 {
		t.Fatalf("uuid_v4 = %s", id)
	}
	b := e.call(t, "uuid_string_to_bytes", id)[0].([]byte)
	if len(b) != 16 || e.call(t, "uuid_bytes_to_string", b)[0] != id {
		t.Fatalf("round trip of %s failed", id)
	}
	e.wantErr(t, "bad argument #1 to uuid_string_to_bytes (not a valid UUID string)", "uuid_string_to_bytes", "x")
	e.wantErr(t, "bad argument #1 to uuid_bytes_to_string (not a valid UUID byte string)", "uuid_bytes_to_string", "short")
	e.wantErr(t, "bad argument #1 to uuid_bytes_to_string (expects a UUID byte string)", "uuid_bytes_to_string", "")

	before := time.Now().UnixMilli()
	now := e.call(t, "time")[0].(int64)
	if now < before || now > time.Now().UnixMilli() {
		t.Fatalf("time = %d", now)
	}
	got := e.call(t, "time", obj("year", int64(2024), "month", int64(2), "day", 3.0))[0]
	if want := time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC).UnixMilli(); got != want {
		t.Fatalf("time(date) = %v, want %d", got, want)
	}
	got = e.call(t, "time", obj("year", int64(2024), "month", int64(2), "day", int64(3), "hour", int64(0), "msec", int64(5)))[0]
	if want := time.Date(2024, 2, 3, 0, 0, 0, 5e6, time.UTC).UnixMilli(); got != want {
		t.Fatalf("time(date) = %v, want %d", got, want)
	}
}

func TestCodecs(t *testing.T) {
	e := bare()
	tests := []struct {
		name string
		args []any
		want any
	}{
		{"base64_encode", []any{"ab"}, "YWI="},
		{"base64_encode", []any{"ab", false}, "YWI"},
		{"base64_encode", []any{[]byte{0xff, 0xfe}}, "//4="},
		{"base64_decode", []any{"YWI"}, []byte("ab")},
		{"base64_decode", []any{"YWI="}, []byte("ab")},
		{"base64_decode", []any{"YWI=", false}, []byte("ab")},
		{"base64url_encode", []any{[]byte{0xff, 0xfe}}, "__4="},
		{"base64url_encode", []any{[]byte{0xff, 0xfe}, false}, "__4"},
		{"base64url_decode", []any{"__4"}, []byte{0xff, 0xfe}},
		{"base64url_decode", []any{"__4=", true}, []byte{0xff, 0xfe}},
		{"base16_encode", []any{"ab"}, "6162"},
		{"base16_decode", []any{"6162"}, []byte("ab")},
		{"md5_hash", []any{"abc"}, "900150983cd24fb0d6963f7d28e17f72"},
		{"sha256_hash", []any{"abc"}, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := e.call(t, tt.name, tt.args...)[0]; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s%v = %#v, want %#v", tt.name, tt.args, got, tt.want)
		}
	}
	mac := hmac.New(sha256.New, []byte("key"))
	mac.Write([]byte("msg"))
	if got := e.call(t, "hmac_sha256_hash", "msg", "key")[0]; !reflect.DeepEqual(got, mac.Sum(nil)) {
		t.Errorf("hmac = %x", got)
	}
}

func TestCodecErrors(t *testing.T) {
	e := bare()
	for _, name := range []string{"base64_encode", "base64_decode", "base64url_encode", "base64url_decode", "base16_encode", "base16_decode"} {
		e.wantErr(t, "bad argument #1 to "+name+" (expects string)", name, "")
	}
	for _, name := range []string{"md5_hash", "sha256_hash", "hmac_sha256_hash"} {
		e.wantErr(t, "bad argument #1 to "+name+" (expects input string)", name, "", "k")
	}
	e.wantErr(t, "bad argument #2 to hmac_sha256_hash (expects key string)", "hmac_sha256_hash", "m", "")
	e.wantErr(t, "bad argument #1 to sha256_hash (string expected, got nil)", "sha256_hash")
	e.wantErr(t, "not a valid base64 string: illegal base64 data at input byte 0", "base64_decode", "YWI", false)
	e.wantErr(t, "not a valid base64 string: illegal base64 data at input byte 0", "base64_decode", "!!!!")
	e.wantErr(t, "not a valid base64 url string: illegal base64 data at input byte 0", "base64url_decode", "+/")
	e.wantErr(t, "not a valid base16 string: encoding/hex: invalid byte: U+0078 'x'", "base16_decode", "xx")
}
