// Session tokens through nakama-js: vars, refresh, logout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser, unique, rejectsWith, Session } from './lib/nakama.mjs';

const client = newClient();

const tokenInvalid = [401, 16, 'Auth token invalid'];
const refreshInvalid = [401, 16, 'Refresh token invalid or expired.'];

describe('session vars', () => {
  test('vars given on authenticate are in the decoded session', async () => {
    const vars = { platform: 'linux', build: '1.2.3', empty: '' };
    const session = await client.authenticateDevice(unique('dev-'), true, undefined, vars);
    assert.deepEqual(session.vars, vars);
  });

  test('no vars leaves vrs out of the token', async () => {
    const session = await newUser(client);
    assert.equal(session.vars, undefined);
    const custom = await client.authenticateCustom(unique('cust-')); // nakama-js sends "vars":{}
    assert.equal(custom.vars, undefined);
  });

  test('the token carries the user id and username', async () => {
    const username = unique('u');
    const session = await newUser(client, { username });
    const account = await client.getAccount(session);
    assert.equal(session.user_id, account.user.id);
    assert.equal(session.username, username);
  });
});

describe('session refresh', () => {
  test('the refreshed token works and names the same user', async () => {
    const session = await newUser(client);
    const { user_id: userID, refresh_token: oldRefresh } = session;
    const refreshed = await client.sessionRefresh(session);
    assert.equal(refreshed.user_id, userID);
    assert.ok(refreshed.refresh_token, 'a refresh token is returned');
    assert.ok(refreshed.refresh_expires_at >= session.created_at);
    const account = await client.getAccount(refreshed);
    assert.equal(account.user.id, userID);
    // The old refresh token is not used up: Nakama does not rotate them.
    const again = await client.sessionRefresh(Session.restore(refreshed.token, oldRefresh));
    assert.equal(again.user_id, userID);
  });

  test('vars are kept when none are given', async () => {
    const vars = { level: '3' };
    const session = await client.authenticateDevice(unique('dev-'), true, undefined, vars);
    await client.sessionRefresh(session); // nakama-js sends "vars":{}
    assert.deepEqual(session.vars, vars);
  });

  test('vars given on refresh replace the old ones', async () => {
    const session = await client.authenticateDevice(unique('dev-'), true, undefined, { level: '3' });
    await client.sessionRefresh(session, { level: '4', mode: 'hard' });
    assert.deepEqual(session.vars, { level: '4', mode: 'hard' });
  });

  test('a refresh takes the current username', async () => {
    const session = await newUser(client);
    const username = unique('renamed');
    await client.updateAccount(session, { username });
    assert.notEqual(session.username, username, 'the old token keeps the old name');
    await client.sessionRefresh(session);
    assert.equal(session.username, username);
  });

  test('a session token is not a refresh token', async () => {
    const session = await newUser(client);
    await rejectsWith(client.sessionRefresh(Session.restore(session.token, session.token)), ...refreshInvalid);
  });

  test('auto-refresh: nakama-js refreshes a session that expires soon, and the call succeeds', async (t) => {
    const auto = newClient({ autoRefresh: true });
    const session = await newUser(auto);
    const refreshes = [];
    const realFetch = globalThis.fetch;
    t.mock.method(globalThis, 'fetch', (url, init) => {
      if (String(url).includes('/v2/account/session/refresh')) refreshes.push(url);
      return realFetch(url, init);
    });
    // nakama-js refreshes when the token expires within five minutes.
    const expiresSoon = session.expires_at < Date.now() / 1000 + 300;
    const account = await auto.getAccount(session);
    assert.equal(account.user.id, session.user_id);
    assert.equal(refreshes.length, expiresSoon ? 1 : 0, `refresh calls (token expires at ${session.expires_at})`);
  });
});

describe('session logout', () => {
  test('logging out both tokens ends the session and its refresh', async () => {
    const session = await newUser(client);
    await client.getAccount(session);
    await client.sessionLogout(session, session.token, session.refresh_token);
    await rejectsWith(client.getAccount(session), ...tokenInvalid);
    await rejectsWith(client.sessionRefresh(session), ...refreshInvalid);
  });

  test('logging out the session token leaves its refresh token usable', async () => {
    const session = await newUser(client);
    const { token } = session;
    await client.sessionLogout(session, token, undefined);
    await rejectsWith(client.getAccount(session), ...tokenInvalid);
    const refreshed = await client.sessionRefresh(session);
    assert.equal(refreshed.user_id, session.user_id);
    // As in Nakama, a refresh keeps the session's token id, and the session
    // tokens of a logged-out id stay revoked: only the refresh token lives on.
    await rejectsWith(client.getAccount(refreshed), ...tokenInvalid);
  });

  test('logging out the refresh token leaves the session token valid', async () => {
    const session = await newUser(client);
    await client.sessionLogout(session, undefined, session.refresh_token);
    await client.getAccount(session);
    await rejectsWith(client.sessionRefresh(session), ...refreshInvalid);
  });

  test('logging out with no tokens ends every session of the user', async () => {
    const id = unique('dev-');
    const one = await client.authenticateDevice(id, true);
    const two = await client.authenticateDevice(id, true);
    const other = await newUser(client);
    await client.sessionLogout(one, undefined, undefined);
    await rejectsWith(client.getAccount(one), ...tokenInvalid);
    await rejectsWith(client.getAccount(two), ...tokenInvalid);
    await rejectsWith(client.sessionRefresh(two), ...refreshInvalid);
    await client.getAccount(other); // other users are not affected
    const three = await client.authenticateDevice(id, false);
    const account = await client.getAccount(three); // a new login works at once
    assert.equal(account.user.id, one.user_id);
  });

  test("another user's token cannot be logged out", async () => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    await rejectsWith(client.sessionLogout(alice, bob.token, undefined), 400, 3, 'Session token invalid.');
    await rejectsWith(client.sessionLogout(alice, undefined, bob.refresh_token), 400, 3, 'Refresh token invalid.');
    await client.getAccount(bob);
  });
});
