// Storage objects through nakama-js: versions, permissions, listing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newClient, newUser, unique, rejectsWith } from './lib/nakama.mjs';

const client = newClient();

const versionRejected = [400, 3, 'Storage write rejected - version check failed.'];
const permissionRejected = [400, 3, 'Storage write rejected - permission denied.'];
const deleteRejected = [400, 3, 'Storage delete rejected - not found, version check failed, or permission denied.'];
const md5 = (s) => createHash('md5').update(s).digest('hex');

/** Writes one object and returns its ack. */
async function write(session, object) {
  const { acks } = await client.writeStorageObjects(session, [object]);
  assert.equal(acks.length, 1);
  return acks[0];
}

/** Reads one object as session; undefined when it is not visible. */
async function read(session, collection, key, userID) {
  const { objects } = await client.readStorageObjects(session, {
    object_ids: [{ collection, key, user_id: userID }],
  });
  assert.ok(objects.length <= 1);
  return objects[0];
}

describe('storage write and read', () => {
  test('an object is written with Nakama defaults and read back', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const value = { level: 3, items: ['sword', 'shield'], nested: { ok: true } };
    const ack = await write(session, { collection, key: 'save', value });
    assert.equal(ack.collection, collection);
    assert.equal(ack.key, 'save');
    assert.equal(ack.user_id, session.user_id);
    assert.equal(ack.version, md5(JSON.stringify(value)), 'the version is the MD5 of the value sent');

    const object = await read(session, collection, 'save', session.user_id);
    assert.deepEqual(object.value, value);
    assert.equal(object.version, ack.version);
    assert.equal(object.user_id, session.user_id);
    assert.equal(object.permission_read, 1, 'owner read by default');
    assert.equal(object.permission_write, 1, 'owner write by default');
    assert.ok(object.create_time && object.update_time);
  });

  test('a batch is acknowledged in request order', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const keys = ['zeta', 'alpha', 'mid'];
    const { acks } = await client.writeStorageObjects(session, keys.map((key, i) => ({ collection, key, value: { i } })));
    assert.deepEqual(acks.map((a) => a.key), keys);
  });

  test('an empty user id names the server, not the caller', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'mine', value: { a: 1 } });
    assert.equal(await read(session, collection, 'mine', undefined), undefined);
  });

  test('a value that is not a JSON object is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection: unique('c'), key: 'k', value: [1, 2] }]),
      400, 3, 'Value must be a JSON object.',
    );
  });

  test('permissions out of range are refused', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'k', value: {}, permission_read: 3 }]),
      400, 3, 'Invalid Read permission supplied. It must be either 0, 1 or 2.',
    );
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'k', value: {}, permission_write: 2 }]),
      400, 3, 'Invalid Write permission supplied. It must be either 0 or 1.',
    );
  });
});

describe('storage versions', () => {
  test('version "*" creates only when absent', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'once', value: { n: 1 }, version: '*' });
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'once', value: { n: 2 }, version: '*' }]),
      ...versionRejected,
    );
    assert.deepEqual((await read(session, collection, 'once', session.user_id)).value, { n: 1 });
  });

  test('a matching version updates; a stale one is refused', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const v1 = (await write(session, { collection, key: 'k', value: { n: 1 } })).version;
    const v2 = (await write(session, { collection, key: 'k', value: { n: 2 }, version: v1 })).version;
    assert.notEqual(v2, v1);
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'k', value: { n: 3 }, version: v1 }]),
      ...versionRejected,
    );
    const object = await read(session, collection, 'k', session.user_id);
    assert.deepEqual(object.value, { n: 2 });
    assert.equal(object.version, v2);
  });

  test('a version on a missing object is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection: unique('c'), key: 'k', value: {}, version: md5('{}') }]),
      ...versionRejected,
    );
  });

  test('no version overwrites (last write wins)', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'k', value: { n: 1 } });
    await write(session, { collection, key: 'k', value: { n: 2 } });
    assert.deepEqual((await read(session, collection, 'k', session.user_id)).value, { n: 2 });
  });

  test('a batch with one failed version check writes nothing', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'exists', value: { n: 1 } });
    await rejectsWith(
      client.writeStorageObjects(session, [
        { collection, key: 'new', value: { n: 1 } },
        { collection, key: 'exists', value: { n: 2 }, version: '*' },
      ]),
      ...versionRejected,
    );
    assert.equal(await read(session, collection, 'new', session.user_id), undefined);
  });
});

