// Calls to the host: nk functions by name (nk_call), typed helpers for the
// common ones, and the logger (log).
//
// AssemblyScript has no exceptions, so a failed host call returns null (or
// false) and leaves the host's error in lastError(): its status (Status.*),
// message and gRPC code. A call that returns Status.BUDGET means the
// callback's CPU deadline has passed: return at once.

import {
  Code, Status, host_log, host_nk_call, host_take, wordLength, wordStatus,
} from "./abi";
import { Decoder, Encoder, Value } from "./codec";

/** An error a host call returned. */
export class HostError {
  constructor(public status: i32, public message: string, public code: i32) {}
}

let _lastError: HostError | null = null;

/** The error of the last host call that failed, or null if it succeeded. */
export function lastError(): HostError | null {
  return _lastError;
}

// The pending reply of the last import, fetched with take.
let takeBuf = new ArrayBuffer(1024);
// Encoders reused by host calls (never by exports' replies).
const argsEnc = new Encoder(256);
const nameEnc = new Encoder(64);

/**
 * Handles a result word: fetches its pending reply into the take buffer
 * and returns its length, or -1 when the call failed (lastError set).
 */
export function takeReply(word: u64): i32 {
  const status = wordStatus(word);
  const n = wordLength(word);
  if (n > 0) {
    if (<u32>takeBuf.byteLength < n) takeBuf = new ArrayBuffer(<i32>n);
    const st = host_take(changetype<usize>(takeBuf), n);
    if (st != Status.OK) {
      _lastError = new HostError(<i32>st, "arbiter: take failed with status " + st.toString(), Code.INTERNAL);
      return -1;
    }
  }
  if (status == Status.OK) {
    _lastError = null;
    return <i32>n;
  }
  _lastError = errorOf(status, n);
  return -1;
}

/** A decoder over the reply takeReply fetched. */
export function replyDecoder(n: i32): Decoder {
  return new Decoder(changetype<usize>(takeBuf), <u32>n);
}

function errorOf(status: i32, n: u32): HostError {
  let msg = "";
  let code = 0;
  if (n > 0) {
    const v = replyDecoder(<i32>n).message();
    msg = v.get("message").asString();
    code = <i32>v.get("code").asInt();
  }
  if (msg.length == 0) {
    switch (status) {
      case Status.BUDGET:
        msg = "arbiter: call budget exceeded";
        break;
      case Status.BAD_POINTER:
        msg = "arbiter: bad pointer passed to the host";
        break;
      case Status.NOT_ALLOWED:
        msg = "arbiter: not allowed in this call";
        break;
      default:
        msg = "arbiter: host status " + status.toString();
    }
  }
  if (code == 0) code = status == Status.BUDGET ? Code.DEADLINE_EXCEEDED : Code.INTERNAL;
  return new HostError(status, msg, code);
}

/** Records a failure of a call that returns a bare status. */
export function statusOk(status: u32): bool {
  if (status == Status.OK) {
    _lastError = null;
    return true;
  }
  _lastError = errorOf(<i32>status, 0);
  return false;
}

export namespace nk {
  /**
   * Calls the nk function name (ABI.md §9) with positional args and
   * returns its results, or null when it failed (see lastError()).
   */
  export function call(name: string, args: Value[] | null = null): Value[] | null {
    argsEnc.reset();
    if (args != null && args.length > 0) {
      argsEnc.list(args.length);
      for (let i = 0; i < args.length; i++) argsEnc.value(unchecked(args[i]));
    }
    return callEncoded(name, argsEnc);
  }

  /**
   * Calls name with arguments already encoded as one list in args (empty
   * for none). Returns the results, or null (see lastError()).
   */
  export function callEncoded(name: string, args: Encoder): Value[] | null {
    // The name goes as raw UTF-8 bytes, without tag or length.
    nameEnc.reset().utf8(name);
    const word = host_nk_call(nameEnc.dataStart, <u32>nameEnc.length, args.dataStart, <u32>args.length);
    const n = takeReply(word);
    if (n < 0) return null;
    if (n == 0) return [];
    const d = replyDecoder(n);
    const v = d.message();
    if (!d.ok) {
      _lastError = new HostError(Status.MALFORMED, "arbiter: bad reply of " + name + ": " + d.error!, Code.INTERNAL);
      return null;
    }
    return v.asList();
  }

  /** The first result of a call, nil when there is none; null on failure. */
  export function call1(name: string, args: Value[] | null = null): Value | null {
    const r = call(name, args);
    if (r == null) return null;
    return r.length > 0 ? r[0] : Value.nil();
  }

  /** Creates an authoritative match of the match handler module; its id or null. */
  export function matchCreate(module: string, params: Value | null = null): string | null {
    const r = call1("match_create", [Value.str(module), params == null ? Value.nil() : params]);
    return r == null ? null : r.asString();
  }

  /** Signals a match and returns its answer, or null. */
  export function matchSignal(id: string, data: string): string | null {
    const r = call1("match_signal", [Value.str(id), Value.str(data)]);
    return r == null ? null : r.asString();
  }

