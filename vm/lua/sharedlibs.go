package lua

import (
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// The standard libraries are built once per process and shared by every
// VM, read-only. A match has a VM of its own, and the library functions,
// the globals and the library tables were most of what a fresh VM held:
// about 40 KB (a Go closure, a boxed key and three map entries per
// function), times the number of running matches.
//
// # Lazy copies
//
// A VM's globals table and each of its libraries (string, table, math,
// bit32, os) start as a table of the VM's own that is empty but for what
// the VM sets itself, with a shared metatable {__index = shared table,
// __newindex = lazyNewIndex}. Reading a missing key finds the shared
// value; writing a new key stores it in the VM's table, so a module that
// adds string.split or a global keeps it to its own VM. Anything that
// could tell the table is not a full copy makes it one first
// (materialize): pairs, next, rawget, getmetatable, setmetatable, the
// conversion of a table to Go, and assigning nil to a shared key. After
// that it is an ordinary table. Most VMs never copy anything.
//
// # Why sharing is safe
//
//   - A library function is a Go function that gets the calling state as
//     its argument; gopher-lua never writes to a Go function value once
//     made (setfenv refuses one, getfenv of one returns the caller's
//     globals), so any number of VMs can call it at once.
//   - The shared tables are only read: through __index, and by
//     materialize. No script can get hold of one: the metatables that
//     point at them are hidden by getmetatable (which copies first), the
//     string metatable is the VM's own, and gopher-lua's string.__index
//     self-reference is removed.
//   - Go maps allow concurrent reads, which is all the shared tables see.

// sharedLibs are the process's library functions and tables.
type sharedLibs struct {
	globals *lua.LTable // the base functions and values
	libs    []sharedLib
	metas   map[*lua.LTable]bool // every lazy-copy metatable
	// tables are every shared table and lazy-copy metatable, none of them
	// a VM's memory (memory.go).
	tables  []*lua.LTable
	loadlib *lua.LFunction
	gmeta   *lua.LTable // the globals' lazy-copy metatable
	// dispatcher is the match dispatcher every match's is a lazy copy of
	// (dispatcher.go).
	dispatcher sharedLib
	// fillIndex is __index of lazy context tables (lazyctx.go).
	fillIndex *lua.LFunction
	// The original functions the shared wrappers call.
	next, rawget, setmetatable lua.LGFunction
}

// sharedLib is one library: its shared table and the lazy-copy metatable
// of every VM's table for it.
type sharedLib struct {
	name  string
	table *lua.LTable
	meta  *lua.LTable
}

// libs returns the shared libraries, built on first use. (Set in init:
// the shared functions refer to it.)
var libs func() *sharedLibs

func init() { libs = sync.OnceValue(buildLibs) }

// Library names, in the order VMs open them.
var libNames = []string{lua.StringLibName, lua.TabLibName, lua.MathLibName, "bit32", "os"}

// notShared are base globals the shared table leaves out: removed from the
// sandbox, or per VM.
var notShared = []string{"_G", "dofile", "loadfile", "_printregs"}

func buildLibs() *sharedLibs {
	// The owner state only builds the tables; it never runs code and is
	// kept alive by the values it made.
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	for _, open := range []lua.LGFunction{lua.OpenBase, lua.OpenTable, lua.OpenString, lua.OpenMath} {
		open(L)
	}
	L.SetTop(0)
	g := L.G.Global
	g.RawSetString("bit32", L.SetFuncs(L.CreateTable(0, len(bit32Funcs)), bit32Funcs))
	g.RawSetString("os", L.SetFuncs(L.CreateTable(0, len(osFuncs)), osFuncs))
	L.SetFuncs(g, baseFuncs)
	str := g.RawGetString(lua.StringLibName).(*lua.LTable)
	L.SetFuncs(str, stringFuncs)
	// gopher-lua's string table is its own __index; a VM's string
	// metatable is its own, and string.__index would hand out the shared
	// table.
	str.RawSetString("__index", lua.LNil)

	sh := &sharedLibs{loadlib: L.NewFunction(pkgLoadlib), fillIndex: L.NewFunction(fillIndex),
		metas: map[*lua.LTable]bool{}}
	sh.next = g.RawGetString("next").(*lua.LFunction).GFunction
	sh.rawget = g.RawGetString("rawget").(*lua.LFunction).GFunction
	sh.setmetatable = g.RawGetString("setmetatable").(*lua.LFunction).GFunction
	newIndex := L.NewFunction(lazyNewIndex)
	meta := func(t *lua.LTable) *lua.LTable {
		mt := L.CreateTable(0, 2)
		mt.RawSetString("__index", t)
		mt.RawSetString("__newindex", newIndex)
		sh.metas[mt] = true
		sh.tables = append(sh.tables, t, mt)
		return mt
	}
	for _, name := range libNames {
		t := g.RawGetString(name).(*lua.LTable)
		sh.libs = append(sh.libs, sharedLib{name: name, table: t, meta: meta(t)})
		g.RawSetString(name, lua.LNil)
	}
	for _, name := range notShared {
		g.RawSetString(name, lua.LNil)
	}
	L.SetFuncs(g, sharedBase)
	// A fresh table: RawSetString(nil) leaves deleted keys in gopher-lua's
	// key list.
	sh.globals = L.CreateTable(0, 48)
	g.ForEach(func(k, v lua.LValue) { sh.globals.RawSet(k, v) })
	sh.gmeta = meta(sh.globals)
	disp := L.SetFuncs(L.CreateTable(0, len(dispatcherFuncs)), dispatcherFuncs)
	sh.dispatcher = sharedLib{name: "dispatcher", table: disp, meta: meta(disp)}
	return sh
}

// sharedBase are base functions that must see lazy copies and lazy
// context tables, and the ones bound to the calling VM.
var sharedBase = map[string]lua.LGFunction{
	"pairs":        basePairs,
	"next":         baseNext,
	"rawget":       baseRawGet,
	"getmetatable": baseGetMetatable,
	"setmetatable": baseSetMetatableLazy,
	"print":        basePrint,
	"require":      baseRequire,
}

// vms maps each live state to its VM, for the shared functions that need
// the VM: print, require, the dispatcher's and the filling of a lazy
// context table.
var vms sync.Map // *lua.LState → *vm

func vmOf(L *lua.LState) *vm {
	v, _ := vms.Load(L)
	return v.(*vm)
}

// materialize makes t, a lazy copy, a full one; other tables are left
// alone. Keys t already has are kept.
func materialize(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok || !libs().metas[mt] {
		return false
	}
	src := mt.RawGetString("__index").(*lua.LTable)
	t.Metatable = lua.LNil
	src.ForEach(func(k, v lua.LValue) {
		if t.RawGet(k) == lua.LNil {
			t.RawSet(k, v)
		}
	})
	return true
}

// lazyNewIndex is __newindex of a lazy copy: t[k] = v for a key t lacks.
// Assigning nil to a shared key removes it from a full copy; anything else
// is stored in t.
func lazyNewIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	k, v := L.CheckAny(2), L.Get(3)
	if v == lua.LNil {
		if mt, ok := t.Metatable.(*lua.LTable); ok {
			if src, ok := mt.RawGetString("__index").(*lua.LTable); ok && src.RawGet(k) != lua.LNil {
				materialize(t)
			}
		}
	}
	t.RawSet(k, v)
	return 0
}

func basePairs(L *lua.LState) int {
	t := L.CheckTable(1)
	fill(L, t)
	L.Push(libs().globals.RawGetString("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

func baseNext(L *lua.LState) int {
	fill(L, L.CheckTable(1))
	return libs().next(L)
}

func baseRawGet(L *lua.LState) int {
	fill(L, L.CheckTable(1))
	return libs().rawget(L)
}

func baseSetMetatableLazy(L *lua.LState) int {
	fill(L, L.CheckTable(1))
	return libs().setmetatable(L)
}

func basePrint(L *lua.LState) int   { return vmOf(L).print(L) }
func baseRequire(L *lua.LState) int { return vmOf(L).require(L) }
