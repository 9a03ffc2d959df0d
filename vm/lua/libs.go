package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
)

// maxStringBytes bounds the strings string.rep and load's reader build, so
// that one call cannot exhaust the server's memory.
const maxStringBytes = 16 << 20

// openLibs opens the sandboxed libraries: base (without dofile and
// loadfile; load and loadstring take source text only), table, string
// (without dump), math, bit32, os (time, clock, date, difftime), a minimal
// package and require. There is no io, debug or coroutine library and
// nothing reaches the filesystem or the process.
//
// The library functions and tables are the process's shared ones, and
// the VM's globals and libraries are lazy copies of them (sharedlibs.go).
func (v *vm) openLibs() {
	L := v.L
	sh := libs()
	// NewState's globals and registry are sized for a full Lua; these hold
	// what is the VM's own: _G, the libraries, package and what its
	// modules add.
	g := L.CreateTable(0, 8)
	g.Metatable = sh.gmeta
	L.G.Global, L.Env = g, g
	L.G.Registry = L.CreateTable(0, 1)
	g.RawSetString("_G", g)
	loaded := v.registryLoaded()
	loaded.RawSetString("_G", g)
	for _, lib := range sh.libs {
		t := L.CreateTable(0, 0)
		t.Metatable = lib.meta
		g.RawSetString(lib.name, t)
		loaded.RawSetString(lib.name, t)
		if lib.name == lua.StringLibName {
			mt := L.CreateTable(0, 1)
			mt.RawSetString("__index", t)
			L.SetMetatable(lua.LString(""), mt)
		}
	}
	v.openPackage(g, loaded)
}

// registryLoaded returns the registry's _LOADED table, made if missing.
func (v *vm) registryLoaded() *lua.LTable {
	L := v.L
	reg := L.Get(lua.RegistryIndex).(*lua.LTable)
	loaded, ok := reg.RawGetString("_LOADED").(*lua.LTable)
	if !ok {
		loaded = L.CreateTable(0, 8)
		reg.RawSetString("_LOADED", loaded)
	}
	return loaded
}

// baseFuncs replace base library functions (getmetatable and others:
// sharedBase in sharedlibs.go).
var baseFuncs = map[string]lua.LGFunction{
	"load":           baseLoad,
	"loadstring":     baseLoadString,
	"collectgarbage": baseCollectGarbage,
}

// stringFuncs replace string library functions.
var stringFuncs = map[string]lua.LGFunction{
	"dump": strDump,
	"rep":  strRep,
}

// openPackage sets up package (loaded, preload, path, cpath, loadlib) over
// the registry's _LOADED table, which require uses.
func (v *vm) openPackage(g, loaded *lua.LTable) {
	L := v.L
	v.loaded, v.preload, v.loading = loaded, L.CreateTable(0, 0), L.NewUserData()
	pkg := L.CreateTable(0, 5)
	pkg.RawSetString("loaded", loaded)
	pkg.RawSetString("preload", v.preload)
	pkg.RawSetString("path", lua.LString(""))
	pkg.RawSetString("cpath", lua.LString(""))
	pkg.RawSetString("loadlib", libs().loadlib)
	g.RawSetString("package", pkg)
	loaded.RawSetString("package", pkg)
}

func pkgLoadlib(L *lua.LState) int {
	L.RaiseError(msgLoadlib)
	return 0
}

// baseLoad is load(chunk [, chunkname]) where chunk is source text or a
// function returning pieces of it.
func baseLoad(L *lua.LState) int {
	var src string
	switch a := L.Get(1).(type) {
	case lua.LString:
		src = string(a)
	case *lua.LFunction:
		s, msg := readChunk(L, a)
		if msg != "" {
			L.Push(lua.LNil)
			L.Push(lua.LString(msg))
			return 2
		}
		src = s
	default:
		L.ArgError(1, "string or function expected")
	}
	return loadSource(L, src, L.OptString(2, "?"))
}

func baseLoadString(L *lua.LState) int {
	return loadSource(L, L.CheckString(1), L.OptString(2, "<string>"))
}

// readChunk calls a load reader until it returns nil or "".
func readChunk(L *lua.LState, fn *lua.LFunction) (string, string) {
	var b strings.Builder
	for {
		L.Push(fn)
		L.Call(0, 1)
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LNil {
			break
		}
		if !lua.LVCanConvToString(ret) {
			return "", "reader function must return a string"
		}
		piece := ret.String()
		if piece == "" {
			break
		}
		if b.Len()+len(piece) > maxStringBytes {
			return "", msgRepTooLarge
		}
		b.WriteString(piece)
	}
	return b.String(), ""
}

// loadSource compiles source text in the caller's environment; bytecode is
// refused.
func loadSource(L *lua.LState, src, chunkname string) int {
	if strings.HasPrefix(src, "\x1b") {
		L.Push(lua.LNil)
		L.Push(lua.LString(msgBinaryChunk))
		return 2
	}
	fn, err := L.Load(strings.NewReader(src), chunkname)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// baseCollectGarbage does nothing: Go's collector runs on its own, and a
// module must not be able to stop the server for a full collection.
func baseCollectGarbage(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// baseGetMetatable honours __metatable, as Lua does, and completes a lazy
// table first (sharedlibs.go).
func baseGetMetatable(L *lua.LState) int {
	v := L.CheckAny(1)
	fill(L, v)
	mt := L.GetMetatable(v)
	if t, ok := mt.(*lua.LTable); ok {
		if protected := t.RawGetString("__metatable"); protected != lua.LNil {
			L.Push(protected)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func strDump(L *lua.LState) int {
	L.RaiseError(msgDump)
	return 0
}

// strRep is string.rep with a bound on the result's size.
func strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxStringBytes/len(s) {
		L.RaiseError(msgRepTooLarge)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// print logs its arguments, tab-separated, at info level with the module.
func (v *vm) print(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	v.logger().Info(b.String(), runtime.LogModule, v.call.Module, "source", "print")
	return 0
}
