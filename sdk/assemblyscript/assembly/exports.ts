// The exports the host calls (ABI.md §5). A module's entry file re-exports
// them with
//
//   export * from "@arbiterhq/arbiter-as/exports";
//
// Each export decodes its input map (ignoring keys it does not know), runs
// the registered function, and returns the reply's pointer and length. The
// reply lives in a buffer this file keeps until the next export call, as
// the ABI requires. The SDK is built for --runtime incremental, whose
// collector runs by itself; with --runtime minimal the garbage of each call
// is collected when the call returns (see README "Runtime").

import { Code, Status } from "./abi";
import { Decoder, Encoder, MAX_MESSAGE_BYTES, Value } from "./codec";
import { dispatcher, JoinResult, MatchHandler, MatchSetup } from "./match";
import {
  clearPendingError, loadFn, setModuleName, matchFactories, matchmakerFn, matchNames, pendingError,
  policyName, policyNames, policyValues, rpcFns, rpcIds, shutdownFn,
} from "./register";
import { Context, MatchmakerEntry, Message, Presence, readStringMap } from "./types";

// ------------------------------------------------------------ memory

// The input buffer arbiter_alloc hands out: raw heap memory, outside the
// garbage collector, reused by every call.
let inboxPtr: usize = 0;
let inboxCap: u32 = 0;

// The reply of the current export, kept until the next one.
const out = new Encoder(512);

export function arbiter_abi_version(): i32 {
  return 1;
}

export function arbiter_alloc(size: u32): usize {
  if (size == 0 || size > MAX_MESSAGE_BYTES) return 0;
  // Grow to fit; give back a large buffer once inputs are small again.
  if (size > inboxCap || (inboxCap > (1 << 20) && size <= inboxCap >> 4)) {
    if (inboxPtr != 0) heap.free(inboxPtr);
    let cap: u32 = 256;
    while (cap < size) cap <<= 1;
    inboxPtr = heap.alloc(<usize>cap);
    inboxCap = cap;
  }
  return inboxPtr;
}

// ------------------------------------------------------------ replies

// Ends an export call: collects garbage (minimal runtime) and makes the
// result word of the reply in out.
function done(): u64 {
  if (ASC_RUNTIME == 1) __collect();
  const n = out.length;
  if (n == 0) return 0;
  return (<u64>out.dataStart << 32) | <u64>n;
}

// OK with nil: the zero-length reply.
function ok(): u64 {
  out.reset();
  return done();
}

// Starts an OK reply; the caller writes one value.
function okValue(): Encoder {
  return out.reset().byte(<u8>Status.OK);
}

function errorReply(status: i32, message: string, code: i32): u64 {
  out.reset().byte(<u8>status);
  out.map(code != 0 ? 2 : 1);
  out.key("message").string(message);
  if (code != 0) out.key("code").int(code);
  return done();
}

function nilState(): u64 {
  out.reset().byte(<u8>Status.NIL_STATE);
  return done();
}

function malformed(d: Decoder): u64 {
  return errorReply(Status.MALFORMED, "arbiter: bad input: " + (d.error != null ? d.error! : "not a map"), Code.INVALID_ARGUMENT);
}

// The error fail() recorded, as the reply; 0 when there is none.
function failed(): bool {
  return pendingError != null;
}

function failedReply(): u64 {
  const e = pendingError!;
  clearPendingError();
  return errorReply(Status.ERROR, e.message, e.code);
}

// Starts reading an input map: its entry count, or -1 when it is not one.
function begin(d: Decoder, len: u32): i32 {
  clearPendingError();
  if (len == 0) return 0;
  return d.readMap();
}

// Finishes reading the input: false (with d.error) when it was malformed.
function end(d: Decoder, n: i32, len: u32): bool {
  if (n < 0) return false;
  if (len > 0) {
    d.leave();
    d.finish();
  }
  return d.ok;
}

// ------------------------------------------------------------ init, RPCs, hooks

