// Package chat runs Nakama's realtime chat: rooms anyone may join, direct
// messages between two users, and group channels, with live presence
// events, messages pushed to everyone in a channel, and a stored history
// clients page through over REST.
//
// # Channels
//
// A channel is a presence stream (see runtime/session) named on the wire by
// Nakama's channel id "<mode>.<subject>.<subcontext>.<label>":
//
//	room   "2...<name>"            stream ModeChannel, label = name (1-64 bytes)
//	group  "3.<group id>.."        stream ModeGroup, subject = group id
//	DM     "4.<user id>.<user id>." stream ModeDM, the lower user id first
//
// Joining tracks the session on the stream with its username, whether its
// messages are stored (persistence, default true) and whether it is hidden
// (default false); a second join keeps the first presence. Joins and leaves
// of visible presences reach everyone on the stream, the hidden ones too,
// as channel_presence_event: the Service is the tracker's handler of the
// three chat modes. Joining a direct message sends the other user, when no
// visible presence of theirs is in it, a persistent notification (code -1,
// "<username> wants to chat") through runtime/notify, so a user who is
// offline finds it later.
//
// # Messages
//
// A message is a JSON object from a session in the channel. It is stored
// when the sender joined with persistence, before it is pushed, so a stored
// history never misses a message someone saw; then channel_message goes to
// every session on the stream, the sender's included, and the sender gets
// channel_message_ack. Updates (code 1) and removals (code 2) of a stored
// message are allowed to its sender only; a session that joined without
// persistence passes them on unchecked, as Nakama does. The history lists
// by (create time, id) either way with Nakama's next, previous and
// cacheable cursors; rooms are open to anyone, direct messages to their
// two users, groups to their members.
//
// Differences from Nakama, on purpose: times keep microseconds (Nakama
// rounds to seconds) and the Service never gives two messages the same
// time, so a channel's history is in the order of sending; an
// update or removal must name a message of the channel it is sent to (Nakama
// checks only the id and sender); and an update's ack carries the stored
// create time, like its push (Nakama's ack has the current time).
//
// # Groups
//
// Arbiter has no groups feature yet, so there is no membership to check.
// Group channels go through the small Groups interface; the server wires
// NoGroups, which reports no membership, so every group join answers
// Nakama's "Group not found: Invalid channel target" and every group
// history listing "Group not found.". Nothing pretends a user is a member.
// A groups feature only has to implement Groups.IsMember.
package chat
