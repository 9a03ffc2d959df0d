// Module RPCs through nakama-js: over REST with a session (client.rpc), with
// the HTTP key (client.rpcHttpKey, a GET with the payload in the query),
// raw with unwrap, and over the socket in both formats (socket.rpc); the
// errors of unknown ids and of failing functions, with Nakama's codes, and
// of a request the server does not serve (createParty). The RPCs are
// lobby.lua's echo and the fixtures of testdata/modules/e2e_rpcs.lua.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseURL, newClient, newUser, rejectsWith } from '../lib/nakama.mjs';
import { formats, rejectsRealtime } from '../lib/realtime.mjs';
import { httpKey, openGameSocket } from '../lib/matches.mjs';

const client = newClient();

// Socket error codes (rtapi.Error.Code).
const UNRECOGNIZED_PAYLOAD = 1;
const BAD_INPUT = 3;
const RUNTIME_FUNCTION_NOT_FOUND = 6;
const RUNTIME_FUNCTION_EXCEPTION = 7;

/** Sends a raw request to /v2/rpc/{id}; returns status, content type and body text. */
async function raw(method, idAndQuery, { bearer, basic, body, contentType } = {}) {
  const headers = {};
  if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
  if (basic !== undefined) headers.Authorization = `Basic ${btoa(`${basic}:`)}`;
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  const res = await fetch(`${baseURL}/v2/rpc/${idAndQuery}`, { method, headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('RPCs over REST', () => {
  test('client.rpc sends JSON and gets JSON back; ids are case-insensitive', async () => {
    const alice = await newUser(client);
    const input = { text: 'héllo', list: [1, 'two'], deep: { ok: true } };
    assert.deepEqual((await client.rpc(alice, 'echo', input)).payload, input);
    assert.deepEqual((await client.rpc(alice, 'EcHo', { n: 1 })).payload, { n: 1 });
    const nothing = await client.rpc(alice, 'e2e_nothing', {});
    assert.equal(nothing.payload, undefined, 'a function that returns nothing answers no payload');
  });

  test('the context has the user of the session, no socket', async () => {
    const alice = await newUser(client);
    const { payload: context } = await client.rpc(alice, 'e2e_context', {});
    assert.equal(context.execution_mode, 'rpc');
    assert.equal(context.user_id, alice.user_id);
    assert.equal(context.username, alice.username);
    assert.equal(typeof context.user_session_exp, 'number');
    assert.equal(context.session_id, undefined);
    assert.deepEqual(context.query_params, {});
  });

  test('with the HTTP key: rpcHttpKey (GET, payload in the query), Basic auth and POST', async () => {
    const out = await client.rpcHttpKey(httpKey, 'echo', { from: 'server', n: [1, 2] });
    assert.deepEqual(out.payload, { from: 'server', n: [1, 2] });
    const ctx = (await client.rpcHttpKey(httpKey, 'e2e_context', { x: 1 })).payload;
    assert.equal(ctx.user_id, undefined, 'no user with the HTTP key');
    assert.equal(ctx.execution_mode, 'rpc');

    let res = await raw('POST', `echo?http_key=${httpKey}`, { body: JSON.stringify('posted'), contentType: 'application/json' });
    assert.deepEqual([res.status, JSON.parse(res.text)], [200, { payload: 'posted' }]);
    res = await raw('POST', 'echo', { basic: httpKey, body: JSON.stringify('basic'), contentType: 'application/json' });
    assert.deepEqual([res.status, JSON.parse(res.text)], [200, { payload: 'basic' }]);
    res = await raw('GET', `echo?http_key=${httpKey}&payload=${encodeURIComponent('in the query')}`);
    assert.deepEqual([res.status, JSON.parse(res.text)], [200, { payload: 'in the query' }]);
  });

  test('unwrap: the raw body is the payload and the bare result is the answer', async () => {
    const alice = await newUser(client);
    let res = await raw('POST', 'echo?unwrap', { bearer: alice.token, body: 'not JSON at all', contentType: 'text/plain' });
    assert.deepEqual([res.status, res.contentType, res.text], [200, 'text/plain', 'not JSON at all']);
    res = await raw('POST', `echo?unwrap=&http_key=${httpKey}`, { body: '{"a": [1, 2]}', contentType: 'application/json' });
    assert.deepEqual([res.status, res.contentType, res.text], [200, 'application/json', '{"a": [1, 2]}']);
    const ctx = JSON.parse((await raw('POST', `e2e_context?unwrap&http_key=${httpKey}&x=1`, { body: '' })).text);
    assert.deepEqual(ctx.query_params, { unwrap: [''], x: ['1'] }, 'the module sees the query, without the key');
  });

  test('errors: unknown id, error("msg"), error({msg, code}), bad bodies and credentials', async () => {
    const alice = await newUser(client);
    await rejectsWith(client.rpc(alice, 'no_such_rpc', {}), 404, 5, 'RPC function not found');
    await rejectsWith(client.rpc(alice, 'e2e_error', {}), 500, 13, 'something went wrong');
    await rejectsWith(client.rpc(alice, 'e2e_error_code', {}), 400, 3, 'bad input here');
    await rejectsWith(client.rpcHttpKey(httpKey, 'no_such_rpc'), 404, 5, 'RPC function not found');
    await rejectsWith(client.rpcHttpKey(httpKey, 'e2e_error'), 500, 13, 'something went wrong');
    await rejectsWith(client.rpcHttpKey('wrong', 'echo'), 401, 16, 'HTTP key invalid');

    // Without unwrap the body must be a JSON string (Nakama's message is Go's
    // json error text; Arbiter words it itself: only status and code are checked).
    const res = await raw('POST', 'echo', { bearer: alice.token, body: '{"an":"object"}', contentType: 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, 3);
    const noAuth = await raw('POST', 'echo', { body: '"x"' });
    assert.deepEqual([noAuth.status, JSON.parse(noAuth.text).code, JSON.parse(noAuth.text).message],
      [401, 16, 'Auth token or HTTP key required']);
    const serverKey = await raw('POST', 'echo', { basic: 'defaultkey', body: '"x"' });
    assert.deepEqual([serverKey.status, JSON.parse(serverKey.text).message], [401, 'HTTP key invalid'],
      'Basic auth takes the HTTP key, not the server key');
    const badToken = await raw('POST', 'echo', { bearer: 'not.a.token', body: '"x"' });
    assert.deepEqual([badToken.status, JSON.parse(badToken.text).message], [401, 'Auth token invalid']);
  });
});

for (const format of formats) {
  describe(`RPCs over the socket (${format.name})`, () => {
    test('any string goes in and comes back; the id is echoed as sent', async (t) => {
      const alice = await newUser(client);
      const socket = await openGameSocket(t, client, alice, format);
      const out = await socket.rpc('echo', 'plain text, not JSON');
      assert.deepEqual([out.id, out.payload], ['echo', 'plain text, not JSON']);
      assert.equal((await socket.rpc('ECHO', '{}')).id, 'ECHO');
      assert.equal((await socket.rpc('e2e_nothing', 'x')).payload ?? '', '');

      const context = JSON.parse((await socket.rpc('e2e_context', '')).payload);
      assert.equal(context.user_id, alice.user_id);
      assert.equal(context.username, alice.username);
      assert.match(context.session_id, /^[0-9a-f-]{36}$/, 'a socket RPC knows its session');
      assert.equal(context.lang, 'en');
    });

    test('errors have the socket codes and keep the socket open', async (t) => {
      const alice = await newUser(client);
      const socket = await openGameSocket(t, client, alice, format);
      await rejectsRealtime(socket.rpc('no_such_rpc', ''), RUNTIME_FUNCTION_NOT_FOUND, 'RPC function not found');
      await rejectsRealtime(socket.rpc('e2e_error', ''), RUNTIME_FUNCTION_EXCEPTION, 'something went wrong');
      await rejectsRealtime(socket.rpc('e2e_error_code', ''), RUNTIME_FUNCTION_EXCEPTION, 'bad input here');
      await rejectsRealtime(socket.rpc('', ''), BAD_INPUT, 'RPC ID must be set');
      assert.equal((await socket.rpc('echo', 'still open')).payload, 'still open');
    });

    test('a request the server does not serve (createParty) fails; the socket stays open', async (t) => {
      const alice = await newUser(client);
      const socket = await openGameSocket(t, client, alice, format);
      await rejectsRealtime(socket.createParty(true, 4), UNRECOGNIZED_PAYLOAD,
        'party_create is not supported by this server');
      assert.equal((await socket.rpc('echo', 'after the party')).payload, 'after the party');
    });
  });
}
