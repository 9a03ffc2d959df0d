package nk

import (
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// The registration group: what a module registers while it loads, run_once
// and get_context.
//
// Registrations go to Call.Registrar, which only a VM loading modules has.
// Elsewhere (a match VM, a pooled VM running a request) they do nothing, as
// in Nakama, where only the VM that loads modules collects callbacks.

func (a *API) registerFuncs() []*Func {
	fnParam := func(doc string) Param { return Param{Name: "fn", Type: TypeFunction, Doc: doc} }
	return []*Func{
		{
			Name: "register_rpc",
			Doc:  "Registers fn as the RPC named id. The id is case-insensitive (stored lowercased); a later registration of the same id replaces an earlier one. Does nothing outside module loading.",
			Params: []Param{
				fnParam("The RPC: fn(context, payload) returns the response payload (a string) or nil."),
				{Name: "id", Type: TypeString, Doc: "The RPC id clients call; must not be empty."},
			},
			Run: a.registerRPC,
		},
		{
			Name:   "register_matchmaker_matched",
			Doc:    "Registers fn as the matchmaker matched hook. Does nothing outside module loading.",
			Params: []Param{fnParam("fn(context, entries) returns the id of an authoritative match for the matched players, or nil to let them meet in a relayed match.")},
			Run:    a.registerMatchmaker,
		},
		{
			Name:   "register_shutdown",
			Doc:    "Registers fn to run when the server shuts down gracefully (only with a shutdown grace period). Does nothing outside module loading.",
			Params: []Param{fnParam("fn(context) runs once at shutdown; its results are ignored and its errors logged.")},
			Run:    a.registerShutdown,
		},
		{
			Name: "run_once",
			Doc:  "Calls fn(context) the first time run_once is called in this server process (any module, any VM); later calls do nothing, even if the first call failed.",
			Params: []Param{
				fnParam("fn(context) with execution_mode \"run_once\"; its results are discarded."),
			},
			Run: a.runOnce,
		},
		{
			Name:    "get_context",
			Doc:     "Returns a context table as run_once receives it: env, execution_mode \"run_once\", node, version and empty headers and query_params, with no user.",
			Results: []Result{{Name: "context", Type: TypeMap, Doc: "The context table."}},
			Run:     a.getContext,
		},
	}
}

func (a *API) registerRPC(c *Call, args []any) ([]any, error) {
	fn, id := args[0].(Function), args[1].(string)
	if id == "" {
		return nil, badArg("register_rpc", 2, "expects rpc id")
	}
	if c.Registrar == nil {
		return nil, nil
	}
	return nil, asError(c.Registrar.RegisterRPC(strings.ToLower(id), fn))
}

func (a *API) registerMatchmaker(c *Call, args []any) ([]any, error) {
	if c.Registrar == nil {
		return nil, nil
	}
	return nil, asError(c.Registrar.RegisterMatchmakerMatched(args[0].(Function)))
}

func (a *API) registerShutdown(c *Call, args []any) ([]any, error) {
	if c.Registrar == nil {
		return nil, nil
	}
	return nil, asError(c.Registrar.RegisterShutdown(args[0].(Function)))
}

// asError returns err as a VM error, keeping an *Error as it is.
func asError(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Message: err.Error()}
}

// runOnce runs fn at most once per API. A run_once called from inside fn
// does nothing (Nakama would deadlock on its sync.Once).
func (a *API) runOnce(c *Call, args []any) ([]any, error) {
	if a.onceActive.Load() {
		return nil, nil
	}
	fn := args[0].(Function)
	var err error
	a.once.Do(func() {
		a.onceActive.Store(true)
		defer a.onceActive.Store(false)
		_, err = fn.Call(callCtx(c), a.runOnceContext().Map())
	})
	if err != nil {
		return nil, Errorf("error in run_once function: %v", err)
	}
	return nil, nil
}

func (a *API) getContext(*Call, []any) ([]any, error) {
	return []any{a.runOnceContext().Map()}, nil
}

// runOnceContext is the context of run_once and get_context: the server's
// env, node and version, and no user.
func (a *API) runOnceContext() *runtime.CallContext {
	return &runtime.CallContext{
		Env:           a.d.Env,
		ExecutionMode: runtime.ModeRunOnce,
		Node:          a.d.Node,
		Version:       a.d.Version,
	}
}
