// nakama-js's "should add to matchmaker but not match on range" and "... on
// range and value", on a server with reverse precision (runtime_test.go).
//
// Why reverse precision: both tickets carry the same query, one with its
// property inside the range (15) and one outside (25). By default Nakama
// matches one way: only the searching ticket's query must accept the other
// ticket. When the ticket with 25 searches, it finds the one with 15 (15 is
// in range) and the two are matched, although the other's query rejects 25.
// Whether nakama-js's expectation holds without reverse precision depends
// on which ticket searches first; Nakama's own Go port of these tests
// changed 15 to 5 for this "non-mutual matching corner-case". With
// rev_precision every member's query must accept every other member, so
// the expectation holds whatever the order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, unique } from '../lib/nakama.mjs';
import { formats } from '../lib/realtime.mjs';
import { assertNotMatched, matched, matchmakerPass, player } from '../lib/matches.mjs';

const client = newClient();

for (const format of formats) {
  describe(`matchmaker with reverse precision (${format.name})`, () => {
    test('should add to matchmaker but not match on range', async (t) => {
      const id = unique();
      const query = `+properties.b2:>=10 +properties.b2:<=20 +properties.id:${id}`;
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      await p1.socket.addMatchmaker(query, 2, 2, { id }, { b2: 25 });
      await p2.socket.addMatchmaker(query, 2, 2, { id }, { b2: 15 });
      await matchmakerPass(t, client, format);
      await assertNotMatched(p1, p2);
    });

    test('should add to matchmaker but not match on range and value', async (t) => {
      const id = unique();
      const query = `+properties.c3:>=10 +properties.c3:<=20 +properties.c4:foo +properties.id:${id}`;
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      await p1.socket.addMatchmaker(query, 2, 2, { id, c4: 'foo' }, { c3: 25 });
      await p2.socket.addMatchmaker(query, 2, 2, { id, c4: 'foo' }, { c3: 15 });
      await matchmakerPass(t, client, format);
      await assertNotMatched(p1, p2);
    });

    test('tickets whose queries accept each other still match', async (t) => {
      const id = unique();
      const query = `+properties.b2:>=10 +properties.b2:<=20 +properties.id:${id}`;
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      await p1.socket.addMatchmaker(query, 2, 2, { id }, { b2: 10 });
      await p2.socket.addMatchmaker(query, 2, 2, { id }, { b2: 20 });
      const [m1, m2] = await Promise.all([matched(p1), matched(p2)]);
      assert.equal(m1.users.length, 2);
      assert.equal(m1.token, m2.token);
    });
  });
}
