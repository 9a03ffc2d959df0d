//go:build !wasip1

package arbiter

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

// The examples of ABI.md §3.
func TestEncoding(t *testing.T) {
	tests := []struct {
		v   any
		hex string
	}{
		{nil, "00"}, {true, "02"}, {false, "01"}, {int64(0), "0300"}, {int64(-1), "0301"},
		{int64(150), "03ac02"}, {1.5, "04000000000000f83f"}, {"hi", "05026869"},
		{[]byte{1, 0xff}, "060201ff"}, {[]any{int64(1), "a"}, "07020302050161"},
		{map[string]any{"op": int64(3)}, "0801026f700306"}, {map[string]any{}, "0800"},
	}
	for _, tc := range tests {
		b, err := Encode(tc.v)
		if err != nil || hex.EncodeToString(b) != tc.hex {
			t.Errorf("Encode(%#v) = %x %v, want %s", tc.v, b, err, tc.hex)
		}
		raw, _ := hex.DecodeString(tc.hex)
		if v, err := Decode(raw); err != nil || !reflect.DeepEqual(v, tc.v) {
			t.Errorf("Decode(%s) = %#v %v", tc.hex, v, err)
		}
	}
}

func TestEncodeGoValues(t *testing.T) {
	b, err := Encode(map[string]any{"n": 3, "p": Presence{SessionID: "s"}, "l": []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := Decode(b)
	want := map[string]any{"n": int64(3), "l": []any{"x"},
		"p": map[string]any{"user_id": "", "session_id": "s", "username": "", "node": ""}}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v", v)
	}
	if _, err := Encode(struct{}{}); err == nil {
		t.Fatal("encoded a struct")
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, h := range []string{"", "09", "0000", "0380", "04000000", "0505616263", "07ffffffff0f", "08020161000161" + "00"} {
		b, _ := hex.DecodeString(h)
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%s): %v, want ErrMalformed", h, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x07, 0x02, 0x03, 0x02, 0x05, 0x01, 0x61})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Decode(b); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	})
}
