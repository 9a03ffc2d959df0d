// The SDK's exports driven by a host written in JavaScript (abi.mjs): the
// init reply, RPCs and their errors, the hooks, malformed input, and every
// match callback with the dispatcher calls it makes. tests/module.ts is the
// guest.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { decode, encode, F, instantiate } from "./abi.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "arbiter-as-exports-"));
process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));

const wasmPath = path.join(out, "module.wasm");
const { error } = await asc.main([path.join(root, "tests/module.ts"), "--config", path.join(root, "asconfig.json"), "-o", wasmPath],
  { stdout: process.stdout, stderr: process.stderr });
if (error) throw error;
const module = new WebAssembly.Module(fs.readFileSync(wasmPath));

const ctx = (extra = {}) => ({ env: {}, execution_mode: "rpc", node: "n1", version: "", headers: {}, query_params: {}, ...extra });
const nk = { probe: (...args) => [{ got: args }] };

test("codec: the JS and AssemblyScript encodings agree", () => {
  // abi.mjs is checked against the examples of ABI.md §3 too.
  const hex = (b) => Buffer.from(b).toString("hex");
  assert.equal(hex(encode(150)), "03ac02");
  assert.equal(hex(encode(new F(1.5))), "04000000000000f83f");
  assert.equal(hex(encode([1, "a"])), "0702030205016" + "1");
  assert.equal(hex(encode({ op: 3 })), "0801026f700306");
  assert.deepEqual(decode(Uint8Array.from([0x03, 0x01])), -1);
});

test("init: registrations, and onLoad only when load is true", () => {
  const g = instantiate(module, nk);
  let r = g.call("init", { context: ctx({ execution_mode: "run_once" }), module: "games.probe", load: false });
  assert.deepEqual(r, { status: 0, value: {
    rpcs: ["ok", "bad", "Mixed", "nk_error"], match_handlers: ["probe", "counter", "plain"], matchmaker_matched: true, shutdown: true,
    match_policies: { counter: "migrate", plain: "keep" },
  } });
  assert.equal(g.logs.length, 0, "onLoad ran without load");
  r = g.call("init", { context: ctx(), module: "games.probe", load: true, future_key: [1, { x: null }] });
  assert.equal(r.status, 0);
  assert.deepEqual(g.logs, [{ level: 1, msg: "loaded", fields: { probe: { got: ["x", -5, [true]] }, module: "games.probe" } }]);
  r = g.call("init", { context: ctx({ env: { FAIL_LOAD: "1" } }), module: "m", load: true });
  assert.deepEqual(r, { status: 1, value: { message: "load refused", code: 9 } });
});

test("rpc: replies, errors, unknown ids, case-insensitive ids", () => {
  const g = instantiate(module, nk);
  g.call("init", { context: ctx(), module: "games.probe", load: false });
  assert.deepEqual(g.call("rpc", { id: "ok", payload: "p", context: ctx({ user_id: "u1" }) }), { status: 0, value: "p:u1:games.probe" });
  assert.deepEqual(g.call("rpc", { id: "bad", payload: "p", context: ctx() }), { status: 1, value: { message: "bad: p", code: 7 } });
  assert.deepEqual(g.call("rpc", { id: "MIXED", payload: "", context: ctx() }), { status: 0, value: "mixed" });
  assert.deepEqual(g.call("rpc", { id: "nope", payload: "", context: ctx() }), { status: 3, value: { message: "RPC function not found: nope", code: 5 } });
  assert.deepEqual(g.call("rpc", { id: "nk_error", payload: "", context: ctx() }), { status: 0, value: "3 13 nk function not found: missing" });
  // The payload may come as bytes; missing keys are empty.
  assert.deepEqual(g.call("rpc", { id: "ok", payload: new TextEncoder().encode("b") }), { status: 0, value: "b::games.probe" });
});

