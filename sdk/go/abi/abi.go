package abi

// Version is the ABI version: what arbiter_abi_version returns.
const Version = 1

// HostModule is the name of the host module of this ABI version.
const HostModule = "arbiter_v1"

// Status codes of result words and replies (sdk/ABI.md §4).
const (
	StatusOK         = 0 // success
	StatusError      = 1 // the call failed; an error map follows
	StatusNilState   = 2 // (exports only) the match state is nil
	StatusNotFound   = 3 // no such nk function, RPC or handler
	StatusBadPointer = 4 // a pointer/length lies outside memory
	StatusMalformed  = 5 // bytes did not decode, or had a wrong shape
	StatusNotAllowed = 6 // not available in this call
	StatusBudget     = 7 // the call's CPU deadline has passed
)

// Flags of match_broadcast.
const (
	FlagReliable = 1 << iota // bit 0: reliable delivery
	FlagDeferred             // bit 1: sent after the callback returns
)
