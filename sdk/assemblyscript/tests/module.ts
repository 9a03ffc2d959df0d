// A module registering one of everything, driven through its exports by
// exports.test.mjs with a host written in JavaScript.

import {
  Code, Context, decode, Dispatcher, encode, fail, JoinResult, JsonWriter, lastError, logger, MatchHandler,
  MatchmakerEntry, MatchSetup, Message, moduleName, nk, onLoad, Presence, registerMatch,
  registerMatchmakerMatched, registerRpc, registerShutdown, ReloadPolicy, setReloadPolicy, Value,
} from "../index";

export * from "../exports";

onLoad((ctx: Context): void => {
  if (ctx.env.has("FAIL_LOAD")) {
    fail("load refused", Code.FAILED_PRECONDITION);
    return;
  }
  const r = nk.call("probe", [Value.str("x"), Value.int(-5), Value.list([Value.bool(true)])]);
  if (r == null) {
    fail("probe failed: " + lastError()!.message);
    return;
  }
  logger.info("loaded", Value.map().set("probe", r[0]).set("module", Value.str(moduleName())));
});

registerRpc("ok", (ctx: Context, payload: string): string => payload + ":" + ctx.userId + ":" + moduleName());
registerRpc("bad", (ctx: Context, payload: string): string => fail("bad: " + payload, Code.PERMISSION_DENIED));
registerRpc("Mixed", (ctx: Context, payload: string): string => "mixed");
registerRpc("nk_error", (ctx: Context, payload: string): string => {
  if (nk.call("missing") != null) return "unexpected";
  const e = lastError()!;
  return e.status.toString() + " " + e.code.toString() + " " + e.message;
});

registerMatchmakerMatched((ctx: Context, entries: MatchmakerEntry[]): string | null => {
  if (entries.length < 2) return null;
  return "match-" + entries.length.toString() + "-" + entries[1].presence.userId + "-" + entries[0].properties.get("mode").asString() + "-" + entries[0].partyId;
});

registerShutdown((ctx: Context): void => {
  logger.warn("shutdown " + ctx.executionMode);
});

class Probe extends MatchHandler {
  init(ctx: Context, params: Value): MatchSetup {
    if (params.get("refuse").asBool()) this.end();
    return new MatchSetup(7, "lbl:" + ctx.matchId);
  }
  joinAttempt(ctx: Context, d: Dispatcher, tick: i64, p: Presence, metadata: Map<string, string>): JoinResult {
    if (metadata.has("deny")) return JoinResult.reject("denied " + ctx.userId + " at " + tick.toString());
    return JoinResult.accept();
  }
  join(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    d.broadcast(10, "joined " + presences[0].userId + " reason " + presences[0].reason.toString());
  }
  leave(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    if (presences.length == 0) this.end();
  }
  loop(ctx: Context, d: Dispatcher, tick: i64, messages: Message[]): void {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.opCode == 8) {
        this.end();
      } else if (m.opCode == 9) {
        fail("op 9 is not allowed", Code.INVALID_ARGUMENT);
      } else if (m.opCode == 2) {
        d.kick([m.sender]);
        d.broadcastDeferred(3, m.data, [], m.sender, false);
        d.labelUpdate("label " + ctx.matchLabel);
      } else {
        const w = new JsonWriter().beginObject().key("data").string(m.dataString()).key("label").string(ctx.matchLabel)
          .key("tick").int(tick).endObject();
        d.broadcast(m.opCode, w, [m.sender], m.sender, m.reliable);
      }
    }
  }
  terminate(ctx: Context, d: Dispatcher, tick: i64, graceSeconds: i32): void {
    d.broadcast(11, "bye in " + graceSeconds.toString());
    this.end();
  }
  signal(ctx: Context, d: Dispatcher, tick: i64, data: string): string | null {
    if (data == "nil") return null;
    return data.toUpperCase();
  }
}

registerMatch("probe", (): MatchHandler => new Probe());

// A match that counts messages and moves to new versions of the module
// (policy migrate), counting its moves.
class Counter extends MatchHandler {
  count: i64 = 0;
  restores: i64 = 0;

  init(ctx: Context, params: Value): MatchSetup {
    return new MatchSetup(5, "counter");
  }
  loop(ctx: Context, d: Dispatcher, tick: i64, messages: Message[]): void {
    this.count += messages.length;
  }
  signal(ctx: Context, d: Dispatcher, tick: i64, data: string): string | null {
    return "count=" + this.count.toString() + " restores=" + this.restores.toString() + " tick=" + tick.toString() +
      " label=" + ctx.matchLabel;
  }
  snapshot(ctx: Context, tick: i64): Uint8Array {
    if (tick < 0) {
      fail("not now");
      return new Uint8Array(0);
    }
    return encode(Value.map().set("count", Value.int(this.count)).set("restores", Value.int(this.restores)));
  }
  restore(ctx: Context, tick: i64, data: Uint8Array): void {
    const v = decode(data);
    if (v == null || !v.isMap()) {
      fail("bad snapshot", Code.INVALID_ARGUMENT);
      return;
    }
    if (v.has("end")) {
      this.end();
      return;
    }
    this.count = v.get("count").asInt();
    this.restores = v.get("restores").asInt() + 1;
  }
}

registerMatch("counter", (): MatchHandler => new Counter());
setReloadPolicy("counter", ReloadPolicy.KEEP);
setReloadPolicy("counter", ReloadPolicy.MIGRATE); // a later call replaces the policy

// A match with nothing but init: every other callback is the default.
class Plain extends MatchHandler {
  init(ctx: Context, params: Value): MatchSetup {
    return new MatchSetup(1);
  }
}

registerMatch("plain", (): MatchHandler => new Plain());
setReloadPolicy("plain", ReloadPolicy.KEEP);
