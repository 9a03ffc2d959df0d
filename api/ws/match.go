package ws

import (
	"context"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/session"
)

var errNoMatchID = runtime.NewError(runtime.InvalidArgument, "No match ID or token found")

func (p *Pipeline) matchCreate(c *conn, cid string, m *rtapi.MatchCreate) {
	p.d.Relayed.Create(c.sess, m.Name, func(reply *rtapi.Match) {
		p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Match{Match: reply}})
	})
}

func (p *Pipeline) matchJoin(ctx context.Context, c *conn, cid string, m *rtapi.MatchJoin) {
	var (
		id        string
		fromToken bool
	)
	switch v := m.Id.(type) {
	case *rtapi.MatchJoin_MatchId:
		id = v.MatchId
	case *rtapi.MatchJoin_Token:
		if v.Token != "" {
			if p.d.Tokens == nil {
				p.fail(ctx, c, cid, auth.ErrMatchTokenInvalid)
				return
			}
			var err error
			if id, err = p.d.Tokens.VerifyMatchToken(v.Token); err != nil {
				p.fail(ctx, c, cid, err)
				return
			}
			fromToken = true
		}
	}
	if id == "" {
		p.fail(ctx, c, cid, errNoMatchID)
		return
	}
	uuid, node, err := match.ParseID(id)
	if err != nil {
		if fromToken {
			err = auth.ErrMatchTokenInvalid
		}
		p.fail(ctx, c, cid, err)
		return
	}
	answer := func(reply *rtapi.Match) {
		p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Match{Match: reply}})
	}
	if node != "" {
		err = p.authoritative().JoinContext(ctx, c.sess, id, m.Metadata, answer)
	} else {
		// A matchmaker token may open a relayed match no one is in yet.
		err = p.d.Relayed.Join(c.sess, id, uuid, fromToken, answer)
	}
	if err != nil {
		p.fail(ctx, c, cid, err)
	}
}

func (p *Pipeline) matchLeave(ctx context.Context, c *conn, cid string, m *rtapi.MatchLeave) {
	uuid, node, err := match.ParseID(m.MatchId)
	if err != nil {
		p.fail(ctx, c, cid, err)
		return
	}
	if node == "" {
		p.d.Relayed.Leave(c.sess, uuid)
	} else if err := p.authoritative().Leave(c.sess, m.MatchId); err != nil {
		p.fail(ctx, c, cid, err)
		return
	}
	p.answer(ctx, c, cid, nil, nil)
}

func (p *Pipeline) matchDataSend(ctx context.Context, c *conn, m *rtapi.MatchDataSend) {
	uuid, node, err := match.ParseID(m.MatchId)
	if err != nil {
		p.fail(ctx, c, "", err) // Nakama answers this one without a cid
		return
	}
	if node == "" {
		p.d.Relayed.Send(c.sess, m.MatchId, uuid, m)
		return
	}
	if err := p.authoritative().Data(c.sess, m.MatchId, m); err != nil {
		p.fail(ctx, c, "", err)
	}
}

// authoritative returns the match registry; without one (a server with no
// authoritative matches) every authoritative id is unknown.
func (p *Pipeline) authoritative() authoritativeMatches {
	if p.d.Matches == nil {
		return noMatches{}
	}
	return p.d.Matches
}

// authoritativeMatches is what the socket needs of runtime/match.Registry.
type authoritativeMatches interface {
	JoinContext(ctx context.Context, s *session.Session, id string, metadata map[string]string, reply func(*rtapi.Match)) error
	Leave(s *session.Session, id string) error
	Data(s *session.Session, id string, d *rtapi.MatchDataSend) error
}

type noMatches struct{}

func (noMatches) JoinContext(context.Context, *session.Session, string, map[string]string, func(*rtapi.Match)) error {
	return runtime.ErrMatchNotFound
}
func (noMatches) Leave(*session.Session, string) error                      { return nil }
func (noMatches) Data(*session.Session, string, *rtapi.MatchDataSend) error { return nil }