export function arbiter_init(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let ctx = new Context();
  let load = false;
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("context")) ctx = Context.read(d);
    else if (d.keyIs("module")) setModuleName(d.readString());
    else if (d.keyIs("load")) load = d.readBool();
    else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const fn = loadFn;
  if (load && fn != null) {
    fn(ctx);
    if (failed()) return failedReply();
  }
  const e = okValue();
  const policies = policyNames.length;
  e.map(policies > 0 ? 5 : 4);
  e.key("rpcs").strings(rpcIds);
  e.key("match_handlers").strings(matchNames);
  e.key("matchmaker_matched").bool(matchmakerFn != null);
  e.key("shutdown").bool(shutdownFn != null);
  if (policies > 0) {
    e.key("match_policies").map(policies);
    for (let i = 0; i < policies; i++) e.key(policyNames[i]).string(policyName(policyValues[i]));
  }
  return done();
}

function findRpc(id: string): i32 {
  for (let i = 0; i < rpcIds.length; i++) if (rpcIds[i] == id) return i;
  const lower = id.toLowerCase();
  for (let i = 0; i < rpcIds.length; i++) if (rpcIds[i].toLowerCase() == lower) return i;
  return -1;
}

export function arbiter_rpc(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let ctx = new Context();
  let id = "";
  let payload = "";
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("id")) id = d.readString();
    else if (d.keyIs("context")) ctx = Context.read(d);
    else if (d.keyIs("payload")) payload = d.readString();
    else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const k = findRpc(id);
  if (k < 0) return errorReply(Status.NOT_FOUND, "RPC function not found: " + id, Code.NOT_FOUND);
  const fn = rpcFns[k];
  const res = fn(ctx, payload);
  if (failed()) return failedReply();
  okValue().string(res);
  return done();
}

export function arbiter_matchmaker_matched(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let ctx = new Context();
  let entries = new Array<MatchmakerEntry>(0);
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("context")) ctx = Context.read(d);
    else if (d.keyIs("entries")) {
      const c = d.readList();
      for (let j = 0; j < c; j++) entries.push(MatchmakerEntry.read(d));
      if (c >= 0) d.leave();
    } else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const fn = matchmakerFn;
  if (fn == null) return errorReply(Status.NOT_FOUND, "no matchmaker hook", Code.NOT_FOUND);
  const id = fn(ctx, entries);
  if (failed()) return failedReply();
  if (id == null || id.length == 0) {
    okValue().nil();
  } else {
    okValue().string(id);
  }
  return done();
}

export function arbiter_shutdown(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let ctx = new Context();
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("context")) ctx = Context.read(d);
    else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const fn = shutdownFn;
  if (fn != null) {
    fn(ctx);
    if (failed()) return failedReply();
  }
  return ok();
}

// ------------------------------------------------------------ matches

// The match of this instance and the match context last received.
let current: MatchHandler | null = null;
let matchCtx = new Context();

function noMatch(): u64 {
  return errorReply(Status.ERROR, "arbiter: no match in this instance", Code.INTERNAL);
}

// The common tail of match callbacks: ERROR, NIL_STATE or OK (nil).
function matchDone(h: MatchHandler): u64 {
  if (failed()) return failedReply();
  if (h.ended) return nilState();
  return ok();
}

export function arbiter_match_create(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let name = "";
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("name")) name = d.readString();
    else if (d.keyIs("context")) matchCtx = Context.read(d);
    else d.skip(); // match_id: also in the context
  }
  if (!end(d, n, len)) return malformed(d);
  for (let i = 0; i < matchNames.length; i++) {
    if (matchNames[i] == name) {
      const factory = matchFactories[i];
      current = factory();
      if (failed()) return failedReply();
      return ok();
    }
  }
  return errorReply(Status.NOT_FOUND, "match handler not found: " + name, Code.NOT_FOUND);
}

export function arbiter_match_init(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let params = Value.nil();
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("params")) params = d.value();
    else if (d.keyIs("context")) matchCtx = Context.read(d);
    else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  const setup: MatchSetup = h.init(matchCtx, params);
  if (failed()) return failedReply();
  if (h.ended) return nilState();
  const e = okValue();
  e.map(2);
  e.key("tick_rate").int(setup.tickRate);
  e.key("label").string(setup.label);
  return done();
}

