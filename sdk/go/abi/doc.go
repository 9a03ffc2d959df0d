// Package abi is the value encoding of the Arbiter WebAssembly ABI v1
// (sdk/ABI.md §3) and the constants both sides of the boundary share: the
// ABI version, the host module's name and the status codes of §4.
//
// It is the one implementation of the encoding in Go. The server's
// WebAssembly engine (vm/wasm, the host) and the Go guest SDK
// (sdk/go/arbiter, compiled to GOOS=wasip1) both import it, so a change to
// the encoding is made once and tested once, natively.
//
// # Why it lives in sdk/go
//
// The package is part of the guest SDK's public surface rather than the
// server's internals: a guest module compiled to WebAssembly links it, so it
// imports nothing but the standard library (no server package, no
// dependency), and builds for every GOOS, wasip1 included. The host depends
// on it the way any client of the ABI would; the reverse (the SDK importing
// vm/wasm) would pull wazero and the server's runtime into every guest
// build. sdk/go is part of the repository's main module for the same
// reason: one module, one version of this package for host and guest.
//
// # Two ways to decode
//
// Decode builds the neutral value model (nil, bool, int64, float64, string,
// []byte, []any, map[string]any) and is strict: it rejects duplicate map
// keys, trailing bytes, unknown tags, and nesting or sizes over the limits.
// It is what the host uses on guest replies and what generic code wants.
//
// Decoder reads a message value by value without building maps or lists,
// for callers that know the shape they expect: the Go SDK decodes every
// match_loop input straight into its Message and Presence structs with it.
// It is strict about the encoding (a malformed message is an error that
// sticks) and lenient about types (a value of another type than asked for is
// skipped and reported as absent), as generic code reading a decoded map
// with type assertions would be. It does not look for duplicate keys.
//
// Encoder appends values to a buffer it reuses, either field by field (Map,
// Key, Int, ...) or from Go values (Value), writing map keys sorted so that
// equal values encode to equal bytes.
package abi
