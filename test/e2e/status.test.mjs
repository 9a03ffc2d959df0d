// Status through nakama-js, over both socket formats: following users,
// status updates and going offline as status_presence_event, unfollowing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser } from './lib/nakama.mjs';
import { formats, openSocket, flush, rejectsRealtime, userIDs } from './lib/realtime.mjs';

const client = newClient();
const BAD_INPUT = 3;

/** The [user id, status] pairs of a list of presences. */
const statuses = (presences) => (presences ?? []).map((p) => [p.user_id, p.status ?? '']);

for (const format of formats) {
  describe(`status (${format.name})`, () => {
    test('a follower sees updates and the user going offline, until it unfollows', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const sa = await openSocket(t, client, alice, format, { createStatus: true });
      const sb = await openSocket(t, client, bob, format);

      const st = await sb.followUsers([alice.user_id]);
      assert.deepEqual(statuses(st.presences), [[alice.user_id, '']]);
      assert.equal((await client.getUsers(bob, [alice.user_id])).users[0].online, true);

      await sa.updateStatus('playing');
      const update = await sb.inbox.next('status_presence', (e) => userIDs(e.joins).includes(alice.user_id));
      assert.deepEqual(statuses(update.joins), [[alice.user_id, 'playing']]);
      assert.deepEqual(statuses(update.leaves), [[alice.user_id, '']]);
      // A user follows their own status.
      await sa.inbox.next('status_presence', (e) => statuses(e.joins).some(([, s]) => s === 'playing'));

      await sa.updateStatus(); // no status: appear offline
      const offline = await sb.inbox.next('status_presence', (e) => userIDs(e.leaves).includes(alice.user_id));
      assert.deepEqual(statuses(offline.leaves), [[alice.user_id, 'playing']]);
      assert.deepEqual(userIDs(offline.joins), []);
      assert.equal((await client.getUsers(bob, [alice.user_id])).users[0].online ?? false, false);

      await sb.unfollowUsers([alice.user_id]);
      await sa.updateStatus('back');
      await flush(sa, sb);
      assert.deepEqual(sb.inbox.take('status_presence'), [], 'no events after unfollowing');
    });

    test('a follower sees a status socket open and close', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const sb = await openSocket(t, client, bob, format);
      const st = await sb.followUsers([alice.user_id]);
      assert.deepEqual(statuses(st.presences), [], 'alice is offline');

      const sa = await openSocket(t, client, alice, format, { createStatus: true });
      const online = await sb.inbox.next('status_presence', (e) => userIDs(e.joins).includes(alice.user_id));
      assert.deepEqual(statuses(online.joins), [[alice.user_id, '']]);
      sa.disconnect(false);
      await sb.inbox.next('status_presence', (e) => userIDs(e.leaves).includes(alice.user_id));

      // A socket without status does not make its user online.
      await openSocket(t, client, alice, format);
      await flush(sb);
      assert.deepEqual(sb.inbox.take('status_presence'), []);
    });

    test('following checks the ids and skips unknown users', async (t) => {
      const alice = await newUser(client);
      const sa = await openSocket(t, client, alice, format);
      await rejectsRealtime(sa.followUsers(['not-a-uuid']), BAD_INPUT, 'Invalid user identifier');
      const st = await sa.followUsers(['6a5f4b3e-0000-4000-8000-000000000000']);
      assert.deepEqual(statuses(st.presences), []);
      await rejectsRealtime(sa.unfollowUsers(['nope']), BAD_INPUT, 'Invalid user identifier');
    });
  });
}
