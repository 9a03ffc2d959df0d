// Authentication with device, custom and email identities through nakama-js.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, unique, rejectsWith, request, serverKey } from './lib/nakama.mjs';

const client = newClient();

// Each identity kind: how to authenticate with a fresh identity.
const kinds = [
  {
    name: 'device',
    fresh: () => unique('dev-'),
    auth: (id, create, username, vars) => client.authenticateDevice(id, create, username, vars),
  },
  {
    name: 'custom',
    fresh: () => unique('cust-'),
    auth: (id, create, username, vars) => client.authenticateCustom(id, create, username, vars),
  },
  {
    name: 'email',
    fresh: () => `${unique('e')}@example.com`,
    auth: (id, create, username, vars) => client.authenticateEmail(id, 'correct horse', create, username, vars),
  },
];

for (const kind of kinds) {
  describe(`authenticate ${kind.name}`, () => {
    test('creates the account once, then finds it (created true, then false)', async () => {
      const id = kind.fresh();
      const first = await kind.auth(id);
      assert.equal(first.created, true);
      assert.match(first.user_id, /^[0-9a-f-]{36}$/);
      assert.match(first.username, /^[A-Za-z]{10}$/, 'a generated username is ten letters');
      assert.ok(first.refresh_token, 'a refresh token is issued');
      assert.ok(first.expires_at > Date.now() / 1000, 'the session token has not expired');

      const second = await kind.auth(id);
      assert.equal(second.created, false);
      assert.equal(second.user_id, first.user_id);
      assert.equal(second.username, first.username);
    });

    test('create=false on an unknown identity fails with 404', async () => {
      await rejectsWith(kind.auth(kind.fresh(), false), 404, 5, 'User account not found.');
    });

    test('create=false on a known identity logs in', async () => {
      const id = kind.fresh();
      const first = await kind.auth(id, true);
      const again = await kind.auth(id, false);
      assert.equal(again.created, false);
      assert.equal(again.user_id, first.user_id);
    });

    test('the username query parameter names a new account and is ignored afterwards', async () => {
      const id = kind.fresh();
      const username = unique('u');
      const first = await kind.auth(id, true, username);
      assert.equal(first.username, username);
      const again = await kind.auth(id, true, unique('other'));
      assert.equal(again.username, username, 'an existing account keeps its username');
    });

    test('a username another account holds cannot be taken (409)', async () => {
      const username = unique('u');
      await kind.auth(kind.fresh(), true, username);
      await rejectsWith(kind.auth(kind.fresh(), true, username), 409, 6, 'Username is already in use.');
    });
  });
}

describe('authenticate email', () => {
  test('a wrong password is refused with 401', async () => {
    const email = `${unique('e')}@example.com`;
    await client.authenticateEmail(email, 'correct horse', true);
    await rejectsWith(client.authenticateEmail(email, 'wrong horse'), 401, 16, 'Invalid credentials.');
  });

  test('the address is case-insensitive', async () => {
    const local = unique('Mixed');
    const first = await client.authenticateEmail(`${local}@Example.COM`, 'correct horse', true);
    const again = await client.authenticateEmail(`${local.toLowerCase()}@example.com`, 'correct horse', false);
    assert.equal(again.user_id, first.user_id);
    const account = await client.getAccount(again);
    assert.equal(account.email, `${local.toLowerCase()}@example.com`);
  });

  test('a username and password log in without an address', async () => {
    const username = unique('u');
    const first = await client.authenticateEmail(`${unique('e')}@example.com`, 'correct horse', true, username);
    const again = await client.authenticateEmail('', 'correct horse', false, username);
    assert.equal(again.user_id, first.user_id);
    await rejectsWith(client.authenticateEmail('', 'wrong horse', false, username), 401, 16, 'Invalid credentials.');
    await rejectsWith(client.authenticateEmail('', 'correct horse', false, unique('nobody')), 404, 5, 'User account not found.');
  });

  test('a short password is refused', async () => {
    await rejectsWith(
      client.authenticateEmail(`${unique('e')}@example.com`, 'short', true),
      400, 3, 'Password must be at least 8 characters long.',
    );
  });
});

describe('server key', () => {
  test('a client with the wrong server key is refused with 401', async () => {
    const wrong = newClient({ key: `${serverKey}-wrong` });
    await rejectsWith(wrong.authenticateDevice(unique('dev-')), 401, 16, 'Server key invalid');
  });
});

describe('session answer', () => {
  test('a created account answers created:true, a found one leaves created out', async () => {
    const id = unique('dev-');
    const path = '/v2/account/authenticate/device';
    const first = await request('POST', path, { basic: serverKey, body: { id } });
    assert.equal(first.status, 200);
    assert.equal(first.body.created, true);
    const again = await request('POST', path, { basic: serverKey, body: { id } });
    assert.equal(again.status, 200);
    assert.deepEqual(Object.keys(again.body).sort(), ['refresh_token', 'token']);
  });
});