describe('storage delete', () => {
  test('with the current version or none, the object is deleted', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const { version } = await write(session, { collection, key: 'a', value: { n: 1 } });
    await write(session, { collection, key: 'b', value: { n: 1 } });
    assert.equal(await client.deleteStorageObjects(session, { object_ids: [{ collection, key: 'a', version }] }), true);
    assert.equal(await client.deleteStorageObjects(session, { object_ids: [{ collection, key: 'b' }] }), true);
    assert.equal(await read(session, collection, 'a', session.user_id), undefined);
    assert.equal(await read(session, collection, 'b', session.user_id), undefined);
  });

  test('a wrong version is refused and the object kept', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'k', value: { n: 1 } });
    await rejectsWith(
      client.deleteStorageObjects(session, { object_ids: [{ collection, key: 'k', version: md5('{"n":2}') }] }),
      ...deleteRejected,
    );
    assert.ok(await read(session, collection, 'k', session.user_id));
  });

  test('a missing object is refused, and the whole batch with it', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await write(session, { collection, key: 'kept', value: { n: 1 } });
    await rejectsWith(
      client.deleteStorageObjects(session, { object_ids: [{ collection, key: 'kept' }, { collection, key: 'missing' }] }),
      ...deleteRejected,
    );
    assert.ok(await read(session, collection, 'kept', session.user_id), 'nothing is deleted');
  });
});

describe('storage permissions', () => {
  test("another user never reads a private object, reads a public one", async () => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    const collection = unique('c');
    await client.writeStorageObjects(alice, [
      { collection, key: 'private', value: { secret: 1 }, permission_read: 1 },
      { collection, key: 'public', value: { shared: 1 }, permission_read: 2 },
      { collection, key: 'server', value: { hidden: 1 }, permission_read: 0 },
    ]);
    assert.equal(await read(bob, collection, 'private', alice.user_id), undefined);
    assert.equal(await read(bob, collection, 'server', alice.user_id), undefined);
    assert.deepEqual((await read(bob, collection, 'public', alice.user_id)).value, { shared: 1 });
    // The owner reads read=1 and read=2, but not read=0 (server only).
    assert.ok(await read(alice, collection, 'private', alice.user_id));
    assert.equal(await read(alice, collection, 'server', alice.user_id), undefined);
  });

  test("another user cannot write or delete an object: a client always writes its own", async () => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    const collection = unique('c');
    const ack = await write(alice, { collection, key: 'k', value: { owner: 'alice' }, permission_read: 2 });
    // Bob writing the same collection and key makes an object of his own.
    const bobs = await write(bob, { collection, key: 'k', value: { owner: 'bob' }, permission_read: 2 });
    assert.equal(bobs.user_id, bob.user_id);
    const alices = await read(bob, collection, 'k', alice.user_id);
    assert.deepEqual(alices.value, { owner: 'alice' });
    assert.equal(alices.version, ack.version);
    // Bob's delete only ever names his own object.
    await client.deleteStorageObjects(bob, { object_ids: [{ collection, key: 'k' }] });
    assert.equal(await read(bob, collection, 'k', bob.user_id), undefined, "bob's object is deleted");
    assert.ok(await read(alice, collection, 'k', alice.user_id), "alice's object is untouched");
  });

  test('an object with write=0 cannot be changed or deleted by its owner', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const { version } = await write(session, { collection, key: 'locked', value: { n: 1 }, permission_write: 0 });
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'locked', value: { n: 2 } }]),
      ...permissionRejected,
    );
    await rejectsWith(
      client.writeStorageObjects(session, [{ collection, key: 'locked', value: { n: 2 }, version }]),
      ...permissionRejected,
    );
    await rejectsWith(
      client.deleteStorageObjects(session, { object_ids: [{ collection, key: 'locked' }] }),
      ...deleteRejected,
    );
    assert.deepEqual((await read(session, collection, 'locked', session.user_id)).value, { n: 1 });
  });
});

