// Chat through nakama-js, over both socket formats: rooms, direct messages,
// presence events, message changes and the history over REST.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newClient, newUser, unique, rejectsWith } from './lib/nakama.mjs';
import { formats, openSocket, flush, rejectsRealtime, userIDs } from './lib/realtime.mjs';

const client = newClient();

// Channel types of joinChat.
const ROOM = 1;
const DM = 2;
const GROUP = 3;

const BAD_INPUT = 3;
const invalidLimit = [400, 3, 'Invalid limit - limit must be between 1 and 100.'];

/** Waits for the channel message with this id and code on a socket. */
function message(socket, id, code) {
  return socket.inbox.next('channel_message', (m) => m.message_id === id && m.code === code, `message ${id} code ${code}`);
}

/** Lists a channel's whole history, forward, as session. */
async function history(session, channelID) {
  const { messages } = await client.listChannelMessages(session, channelID, 100, true);
  return messages ?? [];
}

for (const format of formats) {
  describe(`chat rooms (${format.name})`, () => {
    test('join, presences, send, update, remove and leave', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      const sb = await openSocket(t, client, bob, format);
      const room = unique('room-');

      const ca = await sa.joinChat(room, ROOM, true, false);
      assert.equal(ca.id, `2...${room}`);
      assert.equal(ca.room_name, room);
      assert.deepEqual(userIDs(ca.presences), []);
      assert.equal(ca.self.user_id, alice.user_id);
      assert.equal(ca.self.username, alice.username);
      assert.equal(ca.self.persistence, true);
      const cb = await sb.joinChat(room, ROOM, true, false);
      assert.equal(cb.id, ca.id);
      assert.deepEqual(userIDs(cb.presences), [alice.user_id]);
      const joined = await sa.inbox.next('channel_presence', (e) => userIDs(e.joins).includes(bob.user_id));
      assert.equal(joined.channel_id, ca.id);
      assert.equal(joined.room_name, room);

      const ack = await sa.writeChatMessage(ca.id, { text: 'héllo 🎮', n: 1 });
      assert.equal(ack.channel_id, ca.id);
      assert.equal(ack.username, alice.username);
      assert.equal(ack.code, 0);
      assert.equal(ack.persistent, true);
      assert.equal(ack.room_name, room);
      for (const s of [sa, sb]) {
        const m = await message(s, ack.message_id, 0);
        assert.deepEqual(m.content, { text: 'héllo 🎮', n: 1 });
        assert.equal(m.sender_id, alice.user_id);
        assert.equal(m.username, alice.username);
        assert.equal(m.persistent, true);
        assert.equal(m.room_name, room);
      }

      await rejectsRealtime(sb.updateChatMessage(ca.id, ack.message_id, { text: 'hijacked' }),
        BAD_INPUT, 'Could not find message to update in channel history');
      const updated = await sa.updateChatMessage(ca.id, ack.message_id, { text: 'edited' });
      assert.equal(updated.code, 1);
      assert.equal(updated.message_id, ack.message_id);
      for (const s of [sa, sb]) {
        assert.deepEqual((await message(s, ack.message_id, 1)).content, { text: 'edited' });
      }
      const [stored] = await history(bob, ca.id);
      assert.deepEqual(stored.content, { text: 'edited' });
      assert.equal(stored.message_id, ack.message_id);
      assert.equal(stored.sender_id, alice.user_id);
      assert.equal(stored.persistent, true);

      await rejectsRealtime(sb.removeChatMessage(ca.id, ack.message_id),
        BAD_INPUT, 'Could not find message to remove in channel history');
      const removed = await sa.removeChatMessage(ca.id, ack.message_id);
      assert.equal(removed.code, 2);
      for (const s of [sa, sb]) {
        assert.deepEqual((await message(s, ack.message_id, 2)).content, {});
      }
      assert.deepEqual(await history(alice, ca.id), []);

      await sb.leaveChat(ca.id);
      const left = await sa.inbox.next('channel_presence', (e) => userIDs(e.leaves).includes(bob.user_id));
      assert.equal(left.channel_id, ca.id);
      await rejectsRealtime(sb.writeChatMessage(ca.id, {}), BAD_INPUT, 'Must join channel before sending messages');
    });

    test('a hidden presence makes no events but receives messages', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      const sb = await openSocket(t, client, bob, format);
      const room = unique('room-');
      const ca = await sa.joinChat(room, ROOM, true, false);
      const cb = await sb.joinChat(room, ROOM, true, true);
      assert.deepEqual(userIDs(cb.presences), [alice.user_id]);
      const ack = await sa.writeChatMessage(ca.id, { n: 1 });
      await message(sb, ack.message_id, 0);
      await sb.leaveChat(ca.id);
      await flush(sb, sa);
      const events = sa.inbox.take('channel_presence');
      assert.deepEqual(events.map((e) => [userIDs(e.joins), userIDs(e.leaves)]), [[[alice.user_id], []]],
        'alice sees only her own join');
    });

    test('without persistence a message is delivered but not kept', async (t) => {
      const alice = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      const ch = await sa.joinChat(unique('room-'), ROOM, false, false);
      assert.equal(ch.self.persistence ?? false, false, 'JSON leaves a false bool out');
      const ack = await sa.writeChatMessage(ch.id, { n: 1 });
      assert.equal(ack.persistent, false);
      assert.equal((await message(sa, ack.message_id, 0)).persistent, false);
      assert.deepEqual(await history(alice, ch.id), []);
    });

    test('refused joins and messages keep the socket open', async (t) => {
      const alice = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      const cases = [
        [['', ROOM], 'Invalid channel target'],
        [['x'.repeat(65), ROOM], 'Channel name is required and must be 1-64 chars: Invalid channel target'],
        [['a\u0001b', ROOM], 'Channel name must not contain control chars: Invalid channel target'],
        [['not-a-user', DM], 'Invalid user ID in direct message join: Invalid channel target'],
        [[randomUUID(), DM], 'User ID not found: Invalid channel target'],
        [['not-a-group', GROUP], 'Invalid group ID in group channel join: Invalid channel target'],
        // Arbiter has no groups: no one is a member of any.
        [[randomUUID(), GROUP], 'Group not found: Invalid channel target'],
        [['room', 7], 'Invalid channel type'],
      ];
      for (const [[target, type], msg] of cases) {
        await rejectsRealtime(sa.joinChat(target, type, true, false), BAD_INPUT, msg);
      }
      const room = `2...${unique('room-')}`;
      await rejectsRealtime(sa.writeChatMessage(room, {}), BAD_INPUT, 'Must join channel before sending messages');
      await rejectsRealtime(sa.writeChatMessage('lobby', {}), BAD_INPUT, 'Invalid channel identifier');
      await rejectsRealtime(sa.leaveChat('lobby'), BAD_INPUT, 'Invalid channel identifier');
      const ch = await sa.joinChat(unique('room-'), ROOM, true, false);
      await rejectsRealtime(sa.writeChatMessage(ch.id, 'just a string'), BAD_INPUT,
        'Message content must be a valid JSON object');
      await rejectsRealtime(sa.updateChatMessage(ch.id, 'not-a-uuid', {}), BAD_INPUT, 'Invalid message identifier');
      await rejectsRealtime(sa.removeChatMessage(room, randomUUID()), BAD_INPUT, 'Must join channel before removing messages');
      const ack = await sa.writeChatMessage(ch.id, { still: 'open' });
      assert.equal(ack.channel_id, ch.id);
    });
  });

  describe(`direct messages (${format.name})`, () => {
    test('joining asks the other user, who joins and chats; others cannot read it', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const carol = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      const sb = await openSocket(t, client, bob, format);
      const [one, two] = [alice.user_id, bob.user_id].sort();

      const ca = await sa.joinChat(bob.user_id, DM, true, false);
      assert.equal(ca.id, `4.${one}.${two}.`);
      assert.equal(ca.user_id_one, one);
      assert.equal(ca.user_id_two, two);
      const request = await sb.inbox.next('notification', (n) => n.code === -1);
      assert.equal(request.subject, `${alice.username} wants to chat`);
      assert.deepEqual(request.content, { username: alice.username });
      assert.equal(request.sender_id, alice.user_id);
      assert.equal(request.persistent, true);

      const cb = await sb.joinChat(alice.user_id, DM, true, false);
      assert.equal(cb.id, ca.id);
      assert.deepEqual(userIDs(cb.presences), [alice.user_id]);
      await sa.inbox.next('channel_presence', (e) => userIDs(e.joins).includes(bob.user_id));
      const ack = await sb.writeChatMessage(cb.id, { hi: 'alice' });
      const m = await message(sa, ack.message_id, 0);
      assert.deepEqual([m.user_id_one, m.user_id_two, m.sender_id], [one, two, bob.user_id]);
      await flush(sb, sa);
      assert.deepEqual(sa.inbox.take('notification'), [], 'alice, in the chat already, is not asked');

      assert.equal((await history(alice, ca.id)).length, 1);
      assert.equal((await history(bob, ca.id)).length, 1);
      await rejectsWith(client.listChannelMessages(carol, ca.id, 10, true), 400, 3, 'Channel not found.');
    });
  });
}

