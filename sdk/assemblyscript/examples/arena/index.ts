// An arena that survives hot reloads, built as arena_as.wasm, serving the
// match handler "arena_as": players join (up to a capacity), every message
// is echoed to everyone, and the match ends when the last player leaves. It
// is the AssemblyScript version of the Go SDK's sdk/go/examples/match.
//
// Its reload policy is MIGRATE: when the server loads a new version of the
// module, running arenas move to it at their next tick with their players
// and message count (snapshot in the old version, restore in the new one,
// ABI.md §5.6). It does not override terminate: on shutdown the arena goes
// on until the grace period ends (the SDK's default).
//
// signal answers "messages=<count> restores=<moves> label=<label>"; the
// signal "stop" ends the match.
//
// Outside this repository, import from "@arbiterhq/arbiter-as" and
// re-export "@arbiterhq/arbiter-as/exports" instead of the relative paths.

import {
  Code, Context, decode, Dispatcher, encode, fail, JoinResult, logger, MatchHandler, MatchSetup, Message,
  Presence, registerMatch, ReloadPolicy, setReloadPolicy, Value,
} from "../../index";

export * from "../../exports";

class Arena extends MatchHandler {
  players: Presence[] = []; // in join order
  capacity: i64 = 4;
  messages: i64 = 0;
  restores: i64 = 0; // how many times the match moved to a new version

  init(ctx: Context, params: Value): MatchSetup {
    if (params.has("capacity")) this.capacity = params.get("capacity").asInt();
    return new MatchSetup(10, "arena");
  }

  joinAttempt(ctx: Context, d: Dispatcher, tick: i64, presence: Presence, metadata: Map<string, string>): JoinResult {
    if (<i64>this.players.length >= this.capacity) return JoinResult.reject("match full");
    return JoinResult.accept();
  }

  join(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    for (let i = 0; i < presences.length; i++) this.players.push(presences[i]);
    d.labelUpdate("players=" + this.players.length.toString());
  }

  leave(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    const stay: Presence[] = [];
    for (let i = 0; i < this.players.length; i++) {
      let left = false;
      for (let j = 0; j < presences.length; j++) left = left || presences[j].sessionId == this.players[i].sessionId;
      if (!left) stay.push(this.players[i]);
    }
    this.players = stay;
    if (this.players.length == 0) this.end(); // the last player left
  }

  loop(ctx: Context, d: Dispatcher, tick: i64, messages: Message[]): void {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      this.messages++;
      if (!d.broadcast(m.opCode, m.data, null, m.sender)) logger.warn("broadcast failed");
    }
  }

  signal(ctx: Context, d: Dispatcher, tick: i64, data: string): string | null {
    if (data == "stop") {
      this.end();
      return null;
    }
    return "messages=" + this.messages.toString() + " restores=" + this.restores.toString() + " label=" + ctx.matchLabel;
  }

  // The state as an ABI-encoded map: the counts, the capacity and the
  // players.
  snapshot(ctx: Context, tick: i64): Uint8Array {
    const players = Value.list();
    for (let i = 0; i < this.players.length; i++) players.push(this.players[i].toValue());
    return encode(Value.map()
      .set("capacity", Value.int(this.capacity))
      .set("messages", Value.int(this.messages))
      .set("players", players)
      .set("restores", Value.int(this.restores)));
  }

  // Rebuilds the state an earlier version's snapshot made.
  restore(ctx: Context, tick: i64, data: Uint8Array): void {
    const state = decode(data);
    if (state == null || !state.isMap()) {
      fail("arena: bad snapshot", Code.INVALID_ARGUMENT);
      return;
    }
    this.capacity = state.get("capacity").asInt(4);
    this.messages = state.get("messages").asInt();
    this.restores = state.get("restores").asInt() + 1;
    const players = state.get("players").asList();
    for (let i = 0; i < players.length; i++) this.players.push(Presence.fromValue(players[i]));
  }
}

registerMatch("arena_as", (): MatchHandler => new Arena());
setReloadPolicy("arena_as", ReloadPolicy.MIGRATE);
