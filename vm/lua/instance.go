package lua

import (
	"context"
	"errors"
	"log/slog"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// Instance is one load of Lua modules: their compiled code, the pool of
// VMs that run RPCs and hooks, and the factory of match handlers. It
// implements module.Instance.
type Instance struct {
	eng  *Engine
	prog *program
	pool *pool
	log  *slog.Logger
	// policies are the reload policies of the match modules.
	policies map[string]module.Policy
}

var _ module.Instance = (*Instance)(nil)

func newInstance(e *Engine, prog *program) *Instance {
	in := &Instance{eng: e, prog: prog, log: e.cfg.Logger}
	in.pool = newPool(e.cfg.PoolMax, in.newPooled)
	return in
}

// report passes what the first VM's modules registered to reg.
func (in *Instance) report(first *pooled, reg module.Registrations) {
	ids := make([]string, 0, len(first.rpcs))
	for id := range first.rpcs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		reg.RPC(id, in.rpcFunc(id))
	}
	if first.matchmaker != nil {
		reg.MatchmakerMatched(in.matchmakerHook)
	}
	if first.shutdown != nil {
		reg.Shutdown(in.shutdownHook)
	}
}

// Close implements module.Instance.
func (in *Instance) Close() { in.pool.close() }

// rpcFunc returns the RPC id, run on a pooled VM: fn(context, payload)
// whose last returned value, a string or nil, is the result.
func (in *Instance) rpcFunc(id string) module.RPCFunc {
	log := in.log.With(runtime.LogRPC, id)
	return func(ctx context.Context, c *runtime.CallContext, payload string) (string, error) {
		p, err := in.pool.get(ctx)
		if err != nil {
			return "", err
		}
		res, err := in.run(ctx, p, p.rpcBudget, c, p.rpcs[id], log, lua.LString(payload))
		switch {
		case err != nil:
			return "", rpcError(err)
		case res.isNil:
			return "", nil
		case res.isStr:
			return res.str, nil
		}
		return "", module.FunctionError(runtime.Internal, errInvalidResult.Error())
	}
}

// matchmakerHook runs the matchmaker matched hook: fn(context, entries)
// returns a match id or nil.
func (in *Instance) matchmakerHook(ctx context.Context, c *runtime.CallContext, entries []any) (string, error) {
	p, err := in.pool.get(ctx)
	if err != nil {
		return "", err
	}
	res, err := in.run(ctx, p, p.hookBudget, c, p.matchmaker, in.log, p.toLua(entries))
	switch {
	case errors.Is(err, ErrBudget):
		return "", err
	case err != nil:
		return "", errors.New(errMatchmakerPrefix + err.Error())
	case res.isNil:
		return "", nil
	case !res.isStr:
		return "", errMatchmakerType
	}
	if _, _, err := match.ParseID(res.str); err != nil {
		return "", errMatchmakerID
	}
	return res.str, nil
}

// shutdownHook runs the shutdown hook fn(context).
func (in *Instance) shutdownHook(ctx context.Context, c *runtime.CallContext) error {
	p, err := in.pool.get(ctx)
	if err != nil {
		return err
	}
	_, err = in.run(ctx, p, p.hookBudget, c, p.shutdown, in.log)
	return err
}
