// The matchmaker through nakama-js, over both socket formats, on a server
// that processes the pool every 200 ms (runtime_test.go). The cases follow
// nakama-js's own socket-matchmaker tests (same queries and properties):
// add, add and remove, a basic match, a numeric range, a range and a value,
// remove then no match, no match, three tickets for groups of two; then
// what those tests leave out: joining the relayed match with the token and
// exchanging data, the authoritative match lobby.lua's matched hook creates,
// a range of sizes, and the validation errors. The "not match on range"
// cases need reverse precision: matchmaker_mutual.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, unique } from '../lib/nakama.mjs';
import { formats, flush, rejectsRealtime, userIDs } from '../lib/realtime.mjs';
import {
  assertNotMatched, matched, matchmakerPass, nextData, nextPresence, player,
} from '../lib/matches.mjs';

const client = newClient();
const BAD_INPUT = 3;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks a matchmaker_matched push of player p for its ticket, in a group
 * of the given players; returns it.
 */
function checkMatched(m, p, ticket, group, { token = true } = {}) {
  assert.equal(m.ticket, ticket, 'the push names the receiver\'s own ticket');
  if (token) {
    assert.ok(m.token, 'a relayed match: a token');
    assert.ok(!m.match_id, 'a token, not a match id');
  } else {
    assert.ok(m.match_id, 'a match id');
    assert.ok(!m.token, 'a match id, not a token');
  }
  assert.deepEqual(m.users.map((u) => u.presence.user_id).sort(), group.map((g) => g.session.user_id).sort());
  assert.equal(m.self.presence.user_id, p.session.user_id);
  assert.equal(m.self.presence.username, p.session.username);
  assert.match(m.self.presence.session_id, uuid);
  const me = m.users.find((u) => u.presence.session_id === m.self.presence.session_id);
  assert.ok(me, 'self is one of the users');
  return m;
}

/** The properties of a matched user, empty maps filled in (JSON leaves them out). */
function props(u) {
  return { s: u.string_properties ?? {}, n: u.numeric_properties ?? {} };
}

