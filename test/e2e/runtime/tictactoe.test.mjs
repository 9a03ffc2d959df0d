// The authoritative tic-tac-toe of modules/tictactoe.lua, played by two
// nakama-js clients (one per wire format, then swapped): lobby.lua's
// find_match RPC, the joins and presence events, START to both, moves and
// their UPDATEs, rejected moves answered to the sender only, a win with its
// line, a third player refused, a forfeit by leaving, and the label the
// match list shows. The wire format is the one tictactoe.lua's header fixes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser } from '../lib/nakama.mjs';
import { formats, flush, rejectsRealtime, userIDs } from '../lib/realtime.mjs';
import { eventually, find, listMatches, nextPresence, openGameSocket } from '../lib/matches.mjs';
import {
  MATCH_JOIN_REJECTED, OP_DONE, OP_MOVE, OP_START, board, expectOp, move, rejected,
} from '../lib/tictactoe.mjs';

const client = newClient();

/**
 * Two new users find a match with find_match and join it: alice is X (1),
 * bob is O (2). Returns the sessions, sockets and match id after both got
 * START.
 */
async function startGame(t, fa, fb) {
  const alice = await newUser(client);
  const bob = await newUser(client);
  const sa = await openGameSocket(t, client, alice, fa);
  const sb = await openGameSocket(t, client, bob, fb);
  const { match_id: id } = (await client.rpc(alice, 'find_match', {})).payload;
  assert.match(id, /^[0-9a-f-]{36}\.arbiter$/);

  const ma = await sa.joinMatch(id);
  assert.equal(ma.authoritative, true);
  assert.deepEqual(JSON.parse(ma.label), { game: 'tictactoe', open: 1 });
  assert.deepEqual(userIDs(ma.presences), []);
  // The second player finds the match alice waits in.
  assert.equal((await client.rpc(bob, 'find_match', {})).payload.match_id, id);
  const mb = await sb.joinMatch(id);
  assert.deepEqual(userIDs(mb.presences), [alice.user_id]);
  const joined = await nextPresence(sa, id, (e) => userIDs(e.joins).includes(bob.user_id), 'bob joins');
  assert.equal(joined.joins[0].session_id, mb.self.session_id);

  const start = { board: board(), mark: 1, marks: { [alice.user_id]: 1, [bob.user_id]: 2 } };
  await expectOp(sa, id, OP_START, start);
  await expectOp(sb, id, OP_START, start);
  return { alice, bob, sa, sb, id };
}

for (const [fa, fb] of [[formats[0], formats[1]], [formats[1], formats[0]]]) {
  describe(`tic-tac-toe (X on ${fa.name}, O on ${fb.name})`, () => {
    test('a whole game: turns, rejected moves, a win with its line; a third player is refused', async (t) => {
      const { alice, sa, sb, id } = await startGame(t, fa, fb);

      // The label says the match is no longer open once both are in.
      const listed = await eventually(async () => {
        const m = find(await listMatches(client, alice, { authoritative: true, query: '+label.game:tictactoe' }), id);
        return m?.size === 2 && JSON.parse(m.label).open === 0 && m;
      }, 'the match listed with two players and open 0');
      assert.equal(listed.label, '{"game":"tictactoe","open":0}');
      assert.deepEqual([listed.handler_name, listed.tick_rate], ['tictactoe', 5]);
      assert.equal(find(await listMatches(client, alice, { query: '+label.game:tictactoe +label.open:1' }), id), undefined);

      const carol = await newUser(client);
      const sc = await openGameSocket(t, client, carol, fa);
      await rejectsRealtime(sc.joinMatch(id), MATCH_JOIN_REJECTED, 'match full');

      await rejected(sb, id, JSON.stringify({ position: 0 }), 'not your turn');
      await move([sa, sb], sa, id, 4, { board: board([4, 1]), mark: 2 });
      await rejected(sb, id, JSON.stringify({ position: 4 }), 'position taken');
      await rejected(sb, id, JSON.stringify({ position: 9 }), 'invalid position');
      await rejected(sb, id, JSON.stringify({ position: 1.5 }), 'invalid position');
      await rejected(sb, id, 'not JSON', 'invalid position');
      await rejected(sb, id, JSON.stringify({ position: 0 }), 'unknown op code', 9);
      await move([sa, sb], sb, id, 0, { board: board([4, 1], [0, 2]), mark: 1 });
      await move([sa, sb], sa, id, 3, { board: board([4, 1], [0, 2], [3, 1]), mark: 2 });
      await move([sa, sb], sb, id, 1, { board: board([4, 1], [0, 2], [3, 1], [1, 2]), mark: 1 });
      await sa.sendMatchState(id, OP_MOVE, JSON.stringify({ position: 5 }));
      const done = { board: board([4, 1], [0, 2], [3, 1], [1, 2], [5, 1]), winner: 1, winner_positions: [3, 4, 5] };
      await expectOp(sa, id, OP_DONE, done);
      await expectOp(sb, id, OP_DONE, done);

      await flush(sa, sb, sc);
      assert.deepEqual(sa.inbox.take('match_data'), [], 'alice never got bob\'s rejections');
      assert.deepEqual(sb.inbox.take('match_data'), []);
      assert.deepEqual(sc.inbox.take('match_data'), [], 'the refused player gets nothing');
      // The match ends a few ticks after the game.
      await eventually(async () => !find(await listMatches(client, alice), id), 'the match ends after the game');
    });

    test('a player who leaves a running game forfeits', async (t) => {
      const { alice, bob, sa, sb, id } = await startGame(t, fa, fb);
      await move([sa, sb], sa, id, 0, { board: board([0, 1]), mark: 2 });
      await sa.leaveMatch(id);
      const left = await nextPresence(sb, id, (e) => userIDs(e.leaves).includes(alice.user_id), 'alice leaves');
      assert.deepEqual(userIDs(left.joins), []);
      await expectOp(sb, id, OP_DONE, { board: board([0, 1]), winner: 2 });
      await flush(sa);
      assert.deepEqual(sa.inbox.take('match_data'), [], 'who left gets nothing more');
      await eventually(async () => !find(await listMatches(client, bob), id), 'the match ends after the forfeit');
    });
  });
}
