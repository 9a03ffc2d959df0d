package ws

import (
	"context"
	"log/slog"
	"strings"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/chat"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/runtime/metrics"
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
	// Metrics counts the messages received and the errors answered; nil
	// counts nothing.
	Metrics *metrics.Metrics
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
//
// Each request gets a trace id (a new one per message), which its logs and
// the logs of what it causes (an RPC, a match's join attempt) carry; data
// messages and pings are not traced, so the hot path allocates nothing.
func (p *Pipeline) process(c *conn, frame []byte) bool {
	var env rtapi.Envelope
	if err := p.codec.Decode(frame, c.sess.Format, &env); err != nil {
		p.d.Metrics.Received(nil, len(frame))
		c.closeWith(closeBadPayload, reasonMalformed)
		return false
	}
	p.d.Metrics.Received(&env, len(frame))
	ctx := c.ctx
	cid := env.Cid
	switch env.Message.(type) {
	case *rtapi.Envelope_MatchDataSend, *rtapi.Envelope_Ping, *rtapi.Envelope_Pong:
	default:
		f := runtime.LogFields{TraceID: runtime.NewTraceID()}
		if m, ok := env.Message.(*rtapi.Envelope_Rpc); ok {
			f.RPCID = strings.ToLower(m.Rpc.GetId()) // as the RPC's own logs name it
		}
		ctx = runtime.WithLogFields(ctx, f)
		if p.d.Logger.Enabled(ctx, slog.LevelDebug) {
			p.d.Logger.DebugContext(ctx, "socket request", "type", metrics.EnvelopeType(&env), "cid", cid)
		}
	}
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
		p.matchJoin(ctx, c, cid, m.MatchJoin)
	case *rtapi.Envelope_MatchLeave:
		p.matchLeave(ctx, c, cid, m.MatchLeave)
	case *rtapi.Envelope_MatchDataSend:
		p.matchDataSend(ctx, c, m.MatchDataSend)
	case *rtapi.Envelope_MatchmakerAdd:
		p.matchmakerAdd(ctx, c, cid, m.MatchmakerAdd)
	case *rtapi.Envelope_MatchmakerRemove:
		p.matchmakerRemove(ctx, c, cid, m.MatchmakerRemove)
	case *rtapi.Envelope_Rpc:
		p.rpc(ctx, c, cid, m.Rpc)
	case *rtapi.Envelope_ChannelJoin, *rtapi.Envelope_ChannelLeave, *rtapi.Envelope_ChannelMessageSend,
		*rtapi.Envelope_ChannelMessageUpdate, *rtapi.Envelope_ChannelMessageRemove:
		return p.channel(ctx, c, cid, m)
	case *rtapi.Envelope_StatusFollow:
		st, err := p.d.Status.FollowUsers(ctx, c.sess, m.StatusFollow.UserIds, m.StatusFollow.Usernames)
		p.answer(ctx, c, cid, err, &rtapi.Envelope{Message: &rtapi.Envelope_Status{Status: st}})
	case *rtapi.Envelope_StatusUnfollow:
		p.answer(ctx, c, cid, p.d.Status.UnfollowUsers(c.sess, m.StatusUnfollow.UserIds), nil)
	case *rtapi.Envelope_StatusUpdate:
		var st *string
		if v := m.StatusUpdate.Status; v != nil {
			st = &v.Value
		}
		p.answer(ctx, c, cid, p.d.Status.Update(c.sess, st), nil)
	case *rtapi.Envelope_PartyCreate, *rtapi.Envelope_PartyJoin, *rtapi.Envelope_PartyLeave,
		*rtapi.Envelope_PartyPromote, *rtapi.Envelope_PartyAccept, *rtapi.Envelope_PartyRemove,
		*rtapi.Envelope_PartyClose, *rtapi.Envelope_PartyJoinRequestList, *rtapi.Envelope_PartyMatchmakerAdd,
		*rtapi.Envelope_PartyMatchmakerRemove, *rtapi.Envelope_PartyDataSend, *rtapi.Envelope_PartyUpdate:
		p.notSupported(c, cid, &env)
	default:
		// A message only the server sends (match_data, error, …): Nakama
		// does not serve it either, and closes the socket.
		p.errorReply(c, cid, errUnrecognized)
		c.closeWith(closeUnsupported, reasonProcessing)
		return false
	}
	return true
}

// notSupported answers a request Nakama serves but Arbiter does not (the
// party_* messages) with an error, and keeps the socket open: a client
// calling an optional feature, such as nakama-js's createParty, sees its
// call fail rather than losing its connection.
func (p *Pipeline) notSupported(c *conn, cid string, env *rtapi.Envelope) {
	p.errorReply(c, cid, &rtapi.Error{
		Code:    int32(rtapi.Error_UNRECOGNIZED_PAYLOAD),
		Message: metrics.EnvelopeType(env) + " is not supported by this server",
	})
}

// reply sends env to the client.
func (p *Pipeline) reply(c *conn, env *rtapi.Envelope) { p.d.Router.Send(c.sess, env) }

// answer replies with env (an empty ack when nil) under cid, or with err.
func (p *Pipeline) answer(ctx context.Context, c *conn, cid string, err error, env *rtapi.Envelope) {
	if err != nil {
		p.fail(ctx, c, cid, err)
		return
	}
	if env == nil {
		env = &rtapi.Envelope{}
	}
	env.Cid = cid
	p.reply(c, env)
}

// fail sends err as an error envelope, logging errors the client did not
// cause with the request's log fields (ctx).
func (p *Pipeline) fail(ctx context.Context, c *conn, cid string, err error) {
	code, msg := wire.Public(err)
	if code == runtime.Internal {
		p.d.Logger.ErrorContext(ctx, "socket request failed", runtime.LogSession, c.sess.ID, runtime.LogError, err)
	}
	p.errorReply(c, cid, &rtapi.Error{Code: int32(wire.RealtimeCode(err)), Message: msg})
}

// errorReply sends an error envelope and counts it by code.
func (p *Pipeline) errorReply(c *conn, cid string, e *rtapi.Error) {
	p.d.Metrics.SocketError(e.Code)
	p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Error{Error: e}})
}