export function arbiter_match_join_attempt(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  const n = begin(d, len);
  let tick: i64 = 0;
  let presence = new Presence();
  let metadata = new Map<string, string>();
  let userCtx: Context | null = null;
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("presence")) presence = Presence.read(d);
    else if (d.keyIs("metadata")) metadata = readStringMap(d);
    else if (d.keyIs("tick")) tick = d.readInt();
    else if (d.keyIs("context")) userCtx = Context.read(d); // the user's: not kept
    else d.skip();
  }
  if (!end(d, n, len)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  const r: JoinResult = h.joinAttempt(userCtx != null ? userCtx : matchCtx, dispatcher, tick, presence, metadata);
  if (failed()) return failedReply();
  if (h.ended) return nilState();
  const e = okValue();
  const reason = r.reason;
  e.map(reason != null ? 2 : 1);
  e.key("accept").bool(r.accept);
  if (reason != null) e.key("reason").string(reason);
  return done();
}

// The one field besides tick and context that a match callback reads.
const enum Field { NONE, PRESENCES, MESSAGES, GRACE, DATA, BYTES }

// The input of the match callback being called, set by readMatchInput.
let inTick: i64 = 0;
let inPresences = new Array<Presence>(0);
let inMessages = new Array<Message>(0);
let inGrace: i64 = 0;
let inData = "";
let inBytes = new Uint8Array(0);

// Reads the input map of a match callback: tick, context (kept in
// matchCtx) and the field f; false (with d.error) when it was malformed.
function readMatchInput(d: Decoder, len: u32, f: Field): bool {
  const n = begin(d, len);
  inTick = 0;
  if (f == Field.PRESENCES) inPresences = [];
  else if (f == Field.MESSAGES) inMessages = [];
  else if (f == Field.GRACE) inGrace = 0;
  else if (f == Field.DATA) inData = "";
  else if (f == Field.BYTES) inBytes = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    d.key();
    if (d.keyIs("tick")) inTick = d.readInt();
    else if (d.keyIs("context")) matchCtx = Context.read(d);
    else if (f == Field.MESSAGES && d.keyIs("messages")) inMessages = Message.readList(d);
    else if (f == Field.PRESENCES && d.keyIs("presences")) inPresences = Presence.readList(d);
    else if (f == Field.GRACE && d.keyIs("grace_seconds")) inGrace = d.readInt();
    else if (f == Field.DATA && d.keyIs("data")) inData = d.readString();
    else if (f == Field.BYTES && d.keyIs("data")) inBytes = d.readBytes(); // bytes, or a string
    else d.skip(); // restore's name: the handler arbiter_match_create made
  }
  return end(d, n, len);
}

export function arbiter_match_join(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.PRESENCES)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  h.join(matchCtx, dispatcher, inTick, inPresences);
  return matchDone(h);
}

export function arbiter_match_leave(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.PRESENCES)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  h.leave(matchCtx, dispatcher, inTick, inPresences);
  return matchDone(h);
}

export function arbiter_match_loop(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.MESSAGES)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  h.loop(matchCtx, dispatcher, inTick, inMessages);
  return matchDone(h);
}

export function arbiter_match_terminate(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.GRACE)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  h.terminate(matchCtx, dispatcher, inTick, <i32>inGrace);
  return matchDone(h);
}

export function arbiter_match_signal(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.DATA)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  const reply = h.signal(matchCtx, dispatcher, inTick, inData);
  if (failed()) return failedReply();
  if (h.ended) return nilState();
  const e = okValue();
  e.map(1);
  e.key("data").stringOrNil(reply);
  return done();
}

// ------------------------------------------------------------ hot reload (ABI.md §5.6)

// The old version hands the match's state over as bytes; the handler goes
// on whatever the outcome.
export function arbiter_match_snapshot(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.NONE)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  const data = h.snapshot(matchCtx, inTick);
  if (failed()) return failedReply();
  if (h.ended) return nilState();
  okValue().bytes(data);
  return done();
}

// The new version rebuilds the state, after arbiter_match_create and
// instead of arbiter_match_init.
export function arbiter_match_restore(ptr: usize, len: u32): u64 {
  const d = new Decoder(ptr, len);
  if (!readMatchInput(d, len, Field.BYTES)) return malformed(d);
  const h = current;
  if (h == null) return noMatch();
  const data = inBytes;
  inBytes = new Uint8Array(0); // not kept past the call
  h.restore(matchCtx, inTick, data);
  return matchDone(h);
}
