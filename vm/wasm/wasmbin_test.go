package wasm

import (
	"encoding/binary"

	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// A minimal WebAssembly module encoder for hand-made test guests.

const (
	vI32 = 0x7f
	vI64 = 0x7e
)

type wImport struct {
	module, name    string
	params, results []byte
}

type wFunc struct {
	export          string // "" for none
	params, results []byte
	locals          []byte // one value type per local
	body            []byte // without the final end
}

type wData struct {
	offset uint32
	bytes  []byte
}

type wModule struct {
	imports  []wImport
	funcs    []wFunc
	memPages uint32
	noMemory bool // do not export memory
	data     []wData
}

func uleb(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func sleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func wName(b []byte, s string) []byte { return append(uleb(b, uint64(len(s))), s...) }

func wVec(b []byte, n int, each func(b []byte, k int) []byte) []byte {
	b = uleb(b, uint64(n))
	for k := range n {
		b = each(b, k)
	}
	return b
}

func section(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = uleb(out, uint64(len(body)))
	return append(out, body...)
}

func funcType(b []byte, params, results []byte) []byte {
	b = append(b, 0x60)
	b = append(uleb(b, uint64(len(params))), params...)
	return append(uleb(b, uint64(len(results))), results...)
}

func (m *wModule) bytes() []byte {
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	ni := len(m.imports)
	out = section(out, 1, wVec(nil, ni+len(m.funcs), func(b []byte, k int) []byte {
		if k < ni {
			return funcType(b, m.imports[k].params, m.imports[k].results)
		}
		return funcType(b, m.funcs[k-ni].params, m.funcs[k-ni].results)
	}))
	out = section(out, 2, wVec(nil, ni, func(b []byte, k int) []byte {
		b = wName(wName(b, m.imports[k].module), m.imports[k].name)
		return uleb(append(b, 0x00), uint64(k))
	}))
	out = section(out, 3, wVec(nil, len(m.funcs), func(b []byte, k int) []byte { return uleb(b, uint64(ni+k)) }))
	out = section(out, 5, uleb(append(uleb(nil, 1), 0x00), uint64(m.memPages)))
	var exports [][]byte
	if !m.noMemory {
		exports = append(exports, append(wName(nil, "memory"), 0x02, 0x00))
	}
	for k, f := range m.funcs {
		if f.export != "" {
			exports = append(exports, uleb(append(wName(nil, f.export), 0x00), uint64(ni+k)))
		}
	}
	out = section(out, 7, wVec(nil, len(exports), func(b []byte, k int) []byte { return append(b, exports[k]...) }))
	out = section(out, 10, wVec(nil, len(m.funcs), func(b []byte, k int) []byte {
		f := m.funcs[k]
		body := wVec(nil, len(f.locals), func(b []byte, j int) []byte { return append(uleb(b, 1), f.locals[j]) })
		body = append(append(body, f.body...), 0x0b)
		return append(uleb(b, uint64(len(body))), body...)
	}))
	out = section(out, 11, wVec(nil, len(m.data), func(b []byte, k int) []byte {
		b = append(b, 0x00, 0x41)
		b = sleb(b, int64(int32(m.data[k].offset)))
		b = append(b, 0x0b)
		return append(uleb(b, uint64(len(m.data[k].bytes))), m.data[k].bytes...)
	}))
	return out
}

// Instructions.
func i32c(v int32) []byte   { return sleb([]byte{0x41}, int64(v)) }
func i64c(v int64) []byte   { return sleb([]byte{0x42}, v) }
func call(idx int) []byte   { return uleb([]byte{0x10}, uint64(idx)) }
func localGet(k int) []byte { return uleb([]byte{0x20}, uint64(k)) }
func localSet(k int) []byte { return uleb([]byte{0x21}, uint64(k)) }
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var (
	opUnreachable = []byte{0x00}
	opDrop        = []byte{0x1a}
	opI64StoreAt0 = []byte{0x37, 0x03, 0x00}
	opI32WrapI64  = []byte{0xa7}
	opMemoryGrow  = []byte{0x40, 0x00}
	opInfinite    = []byte{0x03, 0x40, 0x0c, 0x00, 0x0b} // loop br 0 end
)

// Memory layout of test guests.
const (
	allocAt   = 1024  // arbiter_alloc always returns this
	wordAt    = 16376 // forward stores the import's result word here
	pendingAt = 16384 // and copies the pending reply here
	dataAt    = 32768 // data segments start here
)

var (
	sigCall  = []byte{vI32, vI32}
	sigReply = []byte{vI64}
)

// guest builds test guests: constant replies and import forwarders.
type guest struct {
	m       wModule
	version int32
	next    uint32
	imports map[string]int
}

func newGuest(version int32) *guest {
	g := &guest{m: wModule{memPages: 2}, version: version, next: dataAt, imports: map[string]int{}}
	for _, f := range hostFuncs {
		g.imports[f.name] = len(g.m.imports)
		g.m.imports = append(g.m.imports, wImport{HostModule, f.name, valueTypes(f.params), valueTypes(f.results)})
	}
	g.fn("arbiter_abi_version", nil, []byte{vI32}, nil, i32c(version))
	g.fn("arbiter_alloc", []byte{vI32}, []byte{vI32}, nil, i32c(allocAt))
	return g
}

func valueTypes(ts []uint8) []byte { return append([]byte(nil), ts...) }

func (g *guest) fn(name string, params, results, locals, body []byte) *guest {
	g.m.funcs = append(g.m.funcs, wFunc{export: name, params: params, results: results, locals: locals, body: body})
	return g
}

// put places bytes in memory and returns their packed pointer and length.
func (g *guest) put(b []byte) int64 {
	at := g.next
	g.m.data = append(g.m.data, wData{offset: at, bytes: b})
	g.next += uint32(len(b)) + 8
	return int64(at)<<32 | int64(len(b))
}

// reply makes export name return the reply status+value.
func (g *guest) reply(name string, status byte, v any) *guest {
	b, err := abi.Encode(v)
	if err != nil {
		panic(err)
	}
	return g.fn(name, sigCall, sigReply, nil, i64c(g.put(append([]byte{status}, b...))))
}

// body makes export name run body, which must leave an i64 reply word.
func (g *guest) body(name string, body []byte) *guest {
	return g.fn(name, sigCall, sigReply, []byte{vI64}, body)
}

// forward makes export name call import imp with args built by args,
// store the result word at wordAt, take the pending reply to pendingAt
// and return OK.
func (g *guest) forward(name, imp string, args func(g *guest) []byte) *guest {
	body := cat(i32c(wordAt), args(g), call(g.imports[imp]), localSet(2), localGet(2), opI64StoreAt0,
		i32c(pendingAt), localGet(2), opI32WrapI64, call(g.imports["take"]), opDrop, i64c(0))
	return g.body(name, body)
}

// ptrLen pushes the pointer and length of bytes placed in memory.
func (g *guest) ptrLen(b []byte) []byte {
	p := g.put(b)
	return cat(i32c(int32(p>>32)), i32c(int32(p&0xffffffff)))
}

// registers makes arbiter_init register what r says.
func (g *guest) registers(r map[string]any) *guest { return g.reply("arbiter_init", statusOK, r) }

func (g *guest) bytes() []byte { return g.m.bytes() }
