package chat

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// MaxListLimit is the most messages one listing returns.
const MaxListLimit = 100

// clock gives messages increasing times at the stores' precision (a
// microsecond), so that a channel's history is in the order messages were
// sent even when two are sent within one microsecond.
type clock struct{ last atomic.Int64 }

// now returns the current time, or a microsecond after the last time given
// if the clock has not moved past it.
func (c *clock) now() time.Time {
	for {
		last, t := c.last.Load(), time.Now().UnixMicro()
		if t <= last {
			t = last + 1
		}
		if c.last.CompareAndSwap(last, t) {
			return time.UnixMicro(t).UTC()
		}
	}
}

// member returns the presence of s in a channel, or notJoined.
func (s *Service) member(sess *session.Session, ch Channel, notJoined error) (session.Meta, error) {
	meta, in := s.d.Tracker.Get(sess, ch.Stream)
	if !in {
		return meta, notJoined
	}
	return meta, nil
}

// Send handles a client's channel_message_send: s must be in the channel
// and content a JSON object. The message is stored when s joined with
// persistence, then sent to everyone in the channel, s included; the
// returned ack answers s.
func (s *Service) Send(ctx context.Context, sess *session.Session, channelID, content string) (*rtapi.ChannelMessageAck, error) {
	ch, ok := ParseID(channelID)
	if !ok {
		return nil, ErrChannelID
	}
	if !runtime.IsJSONObject(content) {
		return nil, ErrContent
	}
	meta, err := s.member(sess, ch, ErrNotJoinedSend)
	if err != nil {
		return nil, err
	}
	at := s.clock.now()
	m := runtime.ChannelMessage{
		ChannelID: ch.ID, ID: runtime.NewUUID().String(), Code: CodeChat,
		SenderID: sess.UserID, Username: sess.Username, Content: content,
		CreateTime: at, UpdateTime: at, Persistent: meta.Persistence,
	}
	if m.Persistent {
		if err := s.d.Store.AddMessage(ctx, m); err != nil {
			return nil, fmt.Errorf("%w: %w", errPersist, err)
		}
	}
	return s.push(ch, m), nil
}

// Update handles a client's channel_message_update. With persistence, only
// the sender of a stored message may update it; without, the update is
// passed on unchecked, as Nakama does. Everyone in the channel gets the
// message again with code 1 and the new content.
func (s *Service) Update(ctx context.Context, sess *session.Session, channelID, messageID, content string) (*rtapi.ChannelMessageAck, error) {
	if !runtime.ValidUUID(messageID) {
		return nil, ErrMessageID
	}
	ch, ok := ParseID(channelID)
	if !ok {
		return nil, ErrChannelID
	}
	if !runtime.IsJSONObject(content) {
		return nil, ErrContent
	}
	meta, err := s.member(sess, ch, ErrNotJoinedEdit)
	if err != nil {
		return nil, err
	}
	at := s.clock.now()
	m := runtime.ChannelMessage{
		ChannelID: ch.ID, ID: messageID, Code: CodeUpdate, SenderID: sess.UserID, Username: sess.Username,
		Content: content, CreateTime: at, UpdateTime: at, Persistent: meta.Persistence,
	}
	if m.Persistent {
		created, err := s.d.Store.UpdateMessage(ctx, m)
		switch {
		case errors.Is(err, runtime.ErrNotFound):
			return nil, ErrNoUpdate
		case err != nil:
			return nil, fmt.Errorf("%w: %w", errPersistEdit, err)
		}
		m.CreateTime = created
	}
	return s.push(ch, m), nil
}

