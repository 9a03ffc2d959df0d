// Package storagetest is the conformance suite every store must pass, and the
// benchmarks every store runs. A store package calls Run from its tests with
// a function that opens a fresh, empty store, and calls the Bench functions
// from its benchmarks, so that both stores are held to one specification and
// measured the same way.
//
// The suite checks the contracts written in runtime/ports.go: identities and
// accounts, token revocations, Nakama's storage object semantics (versions,
// permissions, atomic batches, cursors), persistent notifications and chat
// history (ordering, Nakama's next, previous and cacheable cursors, changes
// by the sender only), uploaded module files (binary and empty data, hashes,
// replacement), with unicode and edge inputs, and races: concurrent
// creation of one identity yields one account, concurrent writes under one
// version precondition have exactly one winner. Each test opens its own
// store, so the tests run in parallel.
package storagetest
