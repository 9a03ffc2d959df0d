// Nakama's documented Lua examples, run unchanged (testdata/modules holds
// them verbatim, each with its source; module-level snippets are wrapped in
// an RPC, which their files say) and driven with nakama-js over both socket
// formats: the minimal match handler, ping-pong, match listing by label and
// by query, find-or-create, create_match_rpc, custom_rpc_func_id and the
// server-to-server http_handler_path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseURL, newClient, newUser, rejectsWith } from '../lib/nakama.mjs';
import { formats, flush, userIDs } from '../lib/realtime.mjs';
import {
  createMatch, eventually, find, httpKey, listMatches, nextData, nextPresence, openGameSocket,
} from '../lib/matches.mjs';

const client = newClient();

/** The other wire format, so that every match mixes both. */
const other = (format) => formats.find((f) => f !== format);

/** Waits until the listing shows match id with this size; returns its entry. */
function listedWithSize(session, id, size) {
  return eventually(async () => {
    const m = find(await listMatches(client, session, { authoritative: true }), id);
    return (m?.size ?? 0) === size && m;
  }, `match ${id} listed with size ${size}`);
}

// First in this file: find-or-create lists matches with the empty label,
// which the matches of the later tests have too.
describe('find or create a match (find_or_create_match.lua, supermatch.lua)', () => {
  test('returns the same match while it has room, then creates another', async (t) => {
    const alice = await newUser(client);
    const bob = await newUser(client);
    const args = { limit: 10, label: '', min_size: 0, max_size: 1 };
    const findOrCreate = async () => (await client.rpc(alice, 'find_or_create_match', args)).payload.match_id;

    const first = await findOrCreate();
    assert.match(first, /^[0-9a-f-]{36}\.arbiter$/);
    assert.equal(await findOrCreate(), first, 'an empty match has room');
    const listed = find(await listMatches(client, alice, { authoritative: true, label: '' }), first);
    assert.deepEqual(
      [listed.authoritative, listed.label, listed.handler_name, listed.tick_rate, listed.size ?? 0],
      [true, '', 'supermatch', 10, 0],
    );

    const sa = await openGameSocket(t, client, alice, formats[0]);
    await sa.joinMatch(first);
    await listedWithSize(alice, first, 1);
    assert.equal(await findOrCreate(), first, 'one player is within max_size 1');

    const sb = await openGameSocket(t, client, bob, formats[1]);
    await sb.joinMatch(first);
    await listedWithSize(alice, first, 2);
    const second = await findOrCreate();
    assert.notEqual(second, first, 'a full match is not found: a new one is created');
    assert.equal(await findOrCreate(), second);
    assert.equal(find(await listMatches(client, alice), second).handler_name, 'supermatch');
  });
});

for (const format of formats) {
  describe(`the minimal match handler (minimal.lua, ${format.name})`, () => {
    test('players join, see each other come and go, and it keeps running', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const id = await createMatch(client, alice, 'minimal');
      const sa = await openGameSocket(t, client, alice, format);
      const sb = await openGameSocket(t, client, bob, other(format));

      const ma = await sa.joinMatch(id);
      assert.equal(ma.match_id, id);
      assert.equal(ma.authoritative, true);
      assert.equal(ma.label ?? '', '');
      assert.equal(ma.size ?? 0, 0, 'size counts the others');
      assert.deepEqual(userIDs(ma.presences), []);
      assert.equal(ma.self.user_id, alice.user_id);
      assert.equal(ma.self.username, alice.username);
      assert.ok(ma.self.session_id);

      const mb = await sb.joinMatch(id, undefined, { source: 'e2e' });
      assert.equal(mb.size, 1);
      assert.deepEqual(userIDs(mb.presences), [alice.user_id]);
      assert.equal(mb.presences[0].session_id, ma.self.session_id);
      const joined = await nextPresence(sa, id, (e) => userIDs(e.joins).includes(bob.user_id), 'bob joins');
      assert.equal(joined.joins[0].session_id, mb.self.session_id);
      assert.equal(joined.joins[0].username, bob.username);

      // The minimal handler ignores data; it does not end the match.
      await sb.sendMatchState(id, 1, '{"move":1}');
      const listed = await listedWithSize(alice, id, 2);
      assert.deepEqual([listed.handler_name, listed.tick_rate, listed.label], ['minimal', 10, '']);

      await sb.leaveMatch(id);
      const left = await nextPresence(sa, id, (e) => userIDs(e.leaves).includes(bob.user_id), 'bob leaves');
      assert.equal(left.leaves[0].session_id, mb.self.session_id);
      await listedWithSize(alice, id, 1);
      await flush(sa, sb);
      assert.deepEqual([...sa.inbox.take('match_data'), ...sb.inbox.take('match_data')], []);
    });
  });

  describe(`ping-pong (modules/pingpong.lua, create_match_rpc.lua, ${format.name})`, () => {
    test('create_match_rpc creates a pingpong match; data comes back to its sender only', async (t) => {
      const alice = await newUser(client);
      const bob = await newUser(client);
      const { payload } = await client.rpc(alice, 'create_match_rpc', { initial: 'state' });
      const id = payload.matchid;
      assert.match(id, /^[0-9a-f-]{36}\.arbiter$/);
      const listed = find(await listMatches(client, alice), id);
      assert.deepEqual([listed.handler_name, listed.tick_rate, listed.label], ['pingpong', 1, '']);

      const sa = await openGameSocket(t, client, alice, format);
      const sb = await openGameSocket(t, client, bob, other(format));
      await sa.joinMatch(id);
      await sb.joinMatch(id);

      await sa.sendMatchState(id, 7, JSON.stringify({ ping: 'from alice', n: 1 }));
      await sb.sendMatchState(id, 8, JSON.stringify({ ping: 'from bob' }));
      const pa = await nextData(sa, id, 1);
      assert.equal(pa.text, '{"ping":"from alice","n":1}', 'the data comes back byte for byte');
      assert.ok(!pa.presence, 'the server sends it: no sender');
      const pb = await nextData(sb, id, 1);
      assert.equal(pb.text, '{"ping":"from bob"}');
      await flush(sa, sb);
      assert.deepEqual([sa.inbox.take('match_data'), sb.inbox.take('match_data')].map((l) => l.length), [0, 0],
        'each player gets only its own pong');
      // modules/pingpong.lua has the documented match_signal as M.match_signal.
      const signal = await client.rpc(alice, 'e2e_match_signal', { match_id: id, data: 'hello' });
      assert.deepEqual(signal.payload, { result: 'signal received: hello' });
    });
  });
}