test("malformed input is answered MALFORMED, not trapped", () => {
  const g = instantiate(module, nk);
  for (const [input, reason] of [
    [Uint8Array.from([0x07, 0x00]), "not a map"],
    [Uint8Array.from([0x08, 0x01]), "length 1 exceeds the 0 bytes left"],
    [Uint8Array.from([0x08, 0x01, 0x02, 0x69, 0x64, 0x03, 0x80]), "truncated varint"],
    [Uint8Array.from([0x08, 0x00, 0x00]), "1 trailing bytes"],
    [Uint8Array.from([0x08, 0x01, 0x02, 0x69, 0x64, 0x09]), "unknown tag 0x9"],
    [Uint8Array.from([0x08, 0x05, 0x02, 0x69]), "exceeds"],
  ]) {
    const r = g.call("rpc", input);
    assert.equal(r.status, 5, `status for ${Buffer.from(input).toString("hex")}`);
    assert.equal(r.value.code, 3);
    assert.ok(r.value.message.includes(reason), `${r.value.message} does not contain ${reason}`);
  }
  // The instance still works.
  assert.deepEqual(g.call("rpc", { id: "ok", payload: "x" }), { status: 0, value: "x::" });
});

test("hooks: matchmaker and shutdown", () => {
  const g = instantiate(module, nk);
  const entry = (u) => ({ presence: { user_id: u, session_id: "s" + u, username: u, node: "n1" }, properties: { mode: "duel", n: new F(1.5) }, party_id: "p" });
  assert.deepEqual(g.call("matchmaker_matched", { context: ctx(), entries: [entry("a"), entry("b")] }), { status: 0, value: "match-2-b-duel-p" });
  assert.deepEqual(g.call("matchmaker_matched", { context: ctx(), entries: [entry("a")] }), { status: 0, value: null });
  assert.deepEqual(g.call("shutdown", { context: ctx({ execution_mode: "shutdown" }) }), { status: 0, value: null, empty: true });
  assert.deepEqual(g.logs, [{ level: 2, msg: "shutdown shutdown", fields: null }]);
});

const mctx = (label) => ctx({ execution_mode: "match", match_id: "m1", match_node: "n1", match_label: label, match_tick_rate: 7 });
const px = { user_id: "u1", session_id: "s1", username: "one", node: "n1" };

function newMatch(params = null, name = "probe") {
  const g = instantiate(module, nk);
  g.call("init", { context: ctx(), module: "probe", load: false });
  assert.deepEqual(g.call("match_create", { name, match_id: "m1", context: mctx("") }), { status: 0, value: null, empty: true });
  return { g, init: g.call("match_init", { params }) };
}

test("match: create, init and refusal", () => {
  const g = instantiate(module, nk);
  assert.deepEqual(g.call("match_create", { name: "nope", match_id: "m1", context: mctx("") }),
    { status: 3, value: { message: "match handler not found: nope", code: 5 } });
  assert.deepEqual(g.call("match_loop", { tick: 1, messages: [] }), { status: 1, value: { message: "arbiter: no match in this instance", code: 13 } });
  assert.deepEqual(newMatch().init, { status: 0, value: { tick_rate: 7, label: "lbl:m1" } });
  assert.deepEqual(newMatch({ refuse: true }).init, { status: 2, value: null });
});