  /** Reads storage objects by id (any permissions); null on failure. */
  export function storageRead(ids: StorageObjectId[]): StorageObject[] | null {
    const l = new Array<Value>(ids.length);
    for (let i = 0; i < ids.length; i++) l[i] = ids[i].toValue();
    const r = call1("storage_read", [Value.list(l)]);
    if (r == null) return null;
    const objs = r.asList();
    const out = new Array<StorageObject>(objs.length);
    for (let i = 0; i < objs.length; i++) out[i] = StorageObject.fromValue(objs[i]);
    return out;
  }

  /** Writes storage objects, all or none; their acks or null. */
  export function storageWrite(objects: StorageWrite[]): StorageAck[] | null {
    const l = new Array<Value>(objects.length);
    for (let i = 0; i < objects.length; i++) l[i] = objects[i].toValue();
    const r = call1("storage_write", [Value.list(l)]);
    if (r == null) return null;
    const acks = r.asList();
    const out = new Array<StorageAck>(acks.length);
    for (let i = 0; i < acks.length; i++) out[i] = StorageAck.fromValue(acks[i]);
    return out;
  }

  /** The current time in UTC unix milliseconds, or -1 on failure. */
  export function time(): i64 {
    const r = call1("time");
    return r == null ? -1 : r.asInt();
  }

  /** A new random UUID, or null on failure. */
  export function uuidV4(): string | null {
    const r = call1("uuid_v4");
    return r == null ? null : r.asString();
  }
}

/** Names a storage object; userId "" is the server's. */
export class StorageObjectId {
  constructor(public collection: string, public key: string, public userId: string = "") {}

  toValue(): Value {
    const m = Value.map().set("collection", Value.str(this.collection)).set("key", Value.str(this.key));
    if (this.userId.length > 0) m.set("user_id", Value.str(this.userId));
    return m;
  }
}

/** A stored object. */
export class StorageObject {
  collection: string = "";
  key: string = "";
  userId: string = "";
  version: string = "";
  /** The object's value, a map. */
  value: Value = Value.map();
  permissionRead: i32 = 0;
  permissionWrite: i32 = 0;
  createTime: i64 = 0;
  updateTime: i64 = 0;

  static fromValue(v: Value): StorageObject {
    const o = new StorageObject();
    o.collection = v.get("collection").asString();
    o.key = v.get("key").asString();
    o.userId = v.get("user_id").asString();
    o.version = v.get("version").asString();
    o.value = v.get("value");
    o.permissionRead = <i32>v.get("permission_read").asInt();
    o.permissionWrite = <i32>v.get("permission_write").asInt();
    o.createTime = v.get("create_time").asInt();
    o.updateTime = v.get("update_time").asInt();
    return o;
  }
}

/**
 * An object to write. version "" writes whatever is stored, "*" only a new
 * object; permissions -1 take the server's defaults (1 and 1).
 */
export class StorageWrite {
  constructor(
    public collection: string,
    public key: string,
    public value: Value,
    public userId: string = "",
    public version: string = "",
    public permissionRead: i32 = -1,
    public permissionWrite: i32 = -1,
  ) {}

  toValue(): Value {
    const m = Value.map()
      .set("collection", Value.str(this.collection))
      .set("key", Value.str(this.key))
      .set("value", this.value);
    if (this.userId.length > 0) m.set("user_id", Value.str(this.userId));
    if (this.version.length > 0) m.set("version", Value.str(this.version));
    if (this.permissionRead >= 0) m.set("permission_read", Value.int(this.permissionRead));
    if (this.permissionWrite >= 0) m.set("permission_write", Value.int(this.permissionWrite));
    return m;
  }
}

/** The new version of a written object. */
export class StorageAck {
  collection: string = "";
  key: string = "";
  userId: string = "";
  version: string = "";

  static fromValue(v: Value): StorageAck {
    const a = new StorageAck();
    a.collection = v.get("collection").asString();
    a.key = v.get("key").asString();
    a.userId = v.get("user_id").asString();
    a.version = v.get("version").asString();
    return a;
  }
}

const logMsg = new Encoder(128);
const logFields = new Encoder(64);

/** Log levels of the log import. */
export namespace Level {
  export const DEBUG: i32 = 0;
  export const INFO: i32 = 1;
  export const WARN: i32 = 2;
  export const ERROR: i32 = 3;
}

/** Writes to the server log, tagged with the module (and the match). */
export namespace logger {
  /** Logs msg at level with fields, a map of extra attributes (or null). */
  export function log(level: i32, msg: string, fields: Value | null = null): void {
    logMsg.reset().utf8(msg);
    logFields.reset();
    if (fields != null && fields.isMap() && fields.length > 0) logFields.value(fields);
    statusOk(host_log(level, logMsg.dataStart, <u32>logMsg.length, logFields.dataStart, <u32>logFields.length));
  }
  export function debug(msg: string, fields: Value | null = null): void {
    log(Level.DEBUG, msg, fields);
  }
  export function info(msg: string, fields: Value | null = null): void {
    log(Level.INFO, msg, fields);
  }
  export function warn(msg: string, fields: Value | null = null): void {
    log(Level.WARN, msg, fields);
  }
  export function error(msg: string, fields: Value | null = null): void {
    log(Level.ERROR, msg, fields);
  }
}