describe('the documented ping-pong as published (pingpong_doc.lua)', () => {
  // The documentation declares match_signal as a local function, leaving it
  // out of the module table. Nakama refuses to create such a match
  // ("match_signal not found or not a function"); Arbiter deliberately runs
  // it (vm/lua, bindCallbacks) and only a signal to the match fails.
  test('runs unchanged: data comes back, only a signal fails', async (t) => {
    const alice = await newUser(client);
    const id = await createMatch(client, alice, 'pingpong_doc');
    const sa = await openGameSocket(t, client, alice, formats[1]);
    await sa.joinMatch(id);
    await sa.sendMatchState(id, 3, '{"doc":true}');
    assert.equal((await nextData(sa, id, 1)).text, '{"doc":true}');
    const failure = await client.rpc(alice, 'e2e_match_signal', { match_id: id, data: 'x' }).then(
      (v) => assert.fail(`the signal succeeded: ${JSON.stringify(v)}`), (e) => e);
    assert.equal(failure.status, 500);
    assert.match((await failure.json()).message, /match_signal is not implemented/);
    await sa.sendMatchState(id, 4, '{"still":"running"}');
    assert.equal((await nextData(sa, id, 1)).text, '{"still":"running"}');
  });
});

describe('match listing by label (match_list_label.lua)', () => {
  test('finds the matches with exactly that label, within the sizes', async (t) => {
    const alice = await newUser(client);
    const label = 'skill=100-150';
    const ids = [
      await createMatch(client, alice, 'labelled', { label }),
      await createMatch(client, alice, 'labelled', { label }),
    ];
    await createMatch(client, alice, 'labelled', { label: 'skill=100-1500' });
    await createMatch(client, alice, 'labelled', { label: 'skill=100' });

    const documented = async () => (await client.rpc(alice, 'match_list_label', {})).payload;
    const found = await documented();
    assert.deepEqual(found.map((m) => m.match_id).sort(), [...ids].sort());
    for (const m of found) {
      assert.deepEqual([m.authoritative, m.label, m.size, m.tick_rate, m.handler_name],
        [true, label, 0, 10, 'labelled']);
    }
    const rest = await listMatches(client, alice, { authoritative: true, label, min: 0, max: 4 });
    assert.deepEqual(rest.map((m) => m.match_id).sort(), [...ids].sort());

    const sa = await openGameSocket(t, client, alice, formats[0]);
    await sa.joinMatch(ids[0]);
    await listedWithSize(alice, ids[0], 1);
    assert.deepEqual((await listMatches(client, alice, { authoritative: true, label, min: 1, max: 4 }))
      .map((m) => m.match_id), [ids[0]]);
    assert.deepEqual((await listMatches(client, alice, { authoritative: true, label, min: 0, max: 0 }))
      .map((m) => m.match_id), [ids[1]]);
    assert.equal((await documented()).length, 2, 'one player is within 0..4');
    await rejectsWith(client.listMatches(alice, 10, false, label), 400, 3,
      'Label filtering is not supported for non-authoritative matches.');
  });
});

