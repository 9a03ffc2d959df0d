// Package module loads game modules, holds what they registered, and
// replaces them while the server runs (hot reload).
//
// # Sets
//
// A module set is loaded by engines, one per language (vm/lua, vm/wasm),
// each of which compiles and initialises its files and reports what the
// modules registered: RPCs, the matchmaker hook, shutdown hooks. A set is
// immutable and versioned (1, 2, … in the order sets become current). A new
// set is loaded completely (compiled, top-level code run, pools filled)
// before anything switches: if any module fails, the set is discarded,
// nothing changes, the previous set keeps serving, and the error (a
// *LoadError with file, line and message) is returned, logged ("modules
// failed to load; the previous version keeps serving", with file and line)
// and kept as the last load's outcome for the admin API (LastReload). A
// successful switch is logged ("modules reloaded", old and new version) and
// counted (Stats, for metrics).
//
// # Sources
//
// Reload reads the modules folder (hidden files and folders skipped) and
// the uploaded modules of a runtime.ModuleStore; an uploaded file replaces a
// folder file of the same path. Put loads a candidate set (folder + uploads
// with the new file in place) and stores the file only when that set loads,
// then switches; Delete loads the set without the upload (a folder file of
// that path comes back) and deletes it only when that set loads. Loads never
// overlap: reloadMu serializes them and the store changes that go with them.
// No call ever waits for reloadMu; it is held while module code runs (top
// level) and while the store is written, never by a call.
//
// Watch watches the folder with fsnotify (subfolders too, those created
// later included) and reloads DefaultDebounce (200 ms) after the last change
// to a file an engine loads, so that an editor's save or a checkout of many
// files makes one reload.
//
// # Reference counting
//
// Every call (RPC, matchmaker hook, shutdown hook, handler creation) holds
// the set it started on until it returns; a match holds the set it was
// created from (or migrated to) until it ends. So no call fails or is
// dropped during a switch: it finishes on its set, and the next call takes
// the new one. A replaced set is *retired* when its last call returns (its
// instances are trimmed: the pools of VMs that only RPCs and hooks use are
// closed early, module.Trimmer) and *closed* (Instance.Close) when its last
// match ends. Before hot reload, Manager.Load never closed a replaced set;
// now every set is released exactly once.
//
// Calls and matches are counted apart (Set.calls, Set.refs) so that a set
// kept alive by long matches does not keep its RPC pools: a Lua set keeps
// PoolMin VMs and a WASM module up to PoolSize instances (Go guests take
// megabytes each), which after many development reloads would add up. The
// count of calls is taken with a compare-and-swap that fails once the set is
// retired, so a call that read the old pointer just before a switch moves to
// the new set instead of using a retired one; no lock is taken per call.
//
// # Running matches
//
// New matches use the current set. Running matches follow their match
// module's reload policy (Policy), declared by the module and reported by
// its instance (module.Policies): PolicyKeep (the default) finishes the
// match on the code it started with; PolicyMigrate moves it to the new code.
// The match actor (runtime/match) checks the manager's Generation at every
// tick boundary and, after a change, calls Upgrade once; Upgrade takes a
// snapshot of the state from the old handler (match.Snapshotter), asks the
// new set's instance to make a handler from it instead of running
// match_init (match.Restorer), and the actor swaps handlers, closing the
// old one; tick, tick rate, label and presences stay. If the state cannot
// be handed over (no snapshot, a state the engine cannot copy, a restore
// that fails), Upgrade logs a warning, counts it and the match keeps its
// code. The policy of the new set decides (the new code declares that it
// accepts a state); a migrate match moves on every reload, since the whole
// set is versioned as one.
//
// # Deviations from the design sketch
//
//   - Policies travel through an optional interface of the Instance
//     (Policies), not through Registrations: Registrations is implemented
//     by test recorders in other packages, and a policy belongs to a match
//     module, which the instance already serves.
//   - Replaced sets are trimmed early (Trimmer), as explained above.
//   - Delete refuses to delete an upload when the set without it does not
//     load (another module may require it), so the store never holds a set
//     that cannot start.
//   - WASM load errors have no line (a binary has none): they name the file
//     and carry wazero's message.
package module
