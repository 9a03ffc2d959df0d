// Realtime helpers of the end-to-end tests: nakama-js sockets in both wire
// formats (the text adapter and @heroiclabs/nakama-js-protobuf's), an inbox
// of what the server pushes, and assertions on socket errors.
import './globals.mjs';
import assert from 'node:assert/strict';
import { WebSocketAdapterText } from '@heroiclabs/nakama-js';
import { WebSocketAdapterPb } from '@heroiclabs/nakama-js-protobuf';

/** The wire formats a socket can speak, each with its nakama-js adapter. */
export const formats = [
  { name: 'json', adapter: () => new WebSocketAdapterText() },
  { name: 'protobuf', adapter: () => new WebSocketAdapterPb() },
];

/** How long a test waits for a push before failing. */
export const pushTimeoutMs = Number(process.env.ARBITER_PUSH_TIMEOUT_MS ?? 10000);

/**
 * Inbox collects the pushes of one socket by kind: 'channel_message',
 * 'channel_presence', 'notification' and 'status_presence'.
 */
export class Inbox {
  #items = [];
  #waiters = [];

  push(kind, value) {
    this.#items.push({ kind, value });
    for (const w of [...this.#waiters]) w();
  }

  /** Removes and returns every push of kind received so far. */
  take(kind) {
    const taken = this.#items.filter((i) => i.kind === kind).map((i) => i.value);
    this.#items = this.#items.filter((i) => i.kind !== kind);
    return taken;
  }

  /**
   * Removes and returns the first push of kind that matches, waiting for
   * it up to pushTimeoutMs.
   */
  next(kind, match = () => true, what = kind) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.#items.findIndex((x) => x.kind === kind && match(x.value));
        if (i < 0) return false;
        const [found] = this.#items.splice(i, 1);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        clearTimeout(timer);
        resolve(found.value);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        const seen = this.#items.filter((x) => x.kind === kind).map((x) => JSON.stringify(x.value));
        reject(new Error(`no ${what} within ${pushTimeoutMs} ms; ${kind} received: [${seen.join(', ')}]`));
      }, pushTimeoutMs);
      if (!check()) this.#waiters.push(check);
    });
  }
}

/**
 * Opens a socket of session in format and closes it when test t ends. Its
 * pushes go to socket.inbox.
 */
export async function openSocket(t, client, session, format, { createStatus = false } = {}) {
  const socket = client.createSocket(false, false, format.adapter());
  const inbox = new Inbox();
  socket.inbox = inbox;
  socket.onchannelmessage = (m) => inbox.push('channel_message', m);
  socket.onchannelpresence = (e) => inbox.push('channel_presence', e);
  socket.onnotification = (n) => inbox.push('notification', n);
  socket.onstatuspresence = (e) => inbox.push('status_presence', e);
  socket.ondisconnect = () => {};
  await socket.connect(session, createStatus);
  t.after(() => socket.disconnect(false));
  return socket;
}

/**
 * Makes sure each socket has received whatever the server pushed to it
 * before now: a ping's answer comes after everything queued before it.
 */
export async function flush(...sockets) {
  for (const s of sockets) await s.send({ ping: {} });
}

/** Asserts that promise rejects with the socket error { code, message }. */
export async function rejectsRealtime(promise, code, message) {
  let failure;
  try {
    const value = await promise;
    assert.fail(`expected socket error ${code} (${message}), the call succeeded with ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    failure = e;
  }
  assert.deepEqual({ code: failure?.code, message: failure?.message }, { code, message });
}

/** The user ids of a list of presences (absent lists are empty). */
export function userIDs(presences) {
  return (presences ?? []).map((p) => p.user_id);
}
