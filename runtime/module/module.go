// Package module loads game modules and holds what they registered.
//
// A module set is loaded by engines, one per language (vm/lua, vm/wasm),
// each of which compiles and initialises its files and reports what the
// modules registered: RPCs, the matchmaker hook, shutdown hooks. A set is
// complete before it is used: if any module fails, the whole load fails and
// nothing changes. The Manager holds the current set and routes calls to
// it; a match keeps the handler it was created with, so a later set never
// changes a running match behind its back.
package module

import (
	"context"
	"errors"
	"fmt"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// File is one module file.
type File struct {
	// Name is the module name: the path without extension, with '.' for
	// '/' ("games/chess.lua" is "games.chess").
	Name string
	// Path is the file's path under the modules folder, for messages.
	Path string
	Data []byte
}

// RPCFunc runs an RPC. An error from the module's code is a
// *runtime.Error derived from runtime.ErrFunction, with the code the module
// chose (Internal when it chose none).
type RPCFunc func(ctx context.Context, c *runtime.CallContext, payload string) (string, error)

// MatchmakerFunc runs the matchmaker hook over the matched entries (each
// a map {presence = {...}, properties = {...}}, as Nakama passes them) and
// returns a match id, or "" to let the players meet in a relayed match.
type MatchmakerFunc func(ctx context.Context, c *runtime.CallContext, entries []any) (string, error)

// ShutdownFunc runs a shutdown hook.
type ShutdownFunc func(ctx context.Context, c *runtime.CallContext) error

// Registrations collects what modules register while they load.
type Registrations interface {
	RPC(id string, fn RPCFunc)
	MatchmakerMatched(fn MatchmakerFunc)
	Shutdown(fn ShutdownFunc)
}

// Engine loads the modules of one language.
type Engine interface {
	// Name names the engine in messages ("lua", "wasm").
	Name() string
	// Accepts reports whether the engine loads a file, by its path.
	Accepts(path string) bool
	// Load compiles and initialises files, registering into reg. An error
	// names the file and line at fault (see LoadError).
	Load(ctx context.Context, files []File, reg Registrations) (Instance, error)
}

// Instance is one engine's loaded modules.
type Instance interface {
	// Factory creates handlers of the instance's match modules; it answers
	// match.ErrModuleNotFound for names it does not have.
	match.Factory
	// Close releases the instance once nothing uses it.
	Close()
}

// LoadError is a module that failed to load, with where.
type LoadError struct {
	Path string
	Line int // 0 when unknown
	Err  error
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// FunctionError returns the error of a failed module function as clients
// see it: code (Internal when 0) and message.
func FunctionError(code runtime.Code, msg string) error {
	if code <= runtime.OK || code > runtime.Unauthenticated {
		code = runtime.Internal
	}
	e := runtime.ErrFunction.With(msg)
	e.Code = code
	return e
}

// ErrNoHook: no matchmaker hook is registered.
var ErrNoHook = errors.New("no matchmaker hook registered")
