// Package sdktest runs the guest SDKs' example modules in the WebAssembly
// engine (vm/wasm) end to end: it builds them with their own toolchains,
// loads them with wasm.New(...).Load and drives them through the server's
// interfaces (RPC functions, match.Handler), checking every byte they send.
//
// The Rust SDK (sdk/rust) is built with Debian's toolchain: /usr/bin/cargo
// and /usr/bin/rustc with the wasm32-unknown-unknown standard library
// (apt-get install rustc cargo libstd-rust-dev-wasm32; ARBITER_CARGO and
// ARBITER_RUSTC override the paths). Without it the tests skip with a
// message, except when CI=true, where they fail.
package sdktest
