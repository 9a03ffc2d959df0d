// Package conformance checks that the tic-tac-toe of modules/tictactoe.lua,
// written again with each guest SDK (Rust, AssemblyScript, Go; see
// test/build-wasm.sh), behaves the same as the Lua original on the wire.
//
// Its test loads the four modules into one module.Manager with both
// engines, behind a real match.Registry, session tracker and router whose
// sessions are recording fake connections, and plays the same scripted
// games against each: joins, moves, every kind of invalid move, a third
// player refused, a second session of a player, a forfeit by leaving, a win
// and a draw, each match ending a few ticks after its game. The transcript
// is every frame each session receives, in order, decoded and written
// without the random match id. Lua's transcript must equal
// testdata/tictactoe.transcript (go test -run TicTacToe -update rewrites
// it) and each WASM version's must equal Lua's, byte for byte.
//
// The benchmarks beside it measure one match_loop call into each version
// (0 and 10 messages) and the creation of a match.
//
// The WebAssembly modules come from $ARBITER_WASM_MODULES when it is set
// (test/run builds them once), or are built by test/build-wasm.sh into a
// temporary folder. Without a toolchain the tests skip with a message,
// except when CI=true, where that is a failure.
package conformance
