// The documentation's matchmaker matched hook (testdata/matchmaker_hook/
// matchmaker_matched.lua, verbatim): it logs the matched users and creates
// a pingpong match (modules/pingpong.lua) with them as its setup state. The
// server loads only those two modules (runtime_test.go): lobby.lua has a
// matched hook of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, unique } from '../lib/nakama.mjs';
import { formats, flush, userIDs } from '../lib/realtime.mjs';
import { matched, nextData, player } from '../lib/matches.mjs';

const client = newClient();

for (const format of formats) {
  describe(`the documented matched hook (${format.name})`, () => {
    test('matched players get the id of a new pingpong match and play in it', async (t) => {
      const id = unique();
      const query = `+properties.region:europe +properties.id:${id}`;
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, formats.find((f) => f !== format));
      await p1.socket.addMatchmaker(query, 2, 2, { region: 'europe', id }, { rank: 7 });
      await p2.socket.addMatchmaker(query, 2, 2, { region: 'europe', id }, { rank: 8.5 });
      const [m1, m2] = await Promise.all([matched(p1), matched(p2)]);
      assert.match(m1.match_id, /^[0-9a-f-]{36}\.arbiter$/);
      assert.ok(!m1.token);
      assert.equal(m2.match_id, m1.match_id);
      assert.deepEqual(m1.users.map((u) => u.presence.user_id).sort(), [p1, p2].map((p) => p.session.user_id).sort());

      const j1 = await p1.socket.joinMatch(m1.match_id);
      assert.equal(j1.authoritative, true);
      const j2 = await p2.socket.joinMatch(m2.match_id);
      assert.deepEqual(userIDs(j2.presences), [p1.session.user_id]);
      await p1.socket.sendMatchState(m1.match_id, 1, '{"hello":1}');
      await p2.socket.sendMatchState(m1.match_id, 1, '{"hello":2}');
      assert.equal((await nextData(p1.socket, m1.match_id, 1)).text, '{"hello":1}');
      assert.equal((await nextData(p2.socket, m1.match_id, 1)).text, '{"hello":2}');
      await flush(p1.socket, p2.socket);
      assert.deepEqual([p1.socket.inbox.take('match_data'), p2.socket.inbox.take('match_data')].map((l) => l.length), [0, 0]);
    });
  });
}
