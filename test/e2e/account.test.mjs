// Accounts and users through nakama-js: get, update, getUsers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, newUser, unique, rejectsWith, request } from './lib/nakama.mjs';

const client = newClient();

const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('get account', () => {
  test('a new device account has its device, a username and Nakama defaults', async () => {
    const device = unique('dev-');
    const username = unique('u');
    const session = await client.authenticateDevice(device, true, username);
    const account = await client.getAccount(session);
    assert.equal(account.user.id, session.user_id);
    assert.equal(account.user.username, username);
    assert.deepEqual(account.devices, [{ id: device }]);
    assert.equal(account.user.lang_tag, 'en');
    assert.deepEqual(JSON.parse(account.user.metadata), {});
    assert.deepEqual(JSON.parse(account.wallet), {});
    assert.match(account.user.create_time, rfc3339);
    assert.match(account.user.update_time, rfc3339);
    for (const absent of ['email', 'custom_id', 'disable_time', 'verify_time']) {
      assert.equal(account[absent], undefined, `${absent} is left out`);
    }
    for (const absent of ['display_name', 'avatar_url', 'location', 'timezone', 'online', 'edge_count']) {
      assert.equal(account.user[absent], undefined, `user.${absent} is left out`);
    }
  });

  test('custom and email identities show in the account', async () => {
    const custom = unique('cust-');
    const account = await client.getAccount(await client.authenticateCustom(custom));
    assert.equal(account.custom_id, custom);
    assert.equal(account.devices, undefined);

    const email = `${unique('e')}@example.com`;
    const byEmail = await client.getAccount(await client.authenticateEmail(email, 'correct horse'));
    assert.equal(byEmail.email, email);
  });
});

describe('update account', () => {
  test('profile fields are set and read back', async () => {
    const session = await newUser(client);
    const fields = {
      display_name: 'Ada Lovelace',
      avatar_url: 'https://example.com/ada.png',
      lang_tag: 'en-GB',
      location: 'London',
      timezone: 'Europe/London',
    };
    assert.equal(await client.updateAccount(session, fields), true);
    const { user } = await client.getAccount(session);
    for (const [k, v] of Object.entries(fields)) assert.equal(user[k], v, k);
  });

  test('an empty string clears a field; absent fields are unchanged', async () => {
    const session = await newUser(client);
    await client.updateAccount(session, { display_name: 'Someone', location: 'Paris' });
    await client.updateAccount(session, { location: '' });
    const { user } = await client.getAccount(session);
    assert.equal(user.display_name, 'Someone');
    assert.equal(user.location, undefined);
  });

  test('the username can be changed, and is then found by getUsers', async () => {
    const session = await newUser(client);
    const username = unique('renamed');
    await client.updateAccount(session, { username });
    assert.equal((await client.getAccount(session)).user.username, username);
    const { users } = await client.getUsers(session, undefined, [username]);
    assert.deepEqual(users.map((u) => u.id), [session.user_id]);
  });

  test("another user's username is refused with 400, as Nakama does", async () => {
    const taken = unique('u');
    await newUser(client, { username: taken });
    const session = await newUser(client);
    await rejectsWith(client.updateAccount(session, { username: taken }), 400, 3, 'Username is already in use.');
  });

  test('an update with no fields is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(client.updateAccount(session, {}), 400, 3, 'No fields to update.');
  });

  test('an over-long username is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(client.updateAccount(session, { username: 'x'.repeat(129) }), 400, 3, 'Username invalid, must be 1-128 bytes.');
  });
});

describe('get users', () => {
  test('by ids and usernames, each user once, unknown ones left out', async () => {
    const alice = await newUser(client, { username: unique('alice') });
    const bob = await newUser(client, { username: unique('bob') });
    await client.updateAccount(bob, { display_name: 'Bob' });
    const unknownID = '6a5f4b3e-0000-4000-8000-000000000000';
    const { users } = await client.getUsers(
      alice,
      [alice.user_id, unknownID],
      [bob.username, alice.username, unique('nobody')],
    );
    const byID = Object.fromEntries(users.map((u) => [u.id, u]));
    assert.equal(users.length, 2, JSON.stringify(users));
    assert.equal(byID[alice.user_id].username, alice.username);
    assert.equal(byID[bob.user_id].username, bob.username);
    assert.equal(byID[bob.user_id].display_name, 'Bob');
    assert.deepEqual(byID[bob.user_id].metadata, {});
    assert.match(byID[bob.user_id].create_time, rfc3339);
  });

  test('usernames match exactly', async () => {
    const alice = await newUser(client, { username: unique('alice') });
    const { users } = await client.getUsers(alice, undefined, [alice.username.toUpperCase()]);
    assert.deepEqual(users, []);
  });

  test('no ids and no usernames give no users', async () => {
    const session = await newUser(client);
    const raw = await request('GET', '/v2/user', { bearer: session.token });
    assert.deepEqual(raw, { status: 200, body: {} });
    assert.deepEqual(await client.getUsers(session), { users: [] });
  });

  test('an id that is not a UUID is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(client.getUsers(session, ['not-a-uuid']), 400, 3, "ID 'not-a-uuid' is not a valid system ID.");
  });
});
