package wasm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// The examples of sdk/ABI.md §3.
func TestEncodingExamples(t *testing.T) {
	tests := []struct {
		v   any
		hex string
	}{
		{nil, "00"},
		{true, "02"},
		{false, "01"},
		{int64(0), "0300"},
		{int64(-1), "0301"},
		{int64(150), "03ac02"},
		{1.5, "04000000000000f83f"},
		{"hi", "05026869"},
		{[]byte{1, 0xff}, "060201ff"},
		{[]any{int64(1), "a"}, "070203020501" + "61"},
		{map[string]any{"op": int64(3)}, "0801026f700306"},
		{map[string]any{}, "0800"},
		{int64(math.MinInt64), "03ffffffffffffffffff01"},
	}
	for _, tc := range tests {
		b, err := Encode(tc.v)
		if err != nil || hex.EncodeToString(b) != tc.hex {
			t.Errorf("Encode(%#v) = %x %v, want %s", tc.v, b, err, tc.hex)
		}
		raw, _ := hex.DecodeString(tc.hex)
		v, err := Decode(raw)
		if err != nil || !reflect.DeepEqual(v, tc.v) {
			t.Errorf("Decode(%s) = %#v %v, want %#v", tc.hex, v, err, tc.v)
		}
	}
}

func TestEncodeGoTypes(t *testing.T) {
	v := map[string]any{"i": 3, "u": uint32(4), "f": float32(0.5), "l": []string{"a"},
		"m": map[string]string{"k": "v"}, "lm": []map[string]any{{"x": nil}}}
	b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Decode(b)
	want := map[string]any{"i": int64(3), "u": int64(4), "f": 0.5, "l": []any{"a"},
		"m": map[string]any{"k": "v"}, "lm": []any{map[string]any{"x": nil}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
	if _, err := Encode(struct{}{}); err == nil {
		t.Fatal("encoded a struct")
	}
}

func TestDecodeMalformed(t *testing.T) {
	deep := strings.Repeat("0701", MaxDepth+1) + "00"
	tests := []struct{ name, hex, want string }{
		{"empty", "", "truncated value"},
		{"unknown tag", "09", "unknown tag 0x09"},
		{"trailing", "0000", "1 trailing bytes"},
		{"truncated varint", "0380", "truncated varint"},
		{"varint overflow", "03ffffffffffffffffff7f", "varint overflow"},
		{"truncated float", "04000000", "truncated float"},
		{"string too long", "0505616263", "exceeds"},
		{"huge count", "07ffffffff0f", "exceeds"},
		{"duplicate key", "080201610001610" + "0", "duplicate map key"},
		{"map key truncated", "080105", "exceeds"},
		{"too deep", deep, "nesting deeper"},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.hex)
		_, err := Decode(b)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	ok, _ := hex.DecodeString(strings.Repeat("0701", MaxDepth) + "00")
	if _, err := Decode(ok); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, h := range []string{"00", "03ac02", "05026869", "0702030205016" + "1", "0801026f700306", "04000000000000f83f", "07ffffffff0f"} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not ErrMalformed: %v", err)
			}
			return
		}
		// Whatever decodes re-encodes and decodes to the same value.
		enc, err := Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := Decode(enc)
		if err != nil || !equalValues(v, v2) {
			t.Fatalf("round trip: %#v -> %x -> %#v %v", v, enc, v2, err)
		}
	})
}

// equalValues is reflect.DeepEqual with NaN equal to itself.
func equalValues(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equalValues(x[k], y[k]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equalValues(x[k], y[k]) {
				return false
			}
		}
		return true
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return reflect.DeepEqual(a, b)
}
