// Package lua is Arbiter's Lua engine: a thin adapter from the runtime to
// gopher-lua that runs modules written for Nakama's Lua runtime unchanged.
//
// Engine implements module.Engine: Load compiles every *.lua file once
// (a syntax error is a module.LoadError with its file and line), runs the
// modules' top-level code in module-name order in a first VM, and reports
// what they registered (RPCs, the matchmaker hook, the shutdown hook). The
// Instance it returns runs RPCs and hooks on a pool of VMs and creates one
// match handler per authoritative match.
//
// # No shared values
//
// Every VM loads the modules itself, from the compiled FunctionProtos that
// a load shares (they are immutable; each VM makes its own functions from
// them). No Lua value is ever reachable from two VMs, so VMs running on
// different goroutines cannot race, and a module cannot pass state from one
// call to another behind the engine's back. An RPC is looked up by id in
// the VM that runs it. Nakama instead shares one set of read-only tables
// between its pooled VMs; sharing would save memory here too, but only at
// the price of a race-free guarantee gopher-lua does not give.
//
// # The pool
//
// RPCs and hooks run on pooled VMs: PoolMin are created while modules load
// (when they register anything), more on demand up to PoolMax, after which
// a call waits for a VM or for its context. A VM is always given back or
// discarded (after a budget overrun or a Go panic, which may leave it
// inconsistent), so the count of live VMs is exact and the pool cannot
// deadlock; the engine never takes a second pooled VM for one call.
//
// # Read-only globals
//
// Pooled VMs serve calls in turn: a global set by one call would surface in
// whichever call the VM serves next, and differ from VM to VM. So, as in
// Nakama, once the modules have loaded, writes to globals raise "attempt to
// modify read only table". The globals live in a backing table behind an
// empty proxy whose __newindex refuses writes after loading; rawset, rawget,
// next and pairs see through the proxy and its metatable is protected.
// Unlike Nakama, tables reachable from the globals stay writable (each VM
// has its own, so this is safe, but it cannot carry state between calls
// either). Match VMs belong to one match, so their globals are writable, as
// in Nakama.
//
// # Sandbox
//
// Only base (without dofile and loadfile; load and loadstring accept source
// text and refuse precompiled bytecode; collectgarbage does nothing), table,
// string (without dump; rep bounded), math, bit32 (Lua 5.2's, as Nakama
// provides it) and os reduced to time, clock, date and difftime (UTC) are
// opened; require loads only the load's modules and "nakama". There is no
// io, debug or coroutine library, and no way to the filesystem or the
// process. print logs at info level with the module. The call stack is
// bounded ("stack overflow") and the data stack grows from RegistrySize up
// to RegistryMaxSize ("registry overflow"). gopher-lua's array part is
// capped (lua.MaxArrayIndex) so that one assignment to a huge index cannot
// allocate gigabytes.
//
// # Budgets
//
// Every call runs with the VM's context set to its CPU budget, a
// runtime.Budget: gopher-lua checks it between instructions, so an endless
// loop stops when the budget runs out, even inside pcall. The match engine
// passes each match callback its budget; each pooled VM owns a Budget for
// RPCs and one for hooks. An overrun returns ErrBudget, which wraps
// context.DeadlineExceeded so callers can tell it from a script error.
// Top-level code runs under LoadBudget. Go code called from Lua (nk
// functions) is not interrupted.
//
// # The nk binding
//
// The "nakama" module binds every function of the nk API through one
// generic Lua function: arguments are converted to the neutral value model
// by Nakama's rules (a number is an int64 when integral; a table is a list
// when its array part is not empty, else a map with string keys; a function
// is an nk.Function calling back into the same VM), nk.Func.Invoke checks
// and runs them, and results are converted back. An *nk.Error with a code
// is raised as the table {message, code}, so that it reaches an RPC's
// client with that code. There is no per-function code: a new nk function
// needs no change here. Pooled VMs bind every function up front; match VMs
// bind each one the first time it is used.
//
// # Matches
//
// Each match has a VM of its own where the match module's top-level code
// runs once (require(name)), and whose state stays a Lua value between
// calls. Return values, presences, messages, the context and the
// dispatcher's argument checks follow Nakama, with its messages. A match VM
// is small: the smallest data stack, a call stack that grows on demand,
// lazily bound nk functions (about 48 KB for a minimal match at rest; see
// BenchmarkHandlerMemory).
//
// # Hot reload
//
// A match module's table may carry reload = "migrate" (or "keep", the
// default): what its running matches do when a new version of the modules
// is loaded (runtime/module). Any other value fails the load with a
// module.LoadError naming the file and the line of the field. The instance
// reports the policies (module.Policies).
//
// Migrating hands the state table across VMs as a deep copy in the neutral
// value model (Snapshot, then Restore in a new match VM of the new code,
// instead of match_init; the context shows the match's current label and
// tick rate). The copy is faithful or it fails, and then the match keeps
// its code (runtime/module logs why, naming where in the state): a table
// becomes a list when its keys are the integers 1..n, holes allowed (a
// sparse table whose largest index passes 2n+64 is refused), a map when its
// keys are strings; functions, userdata, tables with a metatable, other
// keys (mixed, fractional, boolean, tables) and a table reached twice (a
// cycle, or one table shared by two places, which a copy would silently
// split in two) are refused. A state of numbers, strings, booleans and
// plain tables, as match states usually are, always moves.
//
// A replaced instance is trimmed (module.Trimmer) once its last RPC or hook
// call returns: its pool closes, while the VMs of its running matches go on
// until they end and the instance closes.
//
// # Memory accounting
//
// gopher-lua cannot account or limit allocation. When MatchMemoryLimit is
// set, a match VM's memory is estimated after match_init and then after a
// call at most once per second: a walk of what the VM can reach (state,
// globals, loaded modules, context, the callbacks' upvalues) counting
// tables, entries, functions and string bytes with rough per-item sizes. The
// walk stops as soon as the estimate passes the limit, so its work is
// bounded whatever the match holds. A match over its limit fails its call
// with ErrMemoryLimit ("match exceeded its memory limit of 4 MiB") and ends.
package lua
