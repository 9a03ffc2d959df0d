// Shared helpers of the end-to-end tests: the server address (from the
// environment e2e_test.go sets), clients, unique names and assertions on
// the errors nakama-js throws.
import './globals.mjs';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Session } from '@heroiclabs/nakama-js';

export { Client, Session };

// nakama-js warns on every refresh of a session created with less than
// 70 s / 3700 s of lifetime. The server under test runs with Nakama's
// defaults (60 s / 3600 s) on purpose, so those warnings are noise here.
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && /^Session (refresh )?lifetime too short/.test(args[0])) return;
  warn(...args);
};

/** Where the server under test listens, and its server key. */
export const host = process.env.ARBITER_HOST ?? '127.0.0.1';
export const port = process.env.ARBITER_PORT ?? '7350';
export const serverKey = process.env.ARBITER_SERVER_KEY ?? 'defaultkey';
export const baseURL = `http://${host}:${port}`;

/**
 * How long a client waits for an answer. nakama-js defaults to 7 s; a
 * server built with -race on a busy machine can take longer than that to
 * hash a password (bcrypt at Nakama's default cost), so allow more.
 */
export const timeoutMs = Number(process.env.ARBITER_CLIENT_TIMEOUT_MS ?? 60000);

/**
 * A client of the server under test. Auto-refresh is off by default: the
 * server's 60 s session lifetime would make nakama-js refresh before every
 * call, which hides what a test does (the auto-refresh test turns it on).
 */
export function newClient({ autoRefresh = false, key = serverKey } = {}) {
  return new Client(key, host, port, false, timeoutMs, autoRefresh);
}

/** A fresh identifier, unique across runs: prefix + 32 hex digits. */
export function unique(prefix = '') {
  return prefix + randomUUID().replaceAll('-', '');
}

/** Authenticates a new device user and returns its session. */
export async function newUser(client, { username, vars } = {}) {
  const session = await client.authenticateDevice(unique('dev-'), true, username, vars);
  assert.equal(session.created, true, 'a new device creates an account');
  return session;
}

/**
 * Awaits promise and asserts that it rejects with an HTTP error of this
 * status and Nakama error body. nakama-js rejects with the fetch Response.
 */
export async function rejectsWith(promise, status, code, message) {
  let failure;
  try {
    const value = await promise;
    assert.fail(`expected HTTP ${status} (${message}), the call succeeded with ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    failure = e;
  }
  assert.ok(failure instanceof Response, `expected an HTTP error response, got ${failure}`);
  const body = await failure.json();
  assert.deepEqual(
    { status: failure.status, code: body.code, message: body.message },
    { status, code, message },
  );
}

/**
 * Sends a raw request, for what nakama-js cannot express or hides. auth is
 * { bearer } or { basic: key }; body is sent as JSON. Returns the status
 * and the parsed JSON body.
 */
export async function request(method, path, { bearer, basic, body } = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
  if (basic !== undefined) headers.Authorization = `Basic ${btoa(`${basic}:`)}`;
  const res = await fetch(baseURL + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
