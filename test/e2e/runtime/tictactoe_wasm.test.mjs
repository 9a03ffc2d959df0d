// The tic-tac-toe of modules/tictactoe.lua written again in Rust,
// AssemblyScript and Go and compiled to WebAssembly (test/build-wasm.sh),
// played by nakama-js clients as runtime/tictactoe.test.mjs plays the Lua
// one: the fixture RPC e2e_match_create (testdata/modules/e2e_rpcs.lua,
// which calls nk.match_create) creates the match, two players on different
// wire formats join, START, moves and their UPDATEs, refused moves answered
// to the sender only, a third player refused, a win with its line, the
// label the match list shows, a forfeit by leaving, and the match ending.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser } from '../lib/nakama.mjs';
import { formats, flush, rejectsRealtime, userIDs } from '../lib/realtime.mjs';
import { createMatch, eventually, find, listMatches, nextPresence, openGameSocket } from '../lib/matches.mjs';
import {
  MATCH_JOIN_REJECTED, OP_DONE, OP_MOVE, OP_START, board, expectOp, move, rejected,
} from '../lib/tictactoe.mjs';

const client = newClient();

/** The match handlers of the WebAssembly versions. */
const handlers = ['tictactoe_rust', 'tictactoe_as', 'tictactoe_go'];

/**
 * Creates a match of handler; alice (X) joins on format fa, then bob (O)
 * on fb. Returns the sessions, sockets and match id after both got START.
 */
async function startGame(t, handler, fa, fb) {
  const alice = await newUser(client);
  const bob = await newUser(client);
  const sa = await openGameSocket(t, client, alice, fa);
  const sb = await openGameSocket(t, client, bob, fb);
  const id = await createMatch(client, alice, handler, {});

  const ma = await sa.joinMatch(id);
  assert.equal(ma.authoritative, true);
  assert.equal(ma.label, '{"game":"tictactoe","open":1}');
  assert.deepEqual(userIDs(ma.presences), []);
  const mb = await sb.joinMatch(id);
  assert.deepEqual(userIDs(mb.presences), [alice.user_id]);
  await nextPresence(sa, id, (e) => userIDs(e.joins).includes(bob.user_id), 'bob joins');

  const start = { board: board(), mark: 1, marks: { [alice.user_id]: 1, [bob.user_id]: 2 } };
  await expectOp(sa, id, OP_START, start);
  await expectOp(sb, id, OP_START, start);
  return { alice, bob, sa, sb, id };
}

for (const handler of handlers) {
  describe(handler, () => {
    test(`a whole game (X on ${formats[0].name}, O on ${formats[1].name}): turns, refused moves, a third player refused, a win with its line`, async (t) => {
      const { alice, bob, sa, sb, id } = await startGame(t, handler, formats[0], formats[1]);

      const listed = await eventually(async () => {
        const m = find(await listMatches(client, alice, { authoritative: true, query: '+label.game:tictactoe' }), id);
        return m?.size === 2 && JSON.parse(m.label).open === 0 && m;
      }, 'the match listed with two players and open 0');
      assert.equal(listed.label, '{"game":"tictactoe","open":0}');
      assert.deepEqual([listed.handler_name, listed.tick_rate], [handler, 5]);

      const carol = await newUser(client);
      const sc = await openGameSocket(t, client, carol, formats[1]);
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
      await rejected(sa, id, JSON.stringify({ position: 8 }), 'game over');

      await flush(sa, sb, sc);
      assert.deepEqual(sa.inbox.take('match_data'), [], 'alice never got bob\'s rejections');
      assert.deepEqual(sb.inbox.take('match_data'), []);
      assert.deepEqual(sc.inbox.take('match_data'), [], 'the refused player gets nothing');
      // The match ends a few ticks after the game: the players see everyone leave.
      const ended = await nextPresence(sa, id, (e) => userIDs(e.leaves).includes(alice.user_id), 'the match ends');
      assert.deepEqual(userIDs(ended.leaves).sort(), [alice.user_id, bob.user_id].sort());
      await eventually(async () => !find(await listMatches(client, alice), id), 'the match is no longer listed');
    });

    test(`a player who leaves a running game forfeits (X on ${formats[1].name}, O on ${formats[0].name})`, async (t) => {
      const { alice, bob, sa, sb, id } = await startGame(t, handler, formats[1], formats[0]);
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
