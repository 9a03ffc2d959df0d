package ws

import (
	"context"
	"log/slog"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/runtime/status"
)

// PipelineDeps are the engine services the socket's messages reach.
type PipelineDeps struct {
	Router  *session.Router
	Relayed *match.Relayed
	Matches *match.Registry
	Status  *status.Registry
	// Chat serves the channel_* messages; nil leaves them unrecognized.
	Chat *chat.Service
	// Matchmaker takes matchmaker tickets; nil refuses them.
	Matchmaker *matchmaker.Matchmaker
	// Tokens verifies matchmaker tokens in match_join.
	Tokens *auth.Tokens
	// RPC runs module RPCs; nil answers every rpc with "not found".
	RPC RPCCaller
	// Node, Version and Env go into RPC callback contexts.
	Node    string
	Version string
	Env     map[string]string
	Logger  *slog.Logger
}

// Pipeline decodes a client's envelopes and calls the engine. Each request
// is answered with the request's cid; pushes carry none.
type Pipeline struct {
	d     PipelineDeps
	codec wire.Codec
}

// NewPipeline returns the message pipeline.
func NewPipeline(d PipelineDeps) *Pipeline {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{d: d}
}

// Errors of the envelope itself, with Nakama's messages and codes.
var (
	errMissing      = &rtapi.Error{Code: int32(rtapi.Error_MISSING_PAYLOAD), Message: "Missing message."}
	errUnrecognized = &rtapi.Error{Code: int32(rtapi.Error_UNRECOGNIZED_PAYLOAD), Message: "Unrecognized message."}
)

func rtapiRateLimited() *rtapi.Error {
	return &rtapi.Error{Code: int32(rtapi.Error_BAD_INPUT), Message: "Message rate limit exceeded."}
}

// process handles one frame; false means the socket is closing.
func (p *Pipeline) process(c *conn, frame []byte) bool {
	var env rtapi.Envelope
	if err := p.codec.Decode(frame, c.sess.Format, &env); err != nil {
		c.closeWith(closeBadPayload, reasonMalformed)
		return false
	}
	ctx := context.Background()
	cid := env.Cid
	switch m := env.Message.(type) {
	case nil:
		p.errorReply(c, cid, errMissing)
		c.closeWith(closeBadPayload, reasonProcessing)
		return false
	case *rtapi.Envelope_Ping:
		p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Pong{Pong: &rtapi.Pong{}}})
	case *rtapi.Envelope_Pong:
	case *rtapi.Envelope_MatchCreate:
		p.matchCreate(c, cid, m.MatchCreate)
	case *rtapi.Envelope_MatchJoin:
		p.matchJoin(c, cid, m.MatchJoin)
	case *rtapi.Envelope_MatchLeave:
		p.matchLeave(c, cid, m.MatchLeave)
	case *rtapi.Envelope_MatchDataSend:
		p.matchDataSend(c, m.MatchDataSend)
	case *rtapi.Envelope_MatchmakerAdd:
		p.matchmakerAdd(c, cid, m.MatchmakerAdd)
	case *rtapi.Envelope_MatchmakerRemove:
		p.matchmakerRemove(c, cid, m.MatchmakerRemove)
	case *rtapi.Envelope_Rpc:
		p.rpc(ctx, c, cid, m.Rpc)
	case *rtapi.Envelope_ChannelJoin, *rtapi.Envelope_ChannelLeave, *rtapi.Envelope_ChannelMessageSend,
		*rtapi.Envelope_ChannelMessageUpdate, *rtapi.Envelope_ChannelMessageRemove:
		return p.channel(ctx, c, cid, m)
	case *rtapi.Envelope_StatusFollow:
		st, err := p.d.Status.FollowUsers(ctx, c.sess, m.StatusFollow.UserIds, m.StatusFollow.Usernames)
		p.answer(c, cid, err, &rtapi.Envelope{Message: &rtapi.Envelope_Status{Status: st}})
	case *rtapi.Envelope_StatusUnfollow:
		p.answer(c, cid, p.d.Status.UnfollowUsers(c.sess, m.StatusUnfollow.UserIds), nil)
	case *rtapi.Envelope_StatusUpdate:
		var st *string
		if v := m.StatusUpdate.Status; v != nil {
			st = &v.Value
		}
		p.answer(c, cid, p.d.Status.Update(c.sess, st), nil)
	default:
		p.errorReply(c, cid, errUnrecognized)
		c.closeWith(closeUnsupported, reasonProcessing)
		return false
	}
	return true
}

// reply sends env to the client.
func (p *Pipeline) reply(c *conn, env *rtapi.Envelope) { p.d.Router.Send(c.sess, env) }

// answer replies with env (an empty ack when nil) under cid, or with err.
func (p *Pipeline) answer(c *conn, cid string, err error, env *rtapi.Envelope) {
	if err != nil {
		p.fail(c, cid, err)
		return
	}
	if env == nil {
		env = &rtapi.Envelope{}
	}
	env.Cid = cid
	p.reply(c, env)
}

// fail sends err as an error envelope, logging errors the client did not cause.
func (p *Pipeline) fail(c *conn, cid string, err error) {
	code, msg := wire.Public(err)
	if code == runtime.Internal {
		p.d.Logger.Error("socket request failed", runtime.LogSession, c.sess.ID, runtime.LogError, err)
	}
	p.errorReply(c, cid, &rtapi.Error{Code: int32(wire.RealtimeCode(err)), Message: msg})
}

func (p *Pipeline) errorReply(c *conn, cid string, e *rtapi.Error) {
	p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Error{Error: e}})
}