describe('match listing by query (match_list_query.lua)', () => {
  test('requires the + terms, ranks by the others, and filters by size', async (t) => {
    const alice = await newUser(client);
    const query = '+label.mode:freeforall label.level:>10';
    const high = await createMatch(client, alice, 'labelled', { label: JSON.stringify({ mode: 'freeforall', level: 20 }) });
    const low = await createMatch(client, alice, 'labelled', { label: JSON.stringify({ mode: 'freeforall', level: 5 }) });
    await createMatch(client, alice, 'labelled', { label: JSON.stringify({ mode: 'teamdeathmatch', level: 20 }) });
    await createMatch(client, alice, 'labelled', { label: JSON.stringify({ mode: 'free', level: 20 }) });
    await createMatch(client, alice, 'labelled', { label: 'mode:freeforall' }); // not JSON: no fields

    const documented = async () => (await client.rpc(alice, 'match_list_query', {})).payload.map((m) => m.match_id);
    assert.deepEqual(await documented(), [high, low], 'level>10 scores higher, though created earlier');
    const rest = async (opts) => (await listMatches(client, alice, { authoritative: true, query, ...opts }))
      .map((m) => m.match_id);
    assert.deepEqual(await rest({ min: 0, max: 4 }), [high, low]);
    assert.deepEqual(await rest({ limit: 1 }), [high]);

    const sa = await openGameSocket(t, client, alice, formats[1]);
    await sa.joinMatch(low);
    await listedWithSize(alice, low, 1);
    assert.deepEqual(await rest({ min: 1 }), [low]);
    assert.deepEqual(await rest({ max: 0 }), [high]);
    await rejectsWith(client.listMatches(alice, 10, false, undefined, undefined, undefined, query), 400, 3,
      'Query filtering is not supported for non-authoritative matches.');
  });
});

describe('documented RPCs', () => {
  test('custom_rpc_func_id echoes its JSON, over REST and the socket (rpc_custom_func.lua)', async (t) => {
    const alice = await newUser(client);
    const input = { some: 'data', n: [1, 2.5, true, null], nested: { a: 'b' } };
    const out = await client.rpc(alice, 'custom_rpc_func_id', input);
    assert.deepEqual(out.payload, { some: 'data', n: [1, 2.5, true], nested: { a: 'b' } },
      'null leaves a Lua table: Nakama drops it too');
    assert.deepEqual((await client.rpc(alice, 'Custom_RPC_Func_ID', { x: 1 })).payload, { x: 1 },
      'ids are case-insensitive');
    for (const format of formats) {
      const socket = await openGameSocket(t, client, alice, format);
      const rpc = await socket.rpc('custom_rpc_func_id', '{"socket":"' + format.name + '"}');
      assert.equal(rpc.id, 'custom_rpc_func_id');
      assert.deepEqual(JSON.parse(rpc.payload), { socket: format.name });
    }
  });

  test('http_handler_path answers server-to-server calls with the HTTP key (rpc_http_handler.lua)', async () => {
    // rpcHttpKey sends GET /v2/rpc/{id}?payload=<JSON>&http_key=<key>.
    const out = await client.rpcHttpKey(httpKey, 'http_handler_path', { some: 'data' });
    const { context } = out.payload;
    assert.equal(context.execution_mode, 'rpc');
    assert.equal(context.user_id, undefined, 'an HTTP key call has no user');
    assert.equal(context.query_params.http_key, undefined, 'the key is not shown to the module');

    const url = `${baseURL}/v2/rpc/http_handler_path?http_key=${encodeURIComponent(httpKey)}`;
    // The documentation's curl: the body is a JSON string holding the payload.
    let res = await fetch(url, { method: 'POST', body: JSON.stringify('{"some": "data"}'), headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 200);
    const wrapped = await res.json();
    assert.deepEqual(Object.keys(wrapped), ['payload']);
    assert.equal(JSON.parse(wrapped.payload).context.execution_mode, 'rpc');

    // With unwrap the body is the payload and the answer is the bare result.
    res = await fetch(`${url}&unwrap`, { method: 'POST', body: '{"some": "data"}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const bare = await res.json();
    assert.equal(bare.context.execution_mode, 'rpc');
    assert.deepEqual(bare.context.query_params.unwrap, ['']);

    await rejectsWith(client.rpcHttpKey('not-the-key', 'http_handler_path', { some: 'data' }), 401, 16, 'HTTP key invalid');
  });
});
