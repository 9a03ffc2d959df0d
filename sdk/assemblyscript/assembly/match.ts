// Authoritative matches: the handler a game implements and the dispatcher
// it acts on the match with.
//
// Each match has its own WebAssembly instance, so the state of a match is
// simply the fields of its MatchHandler object: nothing is serialised.

import {
  FLAG_DEFERRED, FLAG_RELIABLE, host_match_broadcast, host_match_kick, host_match_label_update,
} from "./abi";
import { Encoder, Value } from "./codec";
import { JsonWriter } from "./json";
import { takeReply } from "./nk";
import { fail } from "./register";
import { Context, Message, Presence } from "./types";

/** What match init returns besides the state it keeps. */
export class MatchSetup {
  /**
   * @param tickRate ticks per second, 1 to 60
   * @param label the match label, at most 2048 bytes
   */
  constructor(public tickRate: i32, public label: string = "") {}
}

/** The answer to a join attempt. */
export class JoinResult {
  constructor(public accept: bool, public reason: string | null = null) {}

  static accept(): JoinResult {
    return new JoinResult(true);
  }
  /** A rejection; reason is shown to the client. */
  static reject(reason: string): JoinResult {
    return new JoinResult(false, reason);
  }
}

/**
 * The logic of an authoritative match. Subclass it, keep the match state in
 * fields, and override the callbacks (the defaults accept every player and
 * do nothing; terminate lets the match run until the grace period ends).
 * Register a factory with registerMatch.
 *
 * A callback ends the match by calling this.end() before returning (as
 * returning a nil state does in Nakama's runtimes); it fails the match with
 * an error by calling fail(message) (see exports.ts). Init must return a
 * MatchSetup; calling end() in init refuses to create the match.
 *
 * To move running matches to a new version of the module on hot reload,
 * override snapshot and restore and set the handler's policy with
 * setReloadPolicy(name, ReloadPolicy.MIGRATE).
 */
export abstract class MatchHandler {
  /** @internal set by end() */
  _ended: bool = false;

  /** Ends the match once the current callback returns. */
  end(): void {
    this._ended = true;
  }

  /** Whether end() was called. */
  get ended(): bool {
    return this._ended;
  }

  /** Creates the match: its tick rate and label. params is a map, or nil. */
  abstract init(ctx: Context, params: Value): MatchSetup;

