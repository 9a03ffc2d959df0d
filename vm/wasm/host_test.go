package wasm

import (
	"reflect"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

const oob = int32(-256) // 0xffffff00: beyond any test guest's memory

func TestImports(t *testing.T) {
	listArgs := func(args ...any) []byte {
		b, err := abi.Encode(args)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	nkCall := func(name string, args []byte) func(g *guest) []byte {
		return func(g *guest) []byte {
			if args == nil {
				return cat(g.ptrLen([]byte(name)), i32c(0), i32c(0))
			}
			return cat(g.ptrLen([]byte(name)), g.ptrLen(args))
		}
	}
	tests := []struct {
		name    string
		imp     string
		args    func(g *guest) []byte
		status  uint64
		pending any // decoded pending reply; nil: none expected
	}{
		{"nk call", "nk_call", nkCall("echo", listArgs("hi")), statusOK, []any{"hi", int64(7)}},
		{"nk call defaults and coercion", "nk_call", nkCall("echo", listArgs(int64(5), 2.0)), statusOK, []any{"5", int64(2)}},
		{"nk call no args", "nk_call", nkCall("whoami", nil), statusOK, []any{"user-1"}},
		{"nk bad argument", "nk_call", nkCall("echo", listArgs(true)), statusError,
			map[string]any{"message": "bad argument #1 to echo (string expected, got boolean)"}},
		{"nk error with code", "nk_call", nkCall("fail", nil), statusError, map[string]any{"message": "nope", "code": int64(runtime.NotFound)}},
		{"nk panic", "nk_call", nkCall("boom", nil), statusError, map[string]any{"message": "internal error in boom"}},
		{"nk unknown", "nk_call", nkCall("nope", nil), statusNotFound, map[string]any{"message": "nk function not found: nope"}},
		{"nk malformed args", "nk_call", nkCall("echo", []byte{0x07, 0x05}), statusMalformed, nil},
		{"nk args not a list", "nk_call", nkCall("echo", []byte{0x03, 0x02}), statusMalformed,
			map[string]any{"message": "nk_call arguments must be a list"}},
		{"nk name out of bounds", "nk_call", func(g *guest) []byte { return cat(i32c(oob), i32c(64), i32c(0), i32c(0)) }, statusBadPointer, nil},
		{"nk args out of bounds", "nk_call", func(g *guest) []byte { return cat(g.ptrLen([]byte("echo")), i32c(100), i32c(1<<30)) }, statusBadPointer, nil},
		{"nk length wraps", "nk_call", func(g *guest) []byte { return cat(i32c(8), i32c(-1), i32c(0), i32c(0)) }, statusBadPointer, nil},
		{"kick out of bounds", "match_kick", func(g *guest) []byte { return cat(i32c(oob), i32c(8)) }, statusBadPointer, nil},
		{"label out of bounds", "match_label_update", func(g *guest) []byte { return cat(i32c(oob), i32c(8)) }, statusBadPointer, nil},
		{"broadcast out of bounds", "match_broadcast", func(g *guest) []byte {
			return cat(i64c(1), i32c(oob), i32c(8), i32c(0), i32c(0), i32c(0), i32c(0), i32c(0))
		}, statusBadPointer, nil},
	}
	e := newEngine(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuest(1).registers(map[string]any{"rpcs": []any{"x"}}).forward("arbiter_rpc", tc.imp, tc.args)
			l, _ := mustLoad(t, e, "i.wasm", g.bytes())
			word, pending, err := runExport(t, l.modules[0], exRPC, &runtime.CallContext{UserID: "user-1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if word>>32 != tc.status {
				t.Fatalf("status %d, want %d", word>>32, tc.status)
			}
			if tc.pending == nil {
				return
			}
			v, err := abi.Decode(pending)
			if err != nil || !reflect.DeepEqual(v, tc.pending) {
				t.Fatalf("pending %#v (%v), want %#v", v, err, tc.pending)
			}
		})
	}
}

// i32Import calls an import returning i32 and stores its status as a
// result word.
func i32Import(g *guest, imp string, args []byte) []byte {
	extendShift := []byte{0xad, 0x42, 32, 0x86} // i64.extend_i32_u; i64.const 32; i64.shl
	return cat(i32c(wordAt), args, call(g.imports[imp]), extendShift, opI64StoreAt0, i64c(0))
}

func TestI32Imports(t *testing.T) {
	tests := []struct {
		name   string
		body   func(g *guest) []byte
		status uint64
	}{
		{"log", func(g *guest) []byte {
			f, _ := abi.Encode(map[string]any{"k": "v"})
			return i32Import(g, "log", cat(i32c(1), g.ptrLen([]byte("hello")), g.ptrLen(f)))
		}, statusOK},
		{"log bad fields", func(g *guest) []byte {
			return i32Import(g, "log", cat(i32c(1), g.ptrLen([]byte("hello")), g.ptrLen([]byte{0x03})))
		}, statusMalformed},
		{"log out of bounds", func(g *guest) []byte {
			return i32Import(g, "log", cat(i32c(9), i32c(oob), i32c(10), i32c(0), i32c(0)))
		}, statusBadPointer},
		{"take nothing pending", func(g *guest) []byte { return i32Import(g, "take", cat(i32c(pendingAt), i32c(8))) }, statusNotFound},
		{"take out of bounds", func(g *guest) []byte {
			nk := cat(g.ptrLen([]byte("nope")), i32c(0), i32c(0), call(g.imports["nk_call"]), opDrop)
			return cat(nk, i32Import(g, "take", cat(i32c(oob), i32c(64))))
		}, statusBadPointer},
	}
	e := newEngine(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuest(1).registers(map[string]any{"rpcs": []any{"x"}})
			g.body("arbiter_rpc", tc.body(g))
			l, _ := mustLoad(t, e, "i.wasm", g.bytes())
			word, _, err := runExport(t, l.modules[0], exRPC, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if word>>32 != tc.status {
				t.Fatalf("status %d, want %d", word>>32, tc.status)
			}
		})
	}
}

func TestBadAllocator(t *testing.T) {
	e := newEngine(t, Config{})
	g := okGuest()
	g.m.funcs[1].body = i32c(oob) // arbiter_alloc
	_, _, err := loadOne(t, e, "a.wasm", g.bytes())
	wantErr(t, err, "arbiter_alloc: returned an invalid buffer")
}
