package lua

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

// nkModule returns the VM's nakama module. Pooled VMs bind every nk
// function up front; match VMs, which must stay small, bind each function
// the first time the module is indexed with its name.
func (v *vm) nkModule() *lua.LTable {
	if v.nk != nil {
		return v.nk
	}
	L := v.L
	if v.lazyNK {
		v.nk = L.CreateTable(0, 4)
		mt := L.CreateTable(0, 1)
		mt.RawSetString("__index", L.NewFunction(v.nkIndex))
		v.nk.Metatable = mt
		return v.nk
	}
	v.nk = L.CreateTable(0, len(v.eng.names))
	for _, name := range v.eng.names {
		v.nk.RawSetString(name, L.NewFunction(v.bind(v.eng.funcs[name])))
	}
	return v.nk
}

// nkIndex is the lazy nk module's __index: it binds the function named by
// the key and keeps it in the table.
func (v *vm) nkIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	name, ok := L.Get(2).(lua.LString)
	f := v.eng.funcs[string(name)]
	if !ok || f == nil {
		L.Push(lua.LNil)
		return 1
	}
	fn := L.NewFunction(v.bind(f))
	t.RawSetString(string(name), fn)
	L.Push(fn)
	return 1
}

// bind returns the one generic Lua function of an nk function: it converts
// the arguments to neutral values, invokes f and converts the results back.
func (v *vm) bind(f *nk.Func) lua.LGFunction {
	return func(L *lua.LState) int {
		n := L.GetTop()
		args := make([]any, n)
		for i := range args {
			a, err := v.toGo(L.Get(i+1), 0)
			if err != nil {
				L.ArgError(i+1, err.Error())
			}
			args[i] = a
		}
		c := v.call
		res, err := v.invoke(f, &c, args)
		if err != nil {
			v.raise(L, err)
		}
		for _, r := range res {
			L.Push(v.toLua(r))
		}
		return len(res)
	}
}

// invoke runs f, turning a panic into an error (logged with its stack).
func (v *vm) invoke(f *nk.Func, c *nk.Call, args []any) (res []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v.logger().Error("nk function panicked", "function", f.Name, runtime.LogModule, c.Module,
				runtime.LogError, fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("nk.%s: internal error", f.Name)
		}
	}()
	return f.Invoke(c, args)
}

// raise raises err in Lua: an *nk.Error with a code as the table {message,
// code} (as error({msg, code}) does), anything else as its message.
func (v *vm) raise(L *lua.LState, err error) {
	var ne *nk.Error
	if errors.As(err, &ne) && ne.Code != runtime.OK {
		t := L.CreateTable(2, 0)
		t.RawSetInt(1, lua.LString(ne.Message))
		t.RawSetInt(2, lua.LNumber(ne.Code))
		L.Error(t, 1)
	}
	L.RaiseError("%s", err.Error())
}

// Call implements nk.Function: it runs the function on its VM, which must
// be running a callback (nk functions call back synchronously, as run_once
// does). Errors are returned with the Lua error's message.
func (f *function) Call(_ context.Context, args ...any) ([]any, error) {
	v := f.vm
	if !v.active || v.L == nil {
		return nil, errors.New(msgNotInCall)
	}
	L := v.L
	base := L.GetTop()
	L.Push(f.fn)
	for _, a := range args {
		L.Push(v.toLua(a))
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		return nil, errors.New(errorMessage(err))
	}
	defer L.SetTop(base)
	res := make([]any, 0, L.GetTop()-base)
	for i := base + 1; i <= L.GetTop(); i++ {
		r, err := v.toGo(L.Get(i), 0)
		if err != nil {
			return nil, err
		}
		res = append(res, r)
	}
	return res, nil
}

// errorMessage returns the message of a Lua error: a string error as is,
// other values as tostring shows them.
func errorMessage(err error) string {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	if ae.Object == nil {
		return ae.Error()
	}
	msg := ae.Object.String()
	if msg == "lua callstack overflow" {
		return msgStackOverflow
	}
	return msg
}
