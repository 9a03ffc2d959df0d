package lua

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// pcall calls the function pushed below nargs arguments, protected, with
// the VM's execution stopped when budget is done; ctx is what nk functions
// see. The returned values are in v.ret until the next call. A budget
// overrun returns ErrBudget, even if the code caught the interruption.
func (v *vm) pcall(ctx, budget context.Context, nargs int) error {
	L := v.L
	base := L.GetTop() - nargs - 1
	fn, _ := L.Get(base + 1).(*lua.LFunction)
	v.enter(ctx)
	L.SetContext(budget)
	err := L.PCall(nargs, lua.MultRet, nil)
	L.RemoveContext()
	v.leave()
	if err != nil {
		v.fixTraceback(err, fn)
	}
	v.ret = v.ret[:0]
	for i := base + 1; i <= L.GetTop(); i++ {
		v.ret = append(v.ret, L.Get(i))
	}
	L.SetTop(base)
	if budget.Err() != nil {
		return ErrBudget
	}
	return err
}

// last returns the last value the call returned, nil if none.
func (v *vm) last() lua.LValue {
	if len(v.ret) == 0 {
		return lua.LNil
	}
	return v.ret[len(v.ret)-1]
}

// result is the last value of an RPC or hook, read before its VM goes
// back to the pool.
type result struct {
	str   string
	isNil bool
	isStr bool
}

func resultOf(lv lua.LValue) result {
	switch x := lv.(type) {
	case *lua.LNilType:
		return result{isNil: true}
	case lua.LString:
		return result{str: string(x), isStr: true}
	}
	return result{}
}

// callError is a failed RPC or hook, read before its VM goes back to the
// pool: the message (position prefix stripped in the function's own file,
// as Nakama's clearFnError), the code of error({msg, code}) and the
// traceback.
type callError struct {
	msg    string
	code   runtime.Code
	custom bool // error({msg, code}): the module chose the code, not logged
	trace  string
	panic  bool // the VM may be inconsistent
}

func (e *callError) Error() string { return e.msg }

// classify reads a failed call's error.
func classify(fn *lua.LFunction, err error) error {
	var ae *lua.ApiError
	if errors.Is(err, ErrBudget) || !errors.As(err, &ae) {
		return err
	}
	ce := &callError{code: runtime.Internal, trace: ae.StackTrace, panic: ae.Type == lua.ApiErrorPanic}
	if t, ok := ae.Object.(*lua.LTable); ok {
		switch n := t.Len(); {
		case n == 0:
			ce.msg = t.String()
		case n >= 2:
			ce.msg, ce.custom = t.RawGetInt(1).String(), true
			if c, ok := t.RawGetInt(2).(lua.LNumber); ok {
				ce.code = runtime.Code(c)
			}
		default:
			ce.msg = t.RawGetInt(1).String()
		}
		return ce
	}
	ce.msg = stripPosition(errorMessage(err), fn)
	return ce
}

// stripPosition removes "<file>:<line>: " from msg when file is fn's own.
func stripPosition(msg string, fn *lua.LFunction) string {
	if fn == nil || fn.Proto == nil || !strings.HasPrefix(msg, fn.Proto.SourceName+":") {
		return msg
	}
	if _, rest, ok := strings.Cut(msg, ": "); ok {
		return rest
	}
	return msg
}

// run calls fn(context, args...) on p under budget b, then gives p back to
// the pool (see release). Results and errors are read from the VM before
// it goes back.
func (in *Instance) run(ctx context.Context, p *pooled, b *runtime.Budget, c *runtime.CallContext,
	fn *lua.LFunction, log *slog.Logger, args ...lua.LValue) (result, error) {
	if fn == nil {
		in.pool.put(p)
		return result{}, runtime.ErrFunctionNotFound
	}
	mod := ""
	if m := in.prog.moduleOf(fn); m != nil {
		mod = m.name
	}
	if c != nil && c.TraceID != "" && runtime.TraceIDOf(ctx) != c.TraceID {
		// The edge puts the trace in both; a caller that set only the call
		// context's still gets it in the logs of the call (nk.logger_*).
		ctx = runtime.WithTraceID(ctx, c.TraceID)
	}
	p.setCall(c, mod, log, nil)
	L := p.L
	L.Push(fn)
	L.Push(p.lazyContextTable(c))
	for _, a := range args {
		L.Push(a)
	}
	err := p.pcall(ctx, b.Start(), len(args)+1)
	b.Stop()
	res := resultOf(p.last())
	if err != nil {
		err = classify(fn, err)
		in.logFailure(ctx, log, mod, err)
	}
	in.release(p, err)
	return res, err
}

// release gives p back to the pool after a call that failed with err (or
// nil), or drops it when the call may have left it inconsistent: a budget
// overrun or a Go panic.
func (in *Instance) release(p *pooled, err error) {
	clear(p.ret)
	p.setCall(nil, "", nil, nil)
	var ce *callError
	if errors.Is(err, ErrBudget) || (errors.As(err, &ce) && ce.panic) {
		in.pool.discard(p)
		return
	}
	in.pool.put(p)
}

// logFailure logs a failed call with its traceback; errors a module raised
// with a code of its own are its answer, not a failure. ctx is the call's:
// its log fields (trace_id, rpc_id, session_id...) go into the line.
func (in *Instance) logFailure(ctx context.Context, log *slog.Logger, mod string, err error) {
	var ce *callError
	switch {
	case errors.Is(err, ErrBudget):
		log.WarnContext(ctx, "runtime function exceeded its CPU budget", runtime.LogModule, mod)
	case errors.As(err, &ce) && !ce.custom:
		log.ErrorContext(ctx, "runtime function caused an error", runtime.LogModule, mod,
			runtime.LogError, ce.msg, "traceback", ce.trace)
	}
}

// rpcError returns a failed RPC's error as clients see it.
func rpcError(err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return module.FunctionError(ce.code, ce.msg)
	}
	return err
}
