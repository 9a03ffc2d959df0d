package wasm

import (
	"context"
	"errors"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// errInvalidRPCResult is Nakama's error for an RPC result of a wrong type.
var errInvalidRPCResult = module.FunctionError(runtime.Internal,
	"Runtime function returned invalid data - only allowed one return value of type String/Byte.")

// register registers what the module serves into reg.
func (m *Module) register(reg module.Registrations) {
	for _, id := range m.regs.rpcs {
		reg.RPC(id, m.rpc(id))
	}
	if m.regs.matchmaker {
		reg.MatchmakerMatched(m.matchmakerMatched)
	}
	if m.regs.shutdown {
		reg.Shutdown(m.shutdownHook)
	}
}

// pooled runs one export call on a pooled instance under the RPC budget,
// with the input written by fill.
func (m *Module) pooled(ctx context.Context, c *runtime.CallContext, ex export, fill func(e *abi.Encoder) error) (byte, any, error) {
	ctx, cancel := context.WithTimeout(ctx, m.e.cfg.CallBudget)
	defer cancel()
	i, err := m.pool.get(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer m.pool.put(i)
	i.begin(c, nil, nil)
	defer i.end()
	i.in.Reset()
	if err := fill(&i.in); err != nil {
		return 0, nil, err
	}
	return i.invoke(ctx, ex, i.in.Bytes())
}

// rpc returns the RPCFunc of id.
func (m *Module) rpc(id string) module.RPCFunc {
	return func(ctx context.Context, c *runtime.CallContext, payload string) (string, error) {
		c = m.fill(c, runtime.ModeRPC)
		_, v, err := m.pooled(ctx, c, exRPC, func(e *abi.Encoder) error {
			e.Map(3)
			e.Key("id")
			e.String(id)
			e.Key("payload")
			e.String(payload)
			e.Key("context")
			return e.Value(c.Map())
		})
		if err != nil {
			return "", callError(err)
		}
		switch x := v.(type) {
		case nil:
			return "", nil
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
		return "", errInvalidRPCResult
	}
}

// callError turns a failed call into the error its caller sees.
func callError(err error) error {
	var ge *guestError
	if errors.As(err, &ge) {
		if ge.status == statusNotFound {
			return runtime.ErrFunctionNotFound
		}
		return module.FunctionError(ge.code, ge.message)
	}
	return err
}

func (m *Module) matchmakerMatched(ctx context.Context, c *runtime.CallContext, entries []any) (string, error) {
	c = m.fill(c, runtime.ModeMatchmaker)
	_, v, err := m.pooled(ctx, c, exMatchmaker, func(e *abi.Encoder) error {
		e.Map(2)
		e.Key("entries")
		if err := e.Value(entries); err != nil {
			return err
		}
		e.Key("context")
		return e.Value(c.Map())
	})
	if err != nil {
		return "", callError(err)
	}
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", module.FunctionError(runtime.Internal, "Unexpected return type from runtime Matchmaker Matched hook, must be string or nil.")
}

func (m *Module) shutdownHook(ctx context.Context, c *runtime.CallContext) error {
	c = m.fill(c, runtime.ModeShutdown)
	_, _, err := m.pooled(ctx, c, exShutdown, func(e *abi.Encoder) error {
		e.Map(1)
		e.Key("context")
		return e.Value(c.Map())
	})
	return callError(err)
}

// fill returns c, or a context of the engine's node when c is nil, with
// the engine's node, version and env where c leaves them empty.
func (m *Module) fill(c *runtime.CallContext, mode string) *runtime.CallContext {
	var cc runtime.CallContext
	if c != nil {
		cc = *c
	}
	if cc.ExecutionMode == "" {
		cc.ExecutionMode = mode
	}
	if cc.Node == "" {
		cc.Node = m.e.cfg.Node
	}
	if cc.Version == "" {
		cc.Version = m.e.cfg.Version
	}
	if cc.Env == nil {
		cc.Env = m.e.cfg.Env
	}
	return &cc
}