describe('storage list', () => {
  /** Lists every page and returns the keys in order and the page sizes. */
  async function listAll(session, collection, userID, limit) {
    const keys = [];
    const pages = [];
    let cursor;
    do {
      const page = await client.listStorageObjects(session, collection, userID, limit, cursor);
      pages.push(page.objects.length);
      keys.push(...page.objects.map((o) => o.key));
      assert.notEqual(page.cursor, cursor, 'the cursor moves');
      cursor = page.cursor;
      assert.ok(pages.length < 20, 'listing ends');
    } while (cursor);
    return { keys, pages };
  }

  test("the owner's objects come in pages joined by cursors", async () => {
    const session = await newUser(client);
    const collection = unique('c');
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    await client.writeStorageObjects(session, keys.map((key) => ({ collection, key, value: { key } })));
    const { keys: listed, pages } = await listAll(session, collection, session.user_id, 2);
    assert.deepEqual(listed, keys);
    assert.deepEqual(pages, [2, 2, 1]);
    const { objects } = await client.listStorageObjects(session, collection, session.user_id, 100);
    assert.deepEqual(objects.map((o) => o.value.key), keys);
  });

  test('a full last page has no cursor after it', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await client.writeStorageObjects(session, ['a', 'b'].map((key) => ({ collection, key, value: {} })));
    const page = await client.listStorageObjects(session, collection, session.user_id, 2);
    assert.equal(page.objects.length, 2);
    assert.equal(page.cursor, undefined);
  });

  test('without a limit, one object is listed (Nakama default)', async () => {
    const session = await newUser(client);
    const collection = unique('c');
    await client.writeStorageObjects(session, ['a', 'b'].map((key) => ({ collection, key, value: {} })));
    const page = await client.listStorageObjects(session, collection, session.user_id);
    assert.equal(page.objects.length, 1);
    assert.ok(page.cursor);
  });

  test("another user's listing shows only the public objects", async () => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    const collection = unique('c');
    await client.writeStorageObjects(alice, [
      { collection, key: 'p1', value: {}, permission_read: 2 },
      { collection, key: 'private', value: {}, permission_read: 1 },
      { collection, key: 'p2', value: {}, permission_read: 2 },
      { collection, key: 'server', value: {}, permission_read: 0 },
    ]);
    assert.deepEqual((await listAll(bob, collection, alice.user_id, 1)).keys, ['p1', 'p2']);
    assert.deepEqual((await listAll(alice, collection, alice.user_id, 1)).keys.sort(), ['p1', 'p2', 'private']);
  });

  test("a listing of all users shows every user's public objects, no one's private ones", async () => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    const collection = unique('c');
    await client.writeStorageObjects(alice, [
      { collection, key: 'a-public', value: {}, permission_read: 2 },
      { collection, key: 'a-private', value: {}, permission_read: 1 },
    ]);
    await client.writeStorageObjects(bob, [
      { collection, key: 'b-public', value: {}, permission_read: 2 },
      { collection, key: 'b-private', value: {}, permission_read: 1 },
    ]);
    const { keys } = await listAll(bob, collection, undefined, 1);
    assert.deepEqual(keys.sort(), ['a-public', 'b-public']);
  });

  test('a limit outside 1-100 is refused', async () => {
    const session = await newUser(client);
    for (const limit of [0, 101, -1]) {
      await rejectsWith(
        client.listStorageObjects(session, unique('c'), session.user_id, limit),
        400, 3, 'Invalid limit - limit must be between 1 and 100.',
      );
    }
  });

  test('a cursor the server did not make is refused', async () => {
    const session = await newUser(client);
    await rejectsWith(
      client.listStorageObjects(session, unique('c'), session.user_id, 10, 'not-a-cursor'),
      400, 3, 'Malformed cursor was used.',
    );
  });
});
