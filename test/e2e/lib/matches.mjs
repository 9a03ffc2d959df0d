// Helpers of the tests that need server modules (runtime/*.test.mjs):
// sockets whose inbox also collects match and matchmaker pushes, match
// data as text, polling, and the fixtures' RPCs.
import './globals.mjs';
import assert from 'node:assert/strict';
import { newUser, unique } from './nakama.mjs';
import { flush, pushTimeoutMs, openSocket } from './realtime.mjs';

/** The server's HTTP key, for server-to-server RPCs. */
export const httpKey = process.env.ARBITER_HTTP_KEY ?? 'defaulthttpkey';

/**
 * Opens a socket as openSocket does; its inbox also collects 'match_data',
 * 'match_presence' and 'matchmaker_matched'.
 */
export async function openGameSocket(t, client, session, format) {
  const socket = await openSocket(t, client, session, format);
  socket.onmatchdata = (m) => socket.inbox.push('match_data', m);
  socket.onmatchpresence = (e) => socket.inbox.push('match_presence', e);
  socket.onmatchmakermatched = (m) => socket.inbox.push('matchmaker_matched', m);
  return socket;
}

/** The text of match data (both adapters give a Uint8Array). */
export function text(data) {
  return new TextDecoder().decode(data ?? new Uint8Array());
}

/** Waits for match data of a match with an op code on socket; returns it with its text. */
export async function nextData(socket, matchID, opCode) {
  const m = await socket.inbox.next('match_data', (d) => d.match_id === matchID && d.op_code === opCode,
    `match data op ${opCode} of ${matchID}`);
  return { ...m, text: text(m.data) };
}

/** Waits for a match presence event of matchID that satisfies match. */
export function nextPresence(socket, matchID, match, what) {
  return socket.inbox.next('match_presence', (e) => e.match_id === matchID && match(e), what);
}

/**
 * Calls fn until it returns a truthy value and returns that value; fails
 * after timeoutMs with what, and the last value fn returned.
 */
export async function eventually(fn, what, { timeoutMs = pushTimeoutMs, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Creates an authoritative match of a module through the fixture RPC e2e_match_create. */
export async function createMatch(client, session, module, params) {
  const { payload } = await client.rpc(session, 'e2e_match_create', { module, params });
  assert.match(payload.match_id, /^[0-9a-f-]{36}\.[^.]+$/, 'an authoritative match id is <uuid>.<node>');
  return payload.match_id;
}

/** Lists matches as client.listMatches does, returning the array (never undefined). */
export async function listMatches(client, session, { limit = 100, authoritative, label, min, max, query } = {}) {
  const list = await client.listMatches(session, limit, authoritative, label, min, max, query);
  return list.matches ?? [];
}

/** The match of a listing with this id, or undefined. */
export function find(matches, id) {
  return matches.find((m) => m.match_id === id);
}

/** A new user with a game socket in format: { session, socket }. */
export async function player(t, client, format) {
  const session = await newUser(client);
  return { session, socket: await openGameSocket(t, client, session, format) };
}

/** Waits for the matchmaker_matched push of a player. */
export function matched(p) {
  return p.socket.inbox.next('matchmaker_matched', () => true, `matchmaker_matched for ${p.session.username}`);
}

/**
 * Returns once the matchmaker has run a whole pass, announcements included,
 * over every ticket added before the call. Two new players add tickets only
 * they can match: the pass that matches them has let every older ticket
 * search (tickets search oldest first), but it announces its groups
 * concurrently, so a second such pair is matched too: passes run one after
 * another, and the second pair's pass starts after the first pass has sent
 * all its announcements. Tests that expect no match use this instead of
 * sleeping.
 */
export async function matchmakerPass(t, client, format) {
  for (let i = 0; i < 2; i++) {
    const mark = unique('pass-');
    const a = await player(t, client, format);
    const b = await player(t, client, format);
    await a.socket.addMatchmaker(`+properties.pass:${mark}`, 2, 2, { pass: mark });
    await b.socket.addMatchmaker(`+properties.pass:${mark}`, 2, 2, { pass: mark });
    const [ma, mb] = await Promise.all([matched(a), matched(b)]);
    assert.deepEqual([ma.users.length, mb.users.length], [2, 2]);
  }
}

/** Asserts that none of the players has been matched. */
export async function assertNotMatched(...players) {
  await flush(...players.map((p) => p.socket));
  for (const p of players) {
    assert.deepEqual(p.socket.inbox.take('matchmaker_matched'), [], `${p.session.username} was matched`);
  }
}
