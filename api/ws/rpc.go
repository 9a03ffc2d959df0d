package ws

import (
	"context"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
)

// RPCCaller runs module RPCs; runtime/module.Manager is one.
type RPCCaller interface {
	CallRPC(ctx context.Context, id string, c *runtime.CallContext, payload string) (string, error)
}

var errRPCID = runtime.NewError(runtime.InvalidArgument, "RPC ID must be set")

// rpc runs an RPC for the socket's user and answers with its result under
// the request's cid; the id is echoed as sent.
func (p *Pipeline) rpc(ctx context.Context, c *conn, cid string, in *api.Rpc) {
	if in.Id == "" {
		p.fail(ctx, c, cid, errRPCID)
		return
	}
	if p.d.RPC == nil {
		p.fail(ctx, c, cid, runtime.ErrFunctionNotFound)
		return
	}
	s := c.sess
	cctx := &runtime.CallContext{
		Env: p.d.Env, ExecutionMode: runtime.ModeRPC, Node: p.d.Node, Version: p.d.Version,
		UserID: s.UserID, Username: s.Username, Vars: s.Vars, UserSessionExp: s.Expiry,
		SessionID: s.ID, Lang: s.Lang, ClientIP: s.ClientIP, ClientPort: s.ClientPort,
		TraceID: runtime.TraceIDOf(ctx),
	}
	out, err := p.d.RPC.CallRPC(ctx, in.Id, cctx, in.Payload)
	if err != nil {
		p.fail(ctx, c, cid, err)
		return
	}
	p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: in.Id, Payload: out}}})
}
