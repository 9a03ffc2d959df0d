package lua

import (
	"context"
	"errors"
	"fmt"
)

// ErrBudget is returned by a call whose Lua code ran past its CPU budget.
// It wraps context.DeadlineExceeded, which is how the match engine and the
// API tell a budget overrun from a script error.
var ErrBudget = fmt.Errorf("lua: call exceeded its CPU budget: %w", context.DeadlineExceeded)

// ErrMemoryLimit is returned by a match call after which the match's VM holds
// more than Config.MatchMemoryLimit; the match then ends.
var ErrMemoryLimit = errors.New("match exceeded its memory limit")

// ErrClosed is returned by calls into an instance that was closed.
var ErrClosed = errors.New("lua: module instance closed")

// Messages raised in Lua, worded as Nakama or Lua word them.
const (
	msgReadOnly      = "attempt to modify read only table"
	msgBinaryChunk   = "attempt to load a binary chunk: precompiled bytecode is not allowed"
	msgDump          = "unable to dump given function: string.dump is not supported"
	msgLoadlib       = "loadlib is not supported"
	msgRepTooLarge   = "resulting string too large"
	msgTooDeep       = "table nesting too deep or cyclic"
	msgNonExistent   = "trying to access non-existent bits"
	msgStackOverflow = "stack overflow"
	msgNotInCall     = "lua: function called outside of its VM's callback"
)

// Errors of RPCs and hooks, with Nakama's messages.
var (
	errInvalidResult    = errors.New("Runtime function returned invalid data - only allowed one return value of type String/Byte.")
	errMatchmakerID     = errors.New("Invalid return value from runtime Matchmaker Matched hook, not a valid match ID.")
	errMatchmakerType   = errors.New("Unexpected return type from runtime Matchmaker Matched hook, must be string or nil.")
	errMatchmakerPrefix = "Error running runtime Matchmaker Matched hook: "
	errNotLuaFunction   = errors.New("lua: registered value is not a function of this VM")
	errNoRegistrar      = errors.New("lua: registration outside of module loading")
)

// Errors of match modules and callbacks, with Nakama's messages.
var (
	errMatchNotTable    = errors.New("match module must return a table containing the match callback functions")
	errInitLabel        = errors.New("match_init returned unexpected third value, must be a label string")
	errInitLabelLength  = errors.New("match_init returned invalid label, must be 2048 bytes or less")
	errInitRate         = errors.New("match_init returned unexpected second value, must be a tick rate number")
	errInitRateRange    = errors.New("match_init returned invalid tick rate, must be between 1 and 60")
	errInitState        = errors.New("match_init returned unexpected first value, must be a state")
	errInitTooMany      = errors.New("match_init returned too many arguments, must be: state, tick rate number, label string")
	errJoinTooFew       = errors.New("Match join attempt returned too few values, stopping match - expected: state, join result boolean, optional reject reason string")
	errJoinResult       = errors.New("Match join attempt returned non-boolean join result or non-string reject reason, stopping match")
	errJoinIncorrect    = errors.New("Match join attempt returned incorrect or too few values, stopping match - expected: state, join result boolean, optional reject reason string")
	errJoinNotBool      = errors.New("Match join attempt returned non-boolean join result, stopping match")
	errJoinTooMany      = errors.New("Match join attempt returned too many values, stopping match")
	errSignalResult     = errors.New("Match signal returned non-string result, stopping match")
	errMatchLoadPrefix  = "error loading match module: "
	errCallbackNotFound = "%s not found or not a function"
	errTooManyValues    = "Match %s returned too many values, stopping match"
)
