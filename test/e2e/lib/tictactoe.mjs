// The tic-tac-toe of modules/tictactoe.lua, as its clients see it: op codes,
// the board, the exact JSON of its messages, and steps of a game. The Lua
// module and its Rust, AssemblyScript and Go versions share this wire format
// (tictactoe.lua's header fixes it).
import assert from 'node:assert/strict';
import { nextData } from './matches.mjs';

export const OP_START = 1;
export const OP_UPDATE = 2;
export const OP_DONE = 3;
export const OP_MOVE = 4;
export const OP_REJECTED = 5;
export const MATCH_JOIN_REJECTED = 5;

/** The board after moves, a list of [position, mark]. */
export function board(...moves) {
  const b = Array(9).fill(0);
  for (const [pos, mark] of moves) b[pos] = mark;
  return b;
}

/** The JSON nk.json_encode writes: keys sorted, no spaces. */
export function sortedJSON(v) {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJSON(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Waits for op on socket and checks its bytes are exactly want's JSON. */
export async function expectOp(socket, matchID, op, want) {
  const m = await nextData(socket, matchID, op);
  assert.equal(m.text, sortedJSON(want), `op ${op}`);
  assert.ok(!m.presence, 'the server sends it: no sender');
  return m;
}

/** Sends a move and waits for the UPDATE all players get. */
export async function move(players, mover, matchID, position, want) {
  await mover.sendMatchState(matchID, OP_MOVE, JSON.stringify({ position }));
  for (const p of players) await expectOp(p, matchID, OP_UPDATE, want);
}

/** Sends data as mover and waits for the REJECTED reason only it gets. */
export async function rejected(mover, matchID, data, reason, op = OP_MOVE) {
  await mover.sendMatchState(matchID, op, data);
  await expectOp(mover, matchID, OP_REJECTED, { reason });
}