// Remove handles a client's channel_message_remove, under the rules of
// Update. Everyone in the channel gets the message with code 2 and content
// {}.
func (s *Service) Remove(ctx context.Context, sess *session.Session, channelID, messageID string) (*rtapi.ChannelMessageAck, error) {
	if !runtime.ValidUUID(messageID) {
		return nil, ErrMessageID
	}
	ch, ok := ParseID(channelID)
	if !ok {
		return nil, ErrChannelID
	}
	meta, err := s.member(sess, ch, ErrNotJoinedDrop)
	if err != nil {
		return nil, err
	}
	at := s.clock.now()
	m := runtime.ChannelMessage{
		ChannelID: ch.ID, ID: messageID, Code: CodeRemove, SenderID: sess.UserID, Username: sess.Username,
		Content: "{}", CreateTime: at, UpdateTime: at, Persistent: meta.Persistence,
	}
	if m.Persistent {
		created, err := s.d.Store.RemoveMessage(ctx, ch.ID, messageID, sess.UserID)
		switch {
		case errors.Is(err, runtime.ErrNotFound):
			return nil, ErrNoRemove
		case err != nil:
			return nil, fmt.Errorf("%w: %w", errPersistDrop, err)
		}
		m.CreateTime = created
	}
	return s.push(ch, m), nil
}

// push sends m to everyone in its channel and returns the sender's ack.
func (s *Service) push(ch Channel, m runtime.ChannelMessage) *rtapi.ChannelMessageAck {
	wm := Wire(ch, m)
	s.d.Router.SendStream(s.d.Tracker, ch.Stream, &rtapi.Envelope{Message: &rtapi.Envelope_ChannelMessage{ChannelMessage: wm}})
	return &rtapi.ChannelMessageAck{
		ChannelId: wm.ChannelId, MessageId: wm.MessageId, Code: wm.Code, Username: wm.Username,
		CreateTime: wm.CreateTime, UpdateTime: wm.UpdateTime, Persistent: wm.Persistent,
		RoomName: wm.RoomName, GroupId: wm.GroupId, UserIdOne: wm.UserIdOne, UserIdTwo: wm.UserIdTwo,
	}
}

// Wire converts a message of channel ch.
func Wire(ch Channel, m runtime.ChannelMessage) *api.ChannelMessage {
	room, group, one, two := ch.Targets()
	return &api.ChannelMessage{
		ChannelId:  ch.ID,
		MessageId:  m.ID,
		Code:       wrapperspb.Int32(int32(m.Code)),
		SenderId:   m.SenderID,
		Username:   m.Username,
		Content:    m.Content,
		CreateTime: timestamppb.New(m.CreateTime),
		UpdateTime: timestamppb.New(m.UpdateTime),
		Persistent: wrapperspb.Bool(m.Persistent),
		RoomName:   room, GroupId: group, UserIdOne: one, UserIdTwo: two,
	}
}

// List returns a page of a channel's stored messages for caller, with
// Nakama's permissions: anyone may read a room (joined or not), only its
// members a group and only its two users a direct message. limit is 1 to
// 100; forward lists oldest first.
func (s *Service) List(ctx context.Context, caller, channelID string, limit int, forward bool, cursor string) (*api.ChannelMessageList, error) {
	ch, ok := ParseID(channelID)
	if !ok {
		return nil, ErrListChannelID
	}
	if limit < 1 || limit > MaxListLimit {
		return nil, ErrListLimit
	}
	switch ch.Stream.Mode {
	case session.ModeGroup:
		member, err := s.d.Groups.IsMember(ctx, ch.Stream.Subject, caller)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errList, err)
		}
		if !member {
			return nil, ErrListGroup
		}
	case session.ModeDM:
		if !ch.has(caller) {
			return nil, ErrListChannel
		}
	}
	page, err := s.d.Store.ListMessages(ctx, runtime.MessageList{ChannelID: ch.ID, Limit: limit, Forward: forward, Cursor: cursor})
	switch {
	case errors.Is(err, runtime.ErrBadCursor):
		return nil, ErrListCursor
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errList, err)
	}
	out := &api.ChannelMessageList{NextCursor: page.Next, PrevCursor: page.Prev, CacheableCursor: page.Cacheable}
	for _, m := range page.Messages {
		out.Messages = append(out.Messages, Wire(ch, m))
	}
	return out, nil
}