describe('channel history over REST', () => {
  test('pages forward and back with the cursors, newest first when asked', async (t) => {
    const alice = await newUser(client);
    const bob = await newUser(client); // never joins: rooms are open
    const sa = await openSocket(t, client, alice, formats[0]);
    const ch = await sa.joinChat(unique('room-'), ROOM, true, false);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push((await sa.writeChatMessage(ch.id, { i })).message_id);
    const ids = (page) => (page.messages ?? []).map((m) => m.message_id);

    const first = await client.listChannelMessages(bob, ch.id);
    assert.deepEqual(ids(first), sent.slice(0, 1), 'the limit defaults to 1, oldest first');
    assert.ok(first.next_cursor && !first.prev_cursor);

    const pages = [];
    let cursor;
    do {
      const page = await client.listChannelMessages(bob, ch.id, 2, true, cursor);
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(pages.map(ids), [sent.slice(0, 2), sent.slice(2, 4), sent.slice(4)]);
    const back = await client.listChannelMessages(bob, ch.id, 2, true, pages[2].prev_cursor);
    assert.deepEqual(ids(back), sent.slice(2, 4), 'the previous cursor lists the page before');

    const newest = await client.listChannelMessages(bob, ch.id, 10, false);
    assert.deepEqual(ids(newest), [...sent].reverse());

    // The cacheable cursor lists what is newer than the last page.
    const all = await client.listChannelMessages(bob, ch.id, 10, true);
    const later = await sa.writeChatMessage(ch.id, { later: true });
    assert.deepEqual(ids(await client.listChannelMessages(bob, ch.id, 10, true, all.cacheable_cursor)),
      [later.message_id]);
  });

  test('bad requests are refused with Nakama\'s messages', async () => {
    const alice = await newUser(client);
    const room = `2...${unique('room-')}`;
    await rejectsWith(client.listChannelMessages(alice, room, 0), ...invalidLimit);
    await rejectsWith(client.listChannelMessages(alice, room, 101), ...invalidLimit);
    await rejectsWith(client.listChannelMessages(alice, room, 10, true, 'not-a-cursor'),
      400, 3, 'Cursor is invalid or expired.');
    await rejectsWith(client.listChannelMessages(alice, 'lobby', 10), 400, 3, 'Invalid channel ID.');
    await rejectsWith(client.listChannelMessages(alice, `3.${randomUUID()}..`, 10), 400, 3, 'Group not found.');
  });
});
