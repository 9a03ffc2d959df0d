// What a module serves, registered from its top-level code (which runs in
// every instance, before arbiter_init), and the error a callback reports.

import { Code, Status } from "./abi";
import { HostError } from "./nk";
import { MatchHandler } from "./match";
import { Context, MatchmakerEntry } from "./types";

/** Serves an RPC: returns the response payload, or `return fail(...)`. */
export type RpcFn = (ctx: Context, payload: string) => string;
/** Returns a new handler for each match. */
export type MatchFactory = () => MatchHandler;
/**
 * The matchmaker hook: the id of a match for the players, or null (or "")
 * to let them meet in a relayed match.
 */
export type MatchmakerFn = (ctx: Context, entries: MatchmakerEntry[]) => string | null;
/** A shutdown hook, or the load hook. */
export type ContextFn = (ctx: Context) => void;

/** @internal */
export const rpcIds = new Array<string>(0);
/** @internal */
export const rpcFns = new Array<RpcFn>(0);
/** @internal */
export const matchNames = new Array<string>(0);
/** @internal */
export const matchFactories = new Array<MatchFactory>(0);
/** @internal */
export let matchmakerFn: MatchmakerFn | null = null;
/** @internal */
export let shutdownFn: ContextFn | null = null;
/** @internal */
export let loadFn: ContextFn | null = null;

/** Serves RPC id (case-insensitive) with fn; a later registration replaces it. */
export function registerRpc(id: string, fn: RpcFn): void {
  for (let i = 0; i < rpcIds.length; i++) {
    if (rpcIds[i].toLowerCase() == id.toLowerCase()) {
      rpcIds[i] = id;
      rpcFns[i] = fn;
      return;
    }
  }
  rpcIds.push(id);
  rpcFns.push(fn);
}

/** Serves match handler name: each match gets a handler from factory. */
export function registerMatch(name: string, factory: MatchFactory): void {
  for (let i = 0; i < matchNames.length; i++) {
    if (matchNames[i] == name) {
      matchFactories[i] = factory;
      return;
    }
  }
  matchNames.push(name);
  matchFactories.push(factory);
}

/**
 * What a match handler's running matches do when the server loads a new
 * version of the module (ABI.md §5.6).
 */
export enum ReloadPolicy {
  /** Running matches finish on the version they started with (the default). */
  KEEP = 0,
  /**
   * Running matches move to the new version at their next tick: the old
   * version's MatchHandler.snapshot hands the state to the new version's
   * MatchHandler.restore (both versions must implement them; if either
   * fails, the match keeps its old version).
   */
  MIGRATE = 1,
}

/** @internal */
export const policyNames = new Array<string>(0);
/** @internal */
export const policyValues = new Array<ReloadPolicy>(0);

/**
 * Sets what the running matches of match handler name do when the server
 * loads a new version of the module: ReloadPolicy.KEEP (the default) or
 * ReloadPolicy.MIGRATE. The policy of the new version decides. name must
 * be a handler this module registers, or the server refuses the module.
 */
export function setReloadPolicy(name: string, policy: ReloadPolicy): void {
  for (let i = 0; i < policyNames.length; i++) {
    if (policyNames[i] == name) {
      policyValues[i] = policy;
      return;
    }
  }
  policyNames.push(name);
  policyValues.push(policy);
}

/** @internal the ABI name of a policy */
export function policyName(p: ReloadPolicy): string {
  return p == ReloadPolicy.MIGRATE ? "migrate" : "keep";
}

/** Sets the matchmaker hook. */
export function registerMatchmakerMatched(fn: MatchmakerFn): void {
  matchmakerFn = fn;
}

/** Sets the shutdown hook. */
export function registerShutdown(fn: ContextFn): void {
  shutdownFn = fn;
}

/**
 * Sets a function run once when the server loads the module (in the load
 * instance only, not in each match or pooled instance): one-time setup that
 * may call nk functions. `fail(...)` in it fails the load.
 */
export function onLoad(fn: ContextFn): void {
  loadFn = fn;
}

/** @internal the error fail() recorded during the current export call */
export let pendingError: HostError | null = null;

/** @internal */
export function clearPendingError(): void {
  pendingError = null;
}

/**
 * Fails the current callback with message and a gRPC code (Code.*): an RPC
 * client sees them, a hook's or init's caller gets the error, and a match
 * ends with it. Returns "" so an RPC can `return fail("...")`.
 */
export function fail(message: string, code: i32 = Code.INTERNAL): string {
  pendingError = new HostError(Status.ERROR, message, code);
  return "";
}

let _moduleName = "";

/** The module's name as the host knows it ("games.chess"), set by arbiter_init. */
export function moduleName(): string {
  return _moduleName;
}

/** @internal */
export function setModuleName(name: string): void {
  _moduleName = name;
}
