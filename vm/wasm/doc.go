// Package wasm runs game modules compiled to WebAssembly, with wazero, as
// the module.Engine named "wasm". The contract with guests is sdk/ABI.md;
// this package is the host side of it.
//
// # Shape
//
// An Engine owns one wazero runtime (compiler, optional on-disk
// compilation cache, per-instance memory limit, close-on-context-done) in
// which the host module arbiter_v1 is instantiated once, and
// wasi_snapshot_preview1 the first time a module imports it. Load compiles
// each .wasm file once (a Module), checks its imports and exports against
// the ABI, instantiates it, checks its arbiter_abi_version and runs its
// arbiter_init, whose reply declares what the module serves. A wrong
// version, a foreign import or a missing export fails the load with a
// *module.LoadError naming the file, before anything is registered.
//
// # Instances
//
// Guest state lives in guest memory, so instances are never shared
// between callers:
//
//   - every match gets its own instance (NewHandler → arbiter_match_create),
//     called only from the match's goroutine and closed with the match;
//   - RPCs and hooks take an instance from a per-module pool bounded by
//     Config.PoolSize. get takes an idle instance, or creates one while
//     fewer than PoolSize live, or waits for one only as long as the call's
//     ctx allows; no lock is held while an instance is created or called,
//     so the pool cannot deadlock. A broken instance (trap, overrun, bad
//     reply) gives its slot back and is closed instead of being reused.
//
// Every instance runs arbiter_init; only the one made during Load has
// its registrations honoured ("load": true), like Lua's match VMs whose
// register_* calls are no-ops.
//
// # Host functions find their instance
//
// wazero passes a host function the calling api.Module. The engine keeps
// a sync.Map from api.Module to *instance, filled before the guest's first
// instruction runs (_initialize included). The per-call environment (the
// nk.Call's context, the match dispatcher) is set on the instance by the
// goroutine that makes the call, which is the only goroutine that runs the
// guest and so the host functions it calls: no locking, no context values,
// no allocation per call.
//
// # Bytes across the boundary
//
// The host writes inputs into a buffer the guest allocates (arbiter_alloc)
// and reads replies and import arguments through wazero's bounds-checked
// memory views; a pointer outside memory is a BAD_POINTER status for an
// import and a *CallError for a reply, never a panic. Data an import
// produces waits on the host as a pending reply that the guest copies with
// take, so the host never calls into the guest while the guest is calling
// the host (Go's wasip1 port does not allow re-entry). One value encoding
// carries every structured value: package sdk/go/abi (tagged, varint
// lengths, limits on size and depth, strict decoding), which the Go guest
// SDK compiles too, so host and guest share one implementation. The encoder
// writes match inputs field by field instead of building maps, presences a
// guest passes are read straight into structs, and the match context is
// encoded only when it changed since the last call (the guest keeps the
// last one).
//
// # The cost of the deadline
//
// WithCloseOnContextDone makes wazero compile a check into every loop
// header, and the check leaves the compiled code for Go each time; it also
// starts a goroutine per call to watch the context. So a guest pays for
// each loop iteration it runs, and Go guests, whose wasm code turns every
// function call and most jumps into a loop back-edge, pay on almost every
// branch: the SDKs keep their hot paths short (sdk/go/arbiter/keys.go), and
// test/conformance's benchmarks show the cost beside Lua's.
//
// # nk functions
//
// nk_call is generic: it decodes the name and the argument list, looks up
// the function in the nk API and Invokes it, so argument checking, defaults
// and error wording come from runtime/nk's descriptions and a new nk function
// needs no code here. Results are encoded generically too. Functions taking
// a function value (register_*, run_once) cannot be called from WASM in ABI
// v1 (the codec has no function reference yet); modules register in their
// init reply instead, and the Registrar set during the load instance's init
// says so if a guest tries.
//
// # Limits
//
// Every call into a guest runs under a context that wazero watches
// (WithCloseOnContextDone): a match callback under the match engine's
// runtime.Budget, an RPC or hook under Config.CallBudget (a
// context.WithTimeout of the caller's ctx, so a cancelled request also stops
// the guest; a per-instance Budget would lose the caller's cancellation),
// instantiation and init under Config.InitBudget. A guest still running at
// the deadline is stopped at its next loop back-edge or call, the call
// returns a *CallError for which errors.Is(err, context.DeadlineExceeded)
// holds, and the instance is closed. Memory is capped per instance by
// Config.MemoryLimitPages: memory.grow past it fails (returns -1) as the
// spec says, and a module whose initial memory exceeds it does not load.
//
// # Hot reload
//
// A module's init reply may carry match_policies (handler name → "keep" or
// "migrate", sdk/ABI.md §5.6); a wrong value, an unknown handler, or
// "migrate" without both arbiter_match_snapshot and arbiter_match_restore
// exported fails the load. To migrate a match the host calls
// arbiter_match_snapshot on its instance (the state as bytes, opaque to the
// host), then creates an instance of the new module (init, match_create)
// and calls arbiter_match_restore on it instead of arbiter_match_init. A
// missing export or an ERROR reply leaves the match on its old instance; a
// trap breaks it like any trap. A replaced module's RPC pool closes once its
// last call returns (module.Trimmer); its match instances go on.
//
// # WASI
//
// Go guests need wasi_snapshot_preview1. Modules get it only if they import
// it, with no preopens, environment or arguments; clocks are the host's real
// clocks, random_get reads crypto/rand, stdout and stderr go to the log line
// by line, and sleeping is a no-op (a guest cannot park a match goroutine).
package wasm
