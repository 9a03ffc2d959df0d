package abi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
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

func TestEncodeIntegerTypes(t *testing.T) {
	for _, v := range []any{int8(-3), int16(-3), int32(-3), int(-3), int64(-3)} {
		if b, err := Encode(v); err != nil || hex.EncodeToString(b) != "0305" {
			t.Errorf("Encode(%T) = %x %v", v, b, err)
		}
	}
	for _, v := range []any{uint8(3), uint16(3), uint32(3), uint(3), uint64(3)} {
		if b, err := Encode(v); err != nil || hex.EncodeToString(b) != "0306" {
			t.Errorf("Encode(%T) = %x %v", v, b, err)
		}
	}
	if _, err := Encode(uint64(math.MaxUint64)); err == nil {
		t.Error("encoded a uint64 above MaxInt64")
	}
}

// point encodes itself as a map.
type point struct{ x, y int64 }

func (p *point) MarshalABI(e *Encoder) error {
	e.Map(2)
	e.Key("x")
	e.Int(p.x)
	e.Key("y")
	e.Int(p.y)
	return nil
}

func TestEncodeMarshaler(t *testing.T) {
	var none *point
	b, err := Encode([]any{&point{1, 2}, none})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := Decode(b)
	want := []any{map[string]any{"x": int64(1), "y": int64(2)}, nil}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v", v)
	}
}

func TestEncodeTooDeep(t *testing.T) {
	var v any = "x"
	for range MaxDepth + 1 {
		v = []any{v}
	}
	if _, err := Encode(v); err == nil {
		t.Fatal("encoded a value nested too deep")
	}
}

// message is the shape the Go SDK decodes match_loop messages into.
type message struct {
	sender   string
	op       int64
	data     []byte
	reliable bool
}

func readMessages(d *Decoder) (tick int64, msgs []message) {
	d.Map(func(k []byte) {
		switch string(k) {
		case "tick":
			tick, _ = d.ReadInt()
		case "messages":
			d.List(func(n int) { msgs = make([]message, n) }, func(i int) {
				m := &msgs[i]
				d.Map(func(k []byte) {
					switch string(k) {
					case "sender":
						d.Map(func(k []byte) {
							if string(k) == "session_id" {
								m.sender, _ = d.ReadString()
							}
						})
					case "op_code":
						m.op, _ = d.ReadInt()
					case "data":
						m.data, _ = d.ReadBytes()
					case "reliable":
						m.reliable, _ = d.ReadBool()
					}
				})
			})
		}
	})
	return tick, msgs
}

// readMessagesEnter is readMessages with EnterMap, EnterList and Key, as
// the Go SDK reads its hot inputs.
func readMessagesEnter(d *Decoder) (tick int64, msgs []message) {
	n, ok := d.EnterMap()
	for range n {
		switch string(d.Key()) {
		case "tick":
			tick, _ = d.ReadInt()
		case "messages":
			l, isList := d.EnterList()
			if isList {
				msgs = make([]message, l)
			}
			for i := range msgs {
				m := &msgs[i]
				entries, isMap := d.EnterMap()
				for range entries {
					switch string(d.Key()) {
					case "sender":
						ps, isSender := d.EnterMap()
						for range ps {
							if string(d.Key()) == "session_id" {
								m.sender, _ = d.ReadString()
							} else {
								d.Skip()
							}
						}
						if isSender {
							d.Leave()
						}
					case "op_code":
						m.op, _ = d.ReadInt()
					case "data":
						m.data, _ = d.ReadBytes()
					case "reliable":
						m.reliable, _ = d.ReadBool()
					default:
						d.Skip()
					}
				}
				if isMap {
					d.Leave()
				}
			}
			if isList {
				d.Leave()
			}
		default:
			d.Skip()
		}
	}
	if ok {
		d.Leave()
	}
	if d.Err() != nil {
		return 0, nil
	}
	return tick, msgs
}