  /**
   * Decides whether a player may join. ctx is the joining user's context
   * (with the match keys).
   */
  joinAttempt(ctx: Context, d: Dispatcher, tick: i64, presence: Presence, metadata: Map<string, string>): JoinResult {
    return JoinResult.accept();
  }
  join(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {}
  leave(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {}
  loop(ctx: Context, d: Dispatcher, tick: i64, messages: Message[]): void {}
  /**
   * The server is shutting down: the match has graceSeconds left. As in
   * Nakama, a match that does not call end() goes on (loop is still
   * called) until the grace period ends; end() ends it now. By default,
   * the match goes on.
   */
  terminate(ctx: Context, d: Dispatcher, tick: i64, graceSeconds: i32): void {}
  /** Answers match_signal; null answers "". */
  signal(ctx: Context, d: Dispatcher, tick: i64, data: string): string | null {
    return null;
  }

  /**
   * Hands the state to a new version of the module (hot reload with
   * ReloadPolicy.MIGRATE, ABI.md §5.6): returns the state as bytes, in any
   * format the module chooses (encode(Value), JSON, ...), which the new
   * version's restore reads. It must not change the state (nor call
   * end()): if the new version cannot restore it, the match goes on with
   * this one. fail(message) refuses the move: the match keeps its code and
   * the server logs a warning.
   *
   * By default, refuses: a match that does not override it keeps its code
   * whatever its policy.
   */
  snapshot(ctx: Context, tick: i64): Uint8Array {
    fail("arbiter: the match handler does not implement snapshot");
    return new Uint8Array(0);
  }

  /**
   * Rebuilds the state of a running match, in the new version of the
   * module, from the bytes an earlier version's snapshot returned. The
   * handler comes from the factory as for a new match, and restore is
   * called **instead of** init: the match keeps its id, tick, tick rate,
   * label and presences (join is not called again; ctx carries the
   * current label and tick rate). fail(message) or end() refuses the data:
   * the match stays on the old version.
   *
   * By default, refuses.
   */
  restore(ctx: Context, tick: i64, data: Uint8Array): void {
    fail("arbiter: the match handler does not implement restore");
  }
}

const dataEnc = new Encoder(256);
const toEnc = new Encoder(128);
const senderEnc = new Encoder(128);
const kickEnc = new Encoder(128);

/**
 * Acts on the match during a match callback (only then: elsewhere the host
 * answers NOT_ALLOWED). Each method returns false when the host refused
 * (see lastError()).
 */
export class Dispatcher {
  /**
   * Sends data (a string, Uint8Array, ArrayBuffer or JsonWriter) with
   * opCode to presences (null: every presence; an empty array: nobody),
   * shown as sent by sender (null: the server).
   */
  broadcast<T>(opCode: i64, data: T, presences: Presence[] | null = null, sender: Presence | null = null, reliable: bool = true): bool {
    return this.send<T>(opCode, data, presences, sender, reliable ? FLAG_RELIABLE : 0);
  }

  /** Like broadcast, sent after the current callback returns successfully. */
  broadcastDeferred<T>(opCode: i64, data: T, presences: Presence[] | null = null, sender: Presence | null = null, reliable: bool = true): bool {
    return this.send<T>(opCode, data, presences, sender, (reliable ? FLAG_RELIABLE : 0) | FLAG_DEFERRED);
  }

  /** Removes presences from the match; leave follows in a later call. */
  kick(presences: Presence[]): bool {
    if (presences.length == 0) return true;
    kickEnc.reset().list(presences.length);
    for (let i = 0; i < presences.length; i++) presences[i].write(kickEnc);
    return takeReply(host_match_kick(kickEnc.dataStart, <u32>kickEnc.length)) >= 0;
  }

  /** Sets the match label (at most 2048 bytes). */
  labelUpdate(label: string): bool {
    toEnc.reset().utf8(label);
    return takeReply(host_match_label_update(toEnc.dataStart, <u32>toEnc.length)) >= 0;
  }

  private send<T>(opCode: i64, data: T, presences: Presence[] | null, sender: Presence | null, flags: u32): bool {
    let ptr: usize = 0;
    let len: u32 = 0;
    if (isString<T>()) {
      dataEnc.reset().utf8(changetype<string>(data));
      ptr = dataEnc.dataStart;
      len = <u32>dataEnc.length;
    } else if (data instanceof Uint8Array) {
      ptr = data.dataStart;
      len = <u32>data.length;
    } else if (data instanceof ArrayBuffer) {
      ptr = changetype<usize>(data);
      len = <u32>data.byteLength;
    } else if (data instanceof JsonWriter) {
      ptr = data.dataStart;
      len = <u32>data.length;
    } else {
      ERROR("Dispatcher.broadcast: data must be a string, Uint8Array, ArrayBuffer or JsonWriter");
    }
    let toLen: u32 = 0;
    if (presences != null) {
      toEnc.reset().list(presences.length);
      for (let i = 0; i < presences.length; i++) presences[i].write(toEnc);
      toLen = <u32>toEnc.length;
    }
    let senderLen: u32 = 0;
    if (sender != null) {
      senderEnc.reset();
      sender.write(senderEnc);
      senderLen = <u32>senderEnc.length;
    }
    const word = host_match_broadcast(opCode, ptr, len, toEnc.dataStart, toLen, senderEnc.dataStart, senderLen, flags);
    return takeReply(word) >= 0;
  }
}

/** The dispatcher passed to match callbacks. */
export const dispatcher = new Dispatcher();
