// Package astest tests the AssemblyScript guest SDK (sdk/assemblyscript)
// end to end: its tests build the SDK's examples with the AssemblyScript
// compiler (npm), load them through vm/wasm as the server does, and drive
// them through the same interfaces the server uses (RPC functions,
// match.Handler with a recording match.Dispatcher). Its benchmarks measure
// the AssemblyScript tic-tac-toe's match_loop and instantiation.
//
// The tests skip with a message when node or npm are missing, unless
// CI=true, where that is a failure. ARBITER_AS_FLAGS adds asc flags (for
// example "--runtime minimal") to compare builds.
package astest