func TestDecoderTyped(t *testing.T) {
	in, err := Encode(map[string]any{
		"tick":    int64(7),
		"unknown": map[string]any{"deep": []any{1.5, nil, "x", []byte{1}}},
		"messages": []any{
			map[string]any{"sender": map[string]any{"session_id": "s1", "user_id": "u1"}, "op_code": int64(4),
				"data": []byte("hi"), "reliable": true, "receive_time_ms": int64(1)},
			map[string]any{"op_code": 2.0, "data": "as a string", "reliable": "not a bool", "sender": "not a map"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var d Decoder
	d.Reset(in)
	tick, msgs := readMessages(&d)
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
	want := []message{{"s1", 4, []byte("hi"), true}, {"", 2, []byte("as a string"), false}}
	if tick != 7 || !reflect.DeepEqual(msgs, want) {
		t.Fatalf("got tick %d %#v", tick, msgs)
	}
	d.Reset(in)
	tick, msgs = readMessagesEnter(&d)
	if err := d.End(); err != nil || tick != 7 || !reflect.DeepEqual(msgs, want) {
		t.Fatalf("with EnterMap: tick %d %#v %v", tick, msgs, err)
	}
	if d.depth != 0 {
		t.Fatalf("depth %d after reading", d.depth)
	}
}

func TestDecoderLenient(t *testing.T) {
	b, _ := Encode([]any{"s", int64(1), 2.5, true, nil, map[string]any{}, []any{}})
	var d Decoder
	d.Reset(b)
	var got []string
	d.List(nil, func(i int) {
		switch i {
		case 0:
			_, ok := d.ReadInt()
			got = append(got, fmt.Sprint(ok))
		case 1:
			f, ok := d.ReadFloat()
			got = append(got, fmt.Sprint(f, ok))
		case 2:
			n, ok := d.ReadInt()
			got = append(got, fmt.Sprint(n, ok))
		case 3:
			_, ok := d.ReadString()
			got = append(got, fmt.Sprint(ok))
		case 4:
			got = append(got, fmt.Sprint(d.Map(func([]byte) {})))
		case 5:
			got = append(got, fmt.Sprint(d.List(nil, func(int) {})))
		case 6:
			// Left unread: skipped.
		}
	})
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"false", "1 true", "0 false", "false", "false", "false"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n, ok := func() (int64, bool) { d.Reset([]byte{TagFloat, 0, 0, 0, 0, 0, 0, 0xf0, 0x43}); return d.ReadInt() }(); ok {
		t.Fatalf("2^64 read as int %d", n)
	}
}

func TestDecoderMalformed(t *testing.T) {
	deep := strings.Repeat("0701", MaxDepth+1) + "00"
	for _, h := range []string{"", "09", "0380", "04000000", "0505616263", "07ffffffff0f", "080105", deep,
		"0801016107020309"} {
		b, _ := hex.DecodeString(h)
		var d Decoder
		d.Reset(b)
		readMessages(&d)
		if err := d.End(); !errors.Is(err, ErrMalformed) {
			t.Errorf("typed read of %s: %v, want ErrMalformed", h, err)
		}
		d.Reset(b)
		d.Skip()
		if err := d.End(); !errors.Is(err, ErrMalformed) {
			t.Errorf("Skip of %s: %v, want ErrMalformed", h, err)
		}
	}
	b, _ := hex.DecodeString("0000")
	var d Decoder
	d.Reset(b)
	d.Skip()
	if err := d.End(); err == nil || !strings.Contains(err.Error(), "1 trailing bytes") {
		t.Fatalf("trailing: %v", err)
	}
}

func FuzzDecoder(f *testing.F) {
	for _, h := range []string{"0801047469636b030e", "0801086d6573736167657307010800"} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The typed reader and Skip agree with Decode on what is malformed.
		_, err := Decode(b)
		var d Decoder
		d.Reset(b)
		d.Skip()
		if skipErr := d.End(); (err == nil) != (skipErr == nil) && !strings.Contains(fmt.Sprint(err), "duplicate") {
			t.Fatalf("Decode: %v, Skip: %v", err, skipErr)
		}
		d.Reset(b)
		tick, msgs := readMessages(&d)
		cbErr := d.Err()
		if cbErr != nil && !errors.Is(cbErr, ErrMalformed) {
			t.Fatal(cbErr)
		}
		// The two ways of reading agree.
		d.Reset(b)
		tick2, msgs2 := readMessagesEnter(&d)
		if (cbErr == nil) != (d.Err() == nil) {
			t.Fatalf("Map: %v, EnterMap: %v", cbErr, d.Err())
		}
		if cbErr == nil && (tick != tick2 || !reflect.DeepEqual(msgs, msgs2)) {
			t.Fatalf("Map: %d %#v, EnterMap: %d %#v", tick, msgs, tick2, msgs2)
		}
	})
}
