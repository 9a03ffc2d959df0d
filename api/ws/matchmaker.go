package ws

import (
	"context"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
)

func (p *Pipeline) matchmakerAdd(ctx context.Context, c *conn, cid string, m *rtapi.MatchmakerAdd) {
	if p.d.Matchmaker == nil {
		p.fail(ctx, c, cid, runtime.NewError(runtime.Unavailable, "Matchmaker not available"))
		return
	}
	req := matchmaker.Request{
		MinCount: int(m.MinCount), MaxCount: int(m.MaxCount), Query: m.Query,
		StringProperties: m.StringProperties, NumericProperties: m.NumericProperties,
	}
	if m.CountMultiple != nil {
		req.CountMultiple = int(m.CountMultiple.Value)
		if req.CountMultiple == 0 {
			req.CountMultiple = -1 // present but zero: invalid, not "absent"
		}
	}
	ticket, err := p.d.Matchmaker.Add(c.sess, req)
	p.answer(ctx, c, cid, err, &rtapi.Envelope{Message: &rtapi.Envelope_MatchmakerTicket{
		MatchmakerTicket: &rtapi.MatchmakerTicket{Ticket: ticket}}})
}

func (p *Pipeline) matchmakerRemove(ctx context.Context, c *conn, cid string, m *rtapi.MatchmakerRemove) {
	if p.d.Matchmaker == nil {
		p.fail(ctx, c, cid, matchmaker.ErrTicketNotFound)
		return
	}
	p.answer(ctx, c, cid, p.d.Matchmaker.Remove(c.sess, m.Ticket), nil)
}
