// Package nk is the nk API: every function a module can call, described
// once, with its parameters, defaults and results, and implemented once in
// Go over the engine's services.
//
// # One description, thin adapters
//
// A VM adapter (vm/lua, vm/wasm) does not know any nk function. It converts
// its own values to the neutral value model below, calls Func.Invoke, and
// converts the results back. Invoke checks the arguments against the
// description (types, optional arguments, defaults) and reports a bad
// argument the way Lua does, so each function's Go code sees clean values.
// Adding a function means adding one Func to the table; no adapter changes.
// The same descriptions generate the LuaLS annotations in sdk/lua and the
// function list of the WASM ABI, and tests check both against the table.
//
// # Neutral values
//
// nil, bool, int64, float64, string, []byte, []any (a list), map[string]any
// (a map) and Function (a function of the calling VM, for register_*).
// Lua strings arrive as string; WASM byte buffers as []byte; a Bytes
// parameter accepts both.
package nk

import (
	"context"
	"fmt"
	"log/slog"
	"math"

	"github.com/arbiterhq/arbiter/runtime"
)

// Type is the type of a parameter or result.
type Type uint8

// The types of the neutral value model.
const (
	TypeAny      Type = iota
	TypeBool          // bool
	TypeInt           // int64 (a number without fraction)
	TypeNumber        // float64 or int64
	TypeString        // string
	TypeBytes         // []byte or string
	TypeList          // []any
	TypeMap           // map[string]any
	TypeTable         // []any or map[string]any
	TypeFunction      // Function
)

var typeNames = [...]string{"any", "boolean", "integer", "number", "string", "string", "table", "table", "table", "function"}

// String names the type as Lua error messages do.
func (t Type) String() string { return typeNames[t] }

// Param describes one parameter.
type Param struct {
	Name string
	Type Type
	// Optional parameters may be nil or absent; Default replaces them.
	Optional bool
	Default  any
	Doc      string
	// Expects, when set, is the message of a bad argument of the wrong type
	// (nil included, for a required parameter), in place of "<type>
	// expected, got <type>": some Nakama functions word their checks so
	// ("expects label string or nil").
	Expects string
}

// Result describes one result.
type Result struct {
	Name string
	Type Type
	// Nilable results may be nil.
	Nilable bool
	Doc     string
}

// Func is one nk function.
type Func struct {
	Name    string
	Doc     string
	Params  []Param
	Results []Result
	// Run runs the function with checked arguments, one per parameter.
	Run func(c *Call, args []any) ([]any, error)
}

// Function is a function value of the calling VM.
type Function interface {
	// Call calls the function on the calling VM, synchronously.
	Call(ctx context.Context, args ...any) ([]any, error)
}

// Registrar receives a module's registrations. Only a VM that is loading
// modules has one; elsewhere register_* calls are refused.
type Registrar interface {
	RegisterRPC(id string, fn Function) error
	RegisterMatchmakerMatched(fn Function) error
	RegisterShutdown(fn Function) error
}

// Call is the environment of one nk call.
type Call struct {
	Ctx context.Context
	// Context is the callback context of the code making the call.
	Context *runtime.CallContext
	// Module names the calling module, for logs.
	Module string
	// Registrar is set while modules load.
	Registrar Registrar
	Logger    *slog.Logger
}

// Error is an error raised in the calling VM, with the message as Nakama
// words it. Code, when set, is the status a client sees (error({msg, code})).
type Error struct {
	Message string
	Code    runtime.Code
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(format string, args ...any) error { return &Error{Message: fmt.Sprintf(format, args...)} }

// ArgError is a bad argument, worded as Lua words it.
func ArgError(f *Func, n int, msg string) error {
	return &Error{Message: fmt.Sprintf("bad argument #%d to %s (%s)", n, f.Name, msg)}
}

// Invoke checks args against the description, fills in defaults and runs
// the function. Missing trailing arguments count as nil.
func (f *Func) Invoke(c *Call, args []any) ([]any, error) {
	if len(args) > len(f.Params) {
		args = args[:len(f.Params)]
	}
	checked := make([]any, len(f.Params))
	for i, p := range f.Params {
		var v any
		if i < len(args) {
			v = args[i]
		}
		cv, err := check(f, i+1, p, v)
		if err != nil {
			return nil, err
		}
		checked[i] = cv
	}
	return f.Run(c, checked)
}

func check(f *Func, n int, p Param, v any) (any, error) {
	if v == nil {
		if p.Optional || p.Type == TypeAny {
			return p.Default, nil
		}
		return nil, typeError(f, n, p, "nil")
	}
	if cv, ok := convert(p.Type, v); ok {
		return cv, nil
	}
	return nil, typeError(f, n, p, TypeName(v))
}

func typeError(f *Func, n int, p Param, got string) error {
	if p.Expects != "" {
		return ArgError(f, n, p.Expects)
	}
	return ArgError(f, n, p.Type.String()+" expected, got "+got)
}

// convert returns v as type t when it is one or converts losslessly.
func convert(t Type, v any) (any, bool) {
	switch t {
	case TypeAny:
		return v, true
	case TypeBool:
		_, ok := v.(bool)
		return v, ok
	case TypeInt:
		switch x := v.(type) {
		case int64:
			return x, true
		case float64:
			if x == math.Trunc(x) && !math.IsInf(x, 0) {
				return int64(x), true
			}
		case string:
			return parseNumber(x, true)
		}
		return nil, false
	case TypeNumber:
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case string:
			return parseNumber(x, false)
		}
		return nil, false
	case TypeString:
		switch x := v.(type) {
		case string:
			return x, true
		case []byte:
			return string(x), true
		case int64, float64:
			return FormatNumber(x), true // Lua coerces numbers to strings
		}
		return nil, false
	case TypeBytes:
		switch x := v.(type) {
		case []byte:
			return x, true
		case string:
			return []byte(x), true
		}
		return nil, false
	case TypeList:
		_, ok := v.([]any)
		if !ok {
			if m, isMap := v.(map[string]any); isMap && len(m) == 0 {
				return []any{}, true // an empty Lua table is both
			}
		}
		return v, ok
	case TypeMap:
		_, ok := v.(map[string]any)
		if !ok {
			if l, isList := v.([]any); isList && len(l) == 0 {
				return map[string]any{}, true
			}
		}
		return v, ok
	case TypeTable:
		switch v.(type) {
		case []any, map[string]any:
			return v, true
		}
		return nil, false
	case TypeFunction:
		_, ok := v.(Function)
		return v, ok
	}
	return nil, false
}

// TypeName names the type of a neutral value as Lua does.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	case string, []byte:
		return "string"
	case []any, map[string]any:
		return "table"
	case Function:
		return "function"
	}
	return fmt.Sprintf("%T", v)
}