for (const format of formats) {
  describe(`matchmaker (${format.name})`, () => {
    test('should only add to matchmaker', async (t) => {
      const p = await player(t, client, format);
      const ticket = await p.socket.addMatchmaker('properties.a1:foo', 2, 2, { a1: 'bar' });
      assert.match(ticket.ticket, uuid);
    });

    test('should add and remove from matchmaker; a ticket is removed once', async (t) => {
      const p = await player(t, client, format);
      const other = await player(t, client, format);
      const { ticket } = await p.socket.addMatchmaker('properties.a2:foo', 2, 2, { a2: 'bar' });
      await rejectsRealtime(other.socket.removeMatchmaker(ticket), BAD_INPUT, 'Matchmaker ticket not found');
      await p.socket.removeMatchmaker(ticket);
      await rejectsRealtime(p.socket.removeMatchmaker(ticket), BAD_INPUT, 'Matchmaker ticket not found');
      await rejectsRealtime(p.socket.removeMatchmaker(''), BAD_INPUT, 'Invalid matchmaker ticket');
    });

    test('basic match: both get a token, join the relayed match and exchange data', async (t) => {
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const t1 = await p1.socket.addMatchmaker('properties.a3:bar', 2, 2, { a3: 'baz' });
      const t2 = await p2.socket.addMatchmaker('properties.a3:baz', 2, 2, { a3: 'bar' });
      const m1 = checkMatched(await matched(p1), p1, t1.ticket, [p1, p2]);
      const m2 = checkMatched(await matched(p2), p2, t2.ticket, [p1, p2]);
      assert.equal(m1.token, m2.token, 'one token per match');
      assert.deepEqual(m1.users, m2.users, 'both see the same users');
      assert.deepEqual(props(m1.self), { s: { a3: 'baz' }, n: {} });

      const j1 = await p1.socket.joinMatch(null, m1.token);
      assert.match(j1.match_id, /^[0-9a-f-]{36}\.$/, 'a relayed match id ends with a dot');
      assert.ok(!j1.authoritative);
      const j2 = await p2.socket.joinMatch(undefined, m2.token);
      assert.equal(j2.match_id, j1.match_id);
      assert.deepEqual(userIDs(j2.presences), [p1.session.user_id]);
      await nextPresence(p1.socket, j1.match_id, (e) => userIDs(e.joins).includes(p2.session.user_id), 'p2 joins');

      await p1.socket.sendMatchState(j1.match_id, 11, 'hello from p1');
      const d2 = await nextData(p2.socket, j1.match_id, 11);
      assert.equal(d2.text, 'hello from p1');
      assert.equal(d2.presence.user_id, p1.session.user_id);
      await p2.socket.sendMatchState(j2.match_id, 12, new Uint8Array([0, 1, 2, 255]));
      const d1 = await nextData(p1.socket, j1.match_id, 12);
      assert.deepEqual([...d1.data], [0, 1, 2, 255], 'binary data arrives unchanged');
      await flush(p1.socket, p2.socket);
      assert.deepEqual([p1.socket.inbox.take('match_data'), p2.socket.inbox.take('match_data')].map((l) => l.length),
        [0, 0], 'a sender does not get its own data');
    });

    test('should match on range', async (t) => {
      const query = '+properties.b1:>=10 +properties.b1:<=20';
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const t1 = await p1.socket.addMatchmaker(query, 2, 2, {}, { b1: 15 });
      const t2 = await p2.socket.addMatchmaker(query, 2, 2, {}, { b1: 15 });
      const m1 = checkMatched(await matched(p1), p1, t1.ticket, [p1, p2]);
      checkMatched(await matched(p2), p2, t2.ticket, [p1, p2]);
      for (const u of m1.users) assert.deepEqual(props(u), { s: {}, n: { b1: 15 } });
    });

    test('should match on range and value', async (t) => {
      const query = '+properties.c1:>=10 +properties.c1:<=20 +properties.c2:foo';
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const t1 = await p1.socket.addMatchmaker(query, 2, 2, { c2: 'foo' }, { c1: 15 });
      const t2 = await p2.socket.addMatchmaker(query, 2, 2, { c2: 'foo' }, { c1: 15 });
      const m1 = checkMatched(await matched(p1), p1, t1.ticket, [p1, p2]);
      checkMatched(await matched(p2), p2, t2.ticket, [p1, p2]);
      for (const u of m1.users) assert.deepEqual(props(u), { s: { c2: 'foo' }, n: { c1: 15 } });
    });

    test('should add to matchmaker then remove and not match', async (t) => {
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const { ticket } = await p1.socket.addMatchmaker('properties.a4:bar', 2, 2, { a4: 'baz' });
      await p1.socket.removeMatchmaker(ticket);
      // A ticket that would have matched the removed one.
      await p2.socket.addMatchmaker('properties.a4:baz', 2, 2, { a4: 'bar' });
      await matchmakerPass(t, client, format);
      await assertNotMatched(p1, p2);
    });

    test('should add to matchmaker but not match', async (t) => {
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      await p1.socket.addMatchmaker('properties.a5:bar', 2, 2, { a5: 'baz' });
      await p2.socket.addMatchmaker('properties.a5:bar', 2, 2, { a5: 'baz' });
      await matchmakerPass(t, client, format);
      await assertNotMatched(p1, p2);
    });

    test('should add multiple to matchmaker and match only two', async (t) => {
      const id = unique();
      const query = `properties.a6:bar +properties.id:${id}`;
      const players = [];
      const tickets = [];
      for (let i = 0; i < 3; i++) {
        const p = await player(t, client, format);
        players.push(p);
        tickets.push((await p.socket.addMatchmaker(query, 2, 2, { a6: 'bar', id })).ticket);
      }
      const [p1, p2, p3] = players;
      // Tickets search oldest first and take the oldest matches: the first
      // two are paired whenever the matchmaker runs, the third is left.
      checkMatched(await matched(p1), p1, tickets[0], [p1, p2]);
      checkMatched(await matched(p2), p2, tickets[1], [p1, p2]);
      await matchmakerPass(t, client, format);
      await assertNotMatched(p3);
    });

    test('lobby.lua\'s matched hook makes an authoritative tic-tac-toe match', async (t) => {
      const id = unique();
      const query = `+properties.game:tictactoe +properties.id:${id}`;
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const t1 = await p1.socket.addMatchmaker(query, 2, 2, { game: 'tictactoe', id });
      const t2 = await p2.socket.addMatchmaker(query, 2, 2, { game: 'tictactoe', id });
      const m1 = checkMatched(await matched(p1), p1, t1.ticket, [p1, p2], { token: false });
      const m2 = checkMatched(await matched(p2), p2, t2.ticket, [p1, p2], { token: false });
      assert.match(m1.match_id, /^[0-9a-f-]{36}\.arbiter$/);
      assert.equal(m2.match_id, m1.match_id);

      const j1 = await p1.socket.joinMatch(m1.match_id);
      assert.equal(j1.authoritative, true);
      assert.deepEqual(JSON.parse(j1.label), { game: 'tictactoe', open: 1 });
      await p2.socket.joinMatch(m2.match_id);
      for (const p of [p1, p2]) {
        const start = JSON.parse((await nextData(p.socket, m1.match_id, 1)).text);
        assert.deepEqual([start.board, start.mark], [[0, 0, 0, 0, 0, 0, 0, 0, 0], 1]);
        assert.deepEqual([start.marks[p1.session.user_id], start.marks[p2.session.user_id]].sort(), [1, 2]);
      }
    });

    test('a range of sizes forms a smaller group after max_intervals passes', async (t) => {
      const id = unique();
      const p1 = await player(t, client, format);
      const p2 = await player(t, client, format);
      const t1 = await p1.socket.addMatchmaker(`+properties.id:${id}`, 2, 4, { id });
      const t2 = await p2.socket.addMatchmaker(`+properties.id:${id}`, 2, 4, { id });
      checkMatched(await matched(p1), p1, t1.ticket, [p1, p2]);
      checkMatched(await matched(p2), p2, t2.ticket, [p1, p2]);
    });

    test('invalid tickets are refused with Nakama\'s messages; a session has at most 3 tickets', async (t) => {
      const p = await player(t, client, format);
      await rejectsRealtime(p.socket.addMatchmaker('*', 1, 2), BAD_INPUT, 'Invalid minimum count, must be >= 2');
      await rejectsRealtime(p.socket.addMatchmaker('*', 3, 2), BAD_INPUT, 'Invalid maximum count, must be >= minimum count');
      const id = unique();
      const tickets = [];
      for (let i = 0; i < 3; i++) {
        tickets.push((await p.socket.addMatchmaker(`+properties.never:${id}`, 2, 2, { other: id })).ticket);
      }
      // Nakama answers code 0 "Error adding to matchmaker" here; Arbiter
      // names the cause after the same words.
      const failure = await p.socket.addMatchmaker('*', 2, 2).then(
        (v) => assert.fail(`a 4th ticket was accepted: ${JSON.stringify(v)}`), (e) => e);
      assert.match(failure.message, /^Error adding to matchmaker/);
      await p.socket.removeMatchmaker(tickets[0]);
      assert.match((await p.socket.addMatchmaker(`+properties.never:${id}`, 2, 2)).ticket, uuid);
    });
  });
}
