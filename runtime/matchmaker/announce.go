package matchmaker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// TokenSigner signs matchmaker tokens; runtime/auth.Tokens is one.
type TokenSigner interface {
	MatchToken(matchID string) (string, error)
}

// Notice announces groups to their players: the matched hook may create a
// match for them, otherwise they get a token for a new relayed match.
type Notice struct {
	Router *session.Router
	Tokens TokenSigner
	// Hook returns the current matched hook, or nil.
	Hook    func() module.MatchmakerFunc
	Node    string
	Version string
	Env     map[string]string
	Logger  *slog.Logger
}

// Announce implements Announcer. Each group gets a trace id of its own:
// the matched hook, and a match it creates, log with it.
func (n *Notice) Announce(ctx context.Context, g []Entry) {
	ctx = runtime.WithTraceID(ctx, runtime.NewTraceID())
	matchID := n.runHook(ctx, g)
	msg := &rtapi.MatchmakerMatched{Users: users(g)}
	if matchID != "" {
		msg.Id = &rtapi.MatchmakerMatched_MatchId{MatchId: matchID}
	} else {
		token, err := n.Tokens.MatchToken(runtime.NewUUID().String() + ".")
		if err != nil {
			n.logger().ErrorContext(ctx, "signing a match token failed", runtime.LogError, err)
			return
		}
		msg.Id = &rtapi.MatchmakerMatched_Token{Token: token}
	}
	for k, e := range g {
		one := &rtapi.MatchmakerMatched{Ticket: e.Ticket, Id: msg.Id, Users: msg.Users, Self: msg.Users[k]}
		n.Router.Send(e.Session, &rtapi.Envelope{Message: &rtapi.Envelope_MatchmakerMatched{MatchmakerMatched: one}})
	}
}

func (n *Notice) logger() *slog.Logger {
	if n.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return n.Logger
}

// runHook returns the match id the hook chose, or "" for a relayed match
// (no hook, nil, or an error, which is logged: the players are matched all
// the same, as in Nakama).
func (n *Notice) runHook(ctx context.Context, g []Entry) string {
	if n.Hook == nil {
		return ""
	}
	hook := n.Hook()
	if hook == nil {
		return ""
	}
	c := &runtime.CallContext{Env: n.Env, ExecutionMode: runtime.ModeMatchmaker, Node: n.Node, Version: n.Version,
		TraceID: runtime.TraceIDOf(ctx)}
	id, err := hook(ctx, c, n.entries(g))
	if err == nil && id != "" {
		if _, _, perr := match.ParseID(id); perr != nil {
			err = fmt.Errorf("invalid return value from the matchmaker matched hook, not a valid match ID: %q", id)
		}
	}
	if err != nil {
		n.logger().ErrorContext(ctx, "matchmaker matched hook failed; the players get a relayed match", runtime.LogError, err)
		return ""
	}
	return id
}

// entries returns the group as the hook sees it: Nakama's table of
// {presence = {...}, properties = {...}}.
func (n *Notice) entries(g []Entry) []any {
	out := make([]any, len(g))
	for i, e := range g {
		props := map[string]any{}
		for k, v := range e.StringProperties {
			props[k] = v
		}
		for k, v := range e.NumericProperties {
			props[k] = v
		}
		out[i] = map[string]any{
			"presence": map[string]any{
				"user_id": e.Session.UserID, "session_id": e.Session.ID,
				"username": e.Session.Username, "node": n.Node,
			},
			"properties": props,
		}
	}
	return out
}

func users(g []Entry) []*rtapi.MatchmakerMatched_MatchmakerUser {
	out := make([]*rtapi.MatchmakerMatched_MatchmakerUser, len(g))
	for i, e := range g {
		out[i] = &rtapi.MatchmakerMatched_MatchmakerUser{
			Presence:          e.Session.Presence(),
			StringProperties:  e.StringProperties,
			NumericProperties: e.NumericProperties,
		}
	}
	return out
}
