package module

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// File is one module file.
type File struct {
	// Name is the module name: the path without extension, with '.' for
	// '/' ("games/chess.lua" is "games.chess").
	Name string
	// Path is the file's path in the set, slash-separated ("games/chess.lua"):
	// under the modules folder, or as uploaded.
	Path string
	Data []byte
	// Source is where the file comes from: SourceFolder or SourceUploaded
	// ("" for files given to Load directly).
	Source string
	// Updated is when the file last changed, when known.
	Updated time.Time
}

// Where a file of a set comes from.
const (
	SourceFolder   = "folder"
	SourceUploaded = "uploaded"
)

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
	// Close releases the instance once nothing uses it: no call runs and no
	// match created from it runs.
	Close()
}

// An Instance may also implement:
//
//   - match.Restorer, to create a match handler from a snapshot of a
//     running match's state (the "migrate" policy);
//   - Policies, to say how the running matches of its match modules follow
//     a reload;
//   - Trimmer, to free early what only RPCs and hooks use.

// Policy says what happens to the running matches of a match module when a
// new set of modules replaces the one they started with.
type Policy string

// The policies.
const (
	// PolicyKeep (the default): the match finishes on the code it started
	// with; its set is released when its last match ends.
	PolicyKeep Policy = "keep"
	// PolicyMigrate: the match moves to the new code at its next tick
	// boundary, its state handed across; when the state cannot be handed
	// over, it keeps its code and a warning is logged.
	PolicyMigrate Policy = "migrate"
)

// ParsePolicy returns the policy named s; "" is PolicyKeep.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case "", PolicyKeep:
		return PolicyKeep, nil
	case PolicyMigrate:
		return PolicyMigrate, nil
	}
	return "", fmt.Errorf("reload policy must be %q or %q, got %q", PolicyKeep, PolicyMigrate, s)
}

// Policies is an Instance whose match modules declare a reload policy.
type Policies interface {
	// MatchPolicy returns the policy of match module name, and false when
	// the instance has no match module of that name.
	MatchPolicy(name string) (Policy, bool)
}

// MatchModules is an Instance that lists its match modules (for `arbiter
// check` and the admin API).
type MatchModules interface {
	// MatchModules returns the names of the instance's match modules.
	MatchModules() []string
}

// Trimmer is an Instance that can free what only RPCs and hooks use (its
// pool of VMs) once its set serves no more calls; the handlers of its
// running matches go on.
type Trimmer interface {
	Trim()
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
