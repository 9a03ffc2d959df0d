// Package arbiter is the Go SDK for Arbiter game modules compiled to
// WebAssembly (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared).
//
// A module registers its RPCs, match handlers and hooks from an init
// function of package main and has an empty main:
//
//	func init() {
//		arbiter.RegisterRPC("echo", func(ctx *arbiter.Context, payload string) (string, error) {
//			return payload, nil
//		})
//		arbiter.RegisterMatch("arena", func() arbiter.Match { return arena{} })
//	}
//
//	func main() {}
//
// The package implements the guest side of the Arbiter ABI v1 (sdk/ABI.md):
// it exports arbiter_abi_version, arbiter_alloc, arbiter_init and the
// RPC, hook and match callbacks, encodes and decodes values (Encode,
// Decode, from package abi, which the server shares), and calls the host:
// any nk function by name with Call, typed helpers for common ones
// (MatchCreate, StorageRead, ...), the match Dispatcher and Logger.
//
// Callback inputs are decoded straight into the SDK's structs, and their
// strings and data are views of the call's input buffer, which is new for
// every call and never written again: a match may keep them (see keys.go
// for why the hot path is written as it is).
//
// Each match runs in its own instance, so a Match's state is an ordinary Go
// value that stays in memory between callbacks, as in Nakama's Go runtime.
// A panic in a callback is returned to the server as an error.
//
// Outside WebAssembly the package builds with host calls that fail, so its
// logic can be unit-tested natively.
package arbiter
