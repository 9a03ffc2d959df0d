// What a socket leaves behind when it ends, over both socket formats: its
// presences leave the relayed and authoritative matches it was in (the
// others get match presence leaves, the match handler its leave: a
// tic-tac-toe player who drops forfeits), and its matchmaker tickets are
// removed, so a later match does not include it. Sockets end both ways: a
// close handshake (socket.disconnect) and a dropped connection (the TCP
// connection torn down without a close frame).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, unique } from '../lib/nakama.mjs';
import { formats, userIDs } from '../lib/realtime.mjs';
import {
  eventually, find, listMatches, matched, nextData, nextPresence, player,
} from '../lib/matches.mjs';

const client = newClient();

/** The ways a socket ends. */
const endings = [
  { name: 'disconnect', end: (socket) => socket.disconnect(false) },
  // ws's terminate destroys the TCP connection without a close frame.
  { name: 'dropped connection', end: (socket) => socket.adapter._socket.terminate() },
];

for (const format of formats) {
  for (const ending of endings) {
    describe(`session end by ${ending.name} (${format.name})`, () => {
      test('leaves a relayed match: the others see the leave', async (t) => {
        const alice = await player(t, client, format);
        const bob = await player(t, client, format);
        const created = await alice.socket.createMatch();
        const joined = await bob.socket.joinMatch(created.match_id);
        await nextPresence(alice.socket, created.match_id, (e) => userIDs(e.joins).includes(bob.session.user_id), 'bob joins');

        ending.end(bob.socket);
        const left = await nextPresence(alice.socket, created.match_id,
          (e) => userIDs(e.leaves).includes(bob.session.user_id), 'bob leaves');
        assert.equal(left.leaves[0].session_id, joined.self.session_id);
        assert.deepEqual(userIDs(left.joins), []);
        // The match lives on with alice: another player joins and sees only her.
        const carol = await player(t, client, format);
        const again = await carol.socket.joinMatch(created.match_id);
        assert.deepEqual(userIDs(again.presences), [alice.session.user_id]);
      });

      test('leaves an authoritative match: the handler and the others see the leave', async (t) => {
        const alice = await player(t, client, format);
        const bob = await player(t, client, format);
        const id = (await client.rpc(alice.session, 'create_match_rpc', {})).payload.matchid;
        await alice.socket.joinMatch(id);
        await bob.socket.joinMatch(id);
        await eventually(async () => find(await listMatches(client, alice.session), id)?.size === 2, 'two players in');

        ending.end(bob.socket);
        await nextPresence(alice.socket, id, (e) => userIDs(e.leaves).includes(bob.session.user_id), 'bob leaves');
        await eventually(async () => find(await listMatches(client, alice.session), id)?.size === 1, 'one player left');
        // pingpong.lua took bob out of its state and still answers alice.
        await alice.socket.sendMatchState(id, 1, '{"still":"here"}');
        assert.equal((await nextData(alice.socket, id, 1)).text, '{"still":"here"}');
      });

      test('a tic-tac-toe player who drops forfeits', async (t) => {
        const alice = await player(t, client, format);
        const bob = await player(t, client, format);
        const { match_id: id } = (await client.rpc(alice.session, 'find_match', {})).payload;
        await alice.socket.joinMatch(id);
        await bob.socket.joinMatch(id);
        // The winner is bob's mark, read from START: which of two players
        // joining back to back the match sees first is not the point here.
        const start = JSON.parse((await nextData(alice.socket, id, 1)).text);
        ending.end(alice.socket);
        const done = await nextData(bob.socket, id, 3);
        assert.equal(done.text, `{"board":[0,0,0,0,0,0,0,0,0],"winner":${start.marks[bob.session.user_id]}}`);
      });

      test('removes its matchmaker tickets: a later match does not include it', async (t) => {
        const id = unique();
        const query = `+properties.id:${id}`;
        const carol = await player(t, client, format);
        const observer = await player(t, client, format);
        // A relayed match with an observer shows when the server has ended carol's session.
        const room = await observer.socket.createMatch();
        await carol.socket.joinMatch(room.match_id);
        await carol.socket.addMatchmaker(query, 2, 2, { id });

        ending.end(carol.socket);
        await nextPresence(observer.socket, room.match_id, (e) => userIDs(e.leaves).includes(carol.session.user_id), 'carol leaves');
        // Had carol's ticket stayed, the next ticket would be matched with it
        // (the oldest candidate) as soon as the matchmaker runs.
        const dave = await player(t, client, format);
        const erin = await player(t, client, format);
        await dave.socket.addMatchmaker(query, 2, 2, { id });
        await erin.socket.addMatchmaker(query, 2, 2, { id });
        const [md, me] = await Promise.all([matched(dave), matched(erin)]);
        const expected = [dave.session.user_id, erin.session.user_id].sort();
        assert.deepEqual(md.users.map((u) => u.presence.user_id).sort(), expected);
        assert.deepEqual(me.users.map((u) => u.presence.user_id).sort(), expected);
      });
    });
  }
}
