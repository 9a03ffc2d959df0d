// Notifications through nakama-js: live on every socket of the user, over
// both socket formats, kept for users who are offline, listed with the
// cacheable cursor and deleted. A client cannot send a notification itself;
// the one it can cause is Nakama's direct message request (code -1), sent
// when someone joins a direct message chat with a user who is not in it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser, rejectsWith } from './lib/nakama.mjs';
import { formats, openSocket, flush } from './lib/realtime.mjs';

const client = newClient();
const DM = 2;
const invalidLimit = [400, 3, 'Invalid limit - limit must be between 1 and 100.'];

/** Has a new user ask target to chat; returns the asker's session. */
async function askToChat(t, target, format = formats[0]) {
  const asker = await newUser(client);
  const socket = await openSocket(t, client, asker, format);
  await socket.joinChat(target.user_id, DM, true, false);
  return asker;
}

/** Lists every notification of session, page by page from cursor. */
async function listAll(session, limit, cursor) {
  const all = [];
  for (let pages = 0; pages < 100; pages++) {
    const page = await client.listNotifications(session, limit, cursor);
    const ns = page.notifications ?? [];
    if (ns.length === 0) {
      assert.equal(page.cacheable_cursor ?? '', cursor ?? '', 'an empty page echoes the cursor');
      return { notifications: all, cursor };
    }
    assert.ok(ns.length <= limit);
    all.push(...ns);
    cursor = page.cacheable_cursor;
    assert.ok(cursor, 'a page has a cacheable cursor');
  }
  assert.fail('the listing does not end');
}

for (const format of formats) {
  describe(`live notifications (${format.name})`, () => {
    test('every socket of the user gets it, and it is listed', async (t) => {
      const bob = await newUser(client);
      const sockets = [await openSocket(t, client, bob, format), await openSocket(t, client, bob, format)];
      const alice = await askToChat(t, bob, format);
      const live = [];
      for (const s of sockets) live.push(await s.inbox.next('notification', (n) => n.sender_id === alice.user_id));
      assert.equal(live[0].id, live[1].id);
      const [n] = live;
      assert.equal(n.code, -1);
      assert.equal(n.subject, `${alice.username} wants to chat`);
      assert.deepEqual(n.content, { username: alice.username });
      assert.equal(n.persistent, true);
      assert.ok(n.create_time);

      const { notifications } = await client.listNotifications(bob, 10);
      assert.equal(notifications.length, 1);
      const [listed] = notifications;
      assert.deepEqual(
        [listed.id, listed.code, listed.subject, listed.sender_id, listed.persistent],
        [n.id, -1, n.subject, alice.user_id, true],
      );
      assert.deepEqual(listed.content, { username: alice.username });
      await flush(...sockets);
      assert.deepEqual(sockets.map((s) => s.inbox.take('notification').length), [0, 0], 'one envelope per socket');
    });
  });
}

describe('stored notifications', () => {
  test('a user who is offline finds them listed, and a socket opened later gets no replay', async (t) => {
    const carol = await newUser(client);
    const alice = await askToChat(t, carol);
    const { notifications } = await client.listNotifications(carol, 100);
    assert.deepEqual(notifications.map((n) => [n.sender_id, n.code]), [[alice.user_id, -1]]);
    const socket = await openSocket(t, client, carol, formats[1]);
    await flush(socket);
    assert.deepEqual(socket.inbox.take('notification'), []);
  });

  test('pages with the cacheable cursor, oldest first; a cursor catches up later', async (t) => {
    const carol = await newUser(client);
    const askers = [];
    for (let i = 0; i < 3; i++) askers.push(await askToChat(t, carol));

    const first = await client.listNotifications(carol);
    assert.equal(first.notifications.length, 1, 'the limit defaults to 1');
    const { notifications, cursor } = await listAll(carol, 2);
    assert.deepEqual(notifications.map((n) => n.sender_id), askers.map((a) => a.user_id));
    assert.equal(first.notifications[0].id, notifications[0].id);

    const later = await askToChat(t, carol);
    const caught = await listAll(carol, 10, cursor);
    assert.deepEqual(caught.notifications.map((n) => n.sender_id), [later.user_id]);
  });

  test('deleting removes only the user\'s own', async (t) => {
    const carol = await newUser(client);
    const dave = await newUser(client);
    for (let i = 0; i < 3; i++) await askToChat(t, carol);
    await askToChat(t, dave);
    const ids = (await listAll(carol, 100)).notifications.map((n) => n.id);
    const davesID = (await listAll(dave, 100)).notifications[0].id;

    assert.equal(await client.deleteNotifications(carol, [ids[0], ids[2], davesID]), true);
    assert.deepEqual((await listAll(carol, 100)).notifications.map((n) => n.id), [ids[1]]);
    assert.deepEqual((await listAll(dave, 100)).notifications.map((n) => n.id), [davesID], "dave's is untouched");
    assert.equal(await client.deleteNotifications(carol, []), true);
    assert.equal(await client.deleteNotifications(carol, [ids[1]]), true);
    assert.deepEqual((await listAll(carol, 100)).notifications, []);
  });

  test('limits and cursors are checked', async () => {
    const carol = await newUser(client);
    await rejectsWith(client.listNotifications(carol, 0), ...invalidLimit);
    await rejectsWith(client.listNotifications(carol, 101), ...invalidLimit);
    await rejectsWith(client.listNotifications(carol, 10, 'not-a-cursor'), 400, 3, 'Malformed cursor was used.');
    const empty = await client.listNotifications(carol, 100);
    assert.deepEqual(empty.notifications, []);
  });
});
