package ws

import (
	"context"

	"github.com/heroiclabs/nakama-common/rtapi"
)

// channel handles the chat messages (channel_join, channel_leave and
// channel_message_send, _update and _remove) with Nakama's replies; false
// means the socket is closing. A server without chat treats them as
// unrecognized, as it does any message it does not serve.
func (p *Pipeline) channel(ctx context.Context, c *conn, cid string, msg any) bool {
	chat := p.d.Chat
	if chat == nil {
		p.errorReply(c, cid, errUnrecognized)
		c.closeWith(closeUnsupported, reasonProcessing)
		return false
	}
	switch m := msg.(type) {
	case *rtapi.Envelope_ChannelJoin:
		err := chat.Join(ctx, c.sess, m.ChannelJoin, func(ch *rtapi.Channel) {
			p.reply(c, &rtapi.Envelope{Cid: cid, Message: &rtapi.Envelope_Channel{Channel: ch}})
		})
		if err != nil {
			p.fail(ctx, c, cid, err)
		}
	case *rtapi.Envelope_ChannelLeave:
		p.answer(ctx, c, cid, chat.Leave(c.sess, m.ChannelLeave.GetChannelId()), nil)
	case *rtapi.Envelope_ChannelMessageSend:
		ack, err := chat.Send(ctx, c.sess, m.ChannelMessageSend.GetChannelId(), m.ChannelMessageSend.GetContent())
		p.ack(ctx, c, cid, ack, err)
	case *rtapi.Envelope_ChannelMessageUpdate:
		u := m.ChannelMessageUpdate
		ack, err := chat.Update(ctx, c.sess, u.GetChannelId(), u.GetMessageId(), u.GetContent())
		p.ack(ctx, c, cid, ack, err)
	case *rtapi.Envelope_ChannelMessageRemove:
		r := m.ChannelMessageRemove
		ack, err := chat.Remove(ctx, c.sess, r.GetChannelId(), r.GetMessageId())
		p.ack(ctx, c, cid, ack, err)
	}
	return true
}

// ack answers a message send, update or remove.
func (p *Pipeline) ack(ctx context.Context, c *conn, cid string, ack *rtapi.ChannelMessageAck, err error) {
	p.answer(ctx, c, cid, err, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelMessageAck{ChannelMessageAck: ack}})
}