test("match: callbacks, dispatcher and the kept context", () => {
  const { g } = newMatch({});
  const user = mctx("") ;
  user.user_id = "u9";
  let r = g.call("match_join_attempt", { presence: px, metadata: { deny: "1" }, tick: 3, context: user });
  assert.deepEqual(r, { status: 0, value: { accept: false, reason: "denied u9 at 3" } });
  r = g.call("match_join_attempt", { presence: px, metadata: {}, tick: 3, context: user });
  assert.deepEqual(r, { status: 0, value: { accept: true } });
  r = g.call("match_join", { presences: [{ ...px, reason: 1 }], tick: 3 });
  assert.deepEqual(r, { status: 0, value: null, empty: true });
  assert.deepEqual(g.sent.splice(0), [{ op: 10, data: "joined u1 reason 1", to: "all", sender: null, flags: 1 }]);

  // The join attempt's user context did not replace the match context; a
  // new match context (a new label) does.
  const msg = (op, data, reliable = true) => ({ sender: px, op_code: op, data: new TextEncoder().encode(data), reliable, receive_time_ms: 5 });
  r = g.call("match_loop", { messages: [msg(1, "hé", false)], tick: 4 });
  assert.equal(r.status, 0);
  r = g.call("match_loop", { messages: [msg(1, "x")], tick: 5, context: mctx("new label") });
  assert.deepEqual(g.sent.splice(0), [
    { op: 1, data: '{"data":"hé","label":"","tick":4}', to: [px], sender: px, flags: 0 },
    { op: 1, data: '{"data":"x","label":"new label","tick":5}', to: [px], sender: px, flags: 1 },
  ]);
  g.call("match_loop", { messages: [msg(2, "d")], tick: 6 });
  assert.deepEqual(g.sent.splice(0), [
    { kick: [px] },
    { op: 3, data: "d", to: [], sender: px, flags: 2 },
    { label: "label new label" },
  ]);

  assert.deepEqual(g.call("match_signal", { data: "nil", tick: 6 }), { status: 0, value: { data: null } });
  assert.deepEqual(g.call("match_signal", { data: "abc", tick: 6 }), { status: 0, value: { data: "ABC" } });
  assert.deepEqual(g.call("match_loop", { messages: [msg(9, "")], tick: 7 }), { status: 1, value: { message: "op 9 is not allowed", code: 3 } });
  assert.deepEqual(g.call("match_leave", { presences: [px], tick: 8 }), { status: 0, value: null, empty: true });
  assert.deepEqual(g.call("match_loop", { messages: [msg(8, "")], tick: 9 }), { status: 2, value: null });
});

test("match: terminate and an empty leave end the match", () => {
  let { g } = newMatch();
  assert.deepEqual(g.call("match_terminate", { grace_seconds: 30, tick: 2 }), { status: 2, value: null });
  assert.deepEqual(g.sent, [{ op: 11, data: "bye in 30", to: "all", sender: null, flags: 1 }]);
  ({ g } = newMatch());
  assert.deepEqual(g.call("match_leave", { presences: [], tick: 2 }), { status: 2, value: null });
});

test("match: without terminate the match goes on until the grace period ends", () => {
  const { g, init } = newMatch(null, "plain");
  assert.deepEqual(init, { status: 0, value: { tick_rate: 1, label: "" } });
  assert.deepEqual(g.call("match_terminate", { grace_seconds: 30, tick: 2 }), { status: 0, value: null, empty: true });
  assert.deepEqual(g.call("match_loop", { messages: [], tick: 3 }), { status: 0, value: null, empty: true });
  assert.deepEqual(g.call("match_terminate", { grace_seconds: 0, tick: 4 }), { status: 0, value: null, empty: true });
});

const counted = (n) => Array(n).fill({ sender: px, op_code: 1, data: new Uint8Array([120]), reliable: true, receive_time_ms: 1 });

// A new instance of the module with a counter match created, before init
// or restore.
function newCounter() {
  const g = instantiate(module, nk);
  g.call("init", { context: ctx(), module: "probe", load: false });
  assert.deepEqual(g.call("match_create", { name: "counter", match_id: "m1", context: mctx("") }), { status: 0, value: null, empty: true });
  return g;
}

test("reload: snapshot in the old version, restore in the new one", () => {
  const old = newCounter();
  assert.equal(old.call("match_init", { params: null }).status, 0);
  old.call("match_loop", { messages: counted(3), tick: 1 });
  const snap = old.call("match_snapshot", { tick: 2 });
  assert.equal(snap.status, 0);
  assert.ok(snap.value instanceof Uint8Array, "the snapshot is bytes");
  assert.deepEqual(decode(snap.value), { count: 3, restores: 0 });
  // The snapshot changed nothing: the old match goes on.
  assert.deepEqual(old.call("match_snapshot", { tick: 2 }), snap);
  assert.deepEqual(old.call("match_snapshot", { tick: -1 }), { status: 1, value: { message: "not now", code: 13 } });
  old.call("match_loop", { messages: counted(1), tick: 2 });
  assert.equal(old.call("match_signal", { data: "", tick: 2 }).value.data, "count=4 restores=0 tick=2 label=");

  // The new version: create, then restore instead of init, with the
  // match's current context.
  const next = newCounter();
  assert.deepEqual(next.call("match_restore", { name: "counter", data: snap.value, tick: 2, context: mctx("players=1") }),
    { status: 0, value: null, empty: true });
  next.call("match_loop", { messages: counted(2), tick: 3 });
  assert.equal(next.call("match_signal", { data: "", tick: 3 }).value.data, "count=5 restores=1 tick=3 label=players=1");
  assert.deepEqual(decode(next.call("match_snapshot", { tick: 4 }).value), { count: 5, restores: 1 });

  // Data as a string is accepted too.
  const str = newCounter();
  const text = new TextDecoder().decode(snap.value);
  assert.equal(str.call("match_restore", { name: "counter", data: text, tick: 2 }).status, 0);
  assert.equal(str.call("match_signal", { data: "", tick: 2 }).value.data, "count=3 restores=1 tick=2 label=");
});

test("reload: refusals", () => {
  // Bad data, and end() in restore, refuse it.
  assert.deepEqual(newCounter().call("match_restore", { name: "counter", data: new Uint8Array([9]), tick: 1 }),
    { status: 1, value: { message: "bad snapshot", code: 3 } });
  assert.deepEqual(newCounter().call("match_restore", { name: "counter", data: encode({ end: true }), tick: 1 }),
    { status: 2, value: null });
  // Without a match there is nothing to snapshot or restore.
  const g = instantiate(module, nk);
  g.call("init", { context: ctx(), module: "probe", load: false });
  assert.equal(g.call("match_snapshot", { tick: 1 }).status, 1);
  assert.equal(g.call("match_restore", { data: new Uint8Array(0), tick: 1 }).status, 1);
  // A handler that does not implement them refuses both, and goes on.
  const { g: plain } = newMatch(null, "plain");
  assert.deepEqual(plain.call("match_snapshot", { tick: 1 }),
    { status: 1, value: { message: "arbiter: the match handler does not implement snapshot", code: 13 } });
  assert.deepEqual(plain.call("match_loop", { messages: [], tick: 2 }), { status: 0, value: null, empty: true });
  const fresh = instantiate(module, nk);
  fresh.call("init", { context: ctx(), module: "probe", load: false });
  fresh.call("match_create", { name: "plain", match_id: "m1" });
  assert.deepEqual(fresh.call("match_restore", { name: "plain", data: new Uint8Array([1]), tick: 1 }),
    { status: 1, value: { message: "arbiter: the match handler does not implement restore", code: 13 } });
  // Malformed input.
  assert.equal(newCounter().call("match_restore", Uint8Array.from([0x07, 0x00])).status, 5);
});

test("memory stays flat over many calls (garbage is collected)", () => {
  const { g } = newMatch();
  const msg = { sender: px, op_code: 1, data: new TextEncoder().encode("x".repeat(200)), reliable: true, receive_time_ms: 5 };
  const input = encode({ messages: Array(20).fill(msg), tick: 1 });
  const pages = () => g.memory.buffer.byteLength / 65536;
  for (let i = 0; i < 200; i++) g.call("match_loop", input);
  const before = pages();
  for (let i = 0; i < 5000; i++) g.call("match_loop", input);
  g.sent.length = 0;
  assert.equal(pages(), before, "memory grew");
});
