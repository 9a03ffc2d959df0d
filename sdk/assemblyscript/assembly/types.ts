// The structured values callbacks receive (ABI.md §5): contexts,
// presences, match messages, matchmaker entries. Each is read straight from
// the encoded input with the Decoder's pull methods, and unknown keys are
// skipped (ABI.md §10: guests must ignore keys they do not know).

import { Decoder, Encoder, Tag, Value } from "./codec";

/** A player in a match. */
export class Presence {
  userId: string = "";
  sessionId: string = "";
  username: string = "";
  node: string = "";
  /** Why the presence joined or left: 0 unknown, 1 join, 2 update, 3 leave, 4 disconnect. */
  reason: i32 = 0;

  constructor(userId: string = "", sessionId: string = "", username: string = "", node: string = "") {
    this.userId = userId;
    this.sessionId = sessionId;
    this.username = username;
    this.node = node;
  }

  /** Reads a presence map; fields missing or of another type stay empty. */
  static read(d: Decoder): Presence {
    const p = new Presence();
    const n = d.readMap();
    for (let i = 0; i < n; i++) {
      d.key();
      if (d.keyIs("user_id")) p.userId = d.readString();
      else if (d.keyIs("session_id")) p.sessionId = d.readString();
      else if (d.keyIs("username")) p.username = d.readString();
      else if (d.keyIs("node")) p.node = d.readString();
      else if (d.keyIs("reason")) p.reason = <i32>d.readInt();
      else d.skip();
    }
    if (n >= 0) d.leave();
    return p;
  }

  /** Reads a list of presences. */
  static readList(d: Decoder): Presence[] {
    const n = d.readList();
    const out = new Array<Presence>(0);
    for (let i = 0; i < n; i++) out.push(Presence.read(d));
    if (n >= 0) d.leave();
    return out;
  }

  /** A presence from a Value map. */
  static fromValue(v: Value): Presence {
    const p = new Presence(v.get("user_id").asString(), v.get("session_id").asString(),
      v.get("username").asString(), v.get("node").asString());
    p.reason = <i32>v.get("reason").asInt();
    return p;
  }

  /** Writes the presence map the host expects (no reason). */
  write(e: Encoder): void {
    e.map(4);
    e.key("user_id").string(this.userId);
    e.key("session_id").string(this.sessionId);
    e.key("username").string(this.username);
    e.key("node").string(this.node);
  }

  toValue(): Value {
    return Value.map()
      .set("user_id", Value.str(this.userId))
      .set("session_id", Value.str(this.sessionId))
      .set("username", Value.str(this.username))
      .set("node", Value.str(this.node));
  }
}

/** The context of a callback, with Nakama's keys (ABI.md §5.2). */
export class Context {
  env: Map<string, string> = new Map<string, string>();
  executionMode: string = "";
  node: string = "";
  version: string = "";
  headers: Map<string, string[]> = new Map<string, string[]>();
  queryParams: Map<string, string[]> = new Map<string, string[]>();
  userId: string = "";
  username: string = "";
  vars: Map<string, string> = new Map<string, string>();
  /** Unix seconds. */
  userSessionExp: i64 = 0;
  sessionId: string = "";
  lang: string = "";
  clientIp: string = "";
  clientPort: string = "";
  matchId: string = "";
  matchNode: string = "";
  matchLabel: string = "";
  matchTickRate: i32 = 0;
  traceId: string = "";

  /** Reads a context map. */
  static read(d: Decoder): Context {
    const c = new Context();
    const n = d.readMap();
    for (let i = 0; i < n; i++) {
      d.key();
      if (d.keyIs("env")) c.env = readStringMap(d);
      else if (d.keyIs("execution_mode")) c.executionMode = d.readString();
      else if (d.keyIs("node")) c.node = d.readString();
      else if (d.keyIs("version")) c.version = d.readString();
      else if (d.keyIs("headers")) c.headers = readListMap(d);
      else if (d.keyIs("query_params")) c.queryParams = readListMap(d);
      else if (d.keyIs("user_id")) c.userId = d.readString();
      else if (d.keyIs("username")) c.username = d.readString();
      else if (d.keyIs("vars")) c.vars = readStringMap(d);
      else if (d.keyIs("user_session_exp")) c.userSessionExp = d.readInt();
      else if (d.keyIs("session_id")) c.sessionId = d.readString();
      else if (d.keyIs("lang")) c.lang = d.readString();
      else if (d.keyIs("client_ip")) c.clientIp = d.readString();
      else if (d.keyIs("client_port")) c.clientPort = d.readString();
      else if (d.keyIs("match_id")) c.matchId = d.readString();
      else if (d.keyIs("match_node")) c.matchNode = d.readString();
      else if (d.keyIs("match_label")) c.matchLabel = d.readString();
      else if (d.keyIs("match_tick_rate")) c.matchTickRate = <i32>d.readInt();
      else if (d.keyIs("trace_id")) c.traceId = d.readString();
      else d.skip();
    }
    if (n >= 0) d.leave();
    return c;
  }
}

/** Reads a map of strings (other values are skipped). */
export function readStringMap(d: Decoder): Map<string, string> {
  const m = new Map<string, string>();
  const n = d.readMap();
  for (let i = 0; i < n; i++) {
    d.key();
    const k = d.keyString();
    const t = d.peek();
    if (t == Tag.STRING || t == Tag.BYTES) m.set(k, d.readString());
    else d.skip();
  }
  if (n >= 0) d.leave();
  return m;
}

/** Reads a map of lists of strings. */
export function readListMap(d: Decoder): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const n = d.readMap();
  for (let i = 0; i < n; i++) {
    d.key();
    const k = d.keyString();
    const c = d.readList();
    const l = new Array<string>(0);
    for (let j = 0; j < c; j++) l.push(d.readString());
    if (c >= 0) d.leave();
    m.set(k, l);
  }
  if (n >= 0) d.leave();
  return m;
}

const NO_ONE = new Presence();
const NO_DATA = new Uint8Array(0);

/** A message a client sent to the match, for match_loop. */
export class Message {
  constructor(
    public sender: Presence = NO_ONE,
    public opCode: i64 = 0,
    public data: Uint8Array = NO_DATA,
    public reliable: bool = false,
    public receiveTimeMs: i64 = 0,
  ) {}

  /** The data as UTF-8 text. */
  dataString(): string {
    return String.UTF8.decodeUnsafe(this.data.dataStart, <usize>this.data.length);
  }

  static read(d: Decoder): Message {
    let sender = NO_ONE;
    let opCode: i64 = 0;
    let data = NO_DATA;
    let reliable = false;
    let receiveTimeMs: i64 = 0;
    const n = d.readMap();
    for (let i = 0; i < n; i++) {
      d.key();
      if (d.keyIs("sender")) sender = Presence.read(d);
      else if (d.keyIs("op_code")) opCode = d.readInt();
      else if (d.keyIs("data")) data = d.readBytes();
      else if (d.keyIs("reliable")) reliable = d.readBool();
      else if (d.keyIs("receive_time_ms")) receiveTimeMs = d.readInt();
      else d.skip();
    }
    if (n >= 0) d.leave();
    return new Message(sender, opCode, data, reliable, receiveTimeMs);
  }

  static readList(d: Decoder): Message[] {
    const n = d.readList();
    const out = new Array<Message>(0);
    for (let i = 0; i < n; i++) out.push(Message.read(d));
    if (n >= 0) d.leave();
    return out;
  }
}

/** One matched player, for the matchmaker hook. */
export class MatchmakerEntry {
  presence: Presence = new Presence();
  /** A map of the ticket's properties. */
  properties: Value = Value.map();
  partyId: string = "";

  static read(d: Decoder): MatchmakerEntry {
    const e = new MatchmakerEntry();
    const n = d.readMap();
    for (let i = 0; i < n; i++) {
      d.key();
      if (d.keyIs("presence")) e.presence = Presence.read(d);
      else if (d.keyIs("properties")) e.properties = d.value();
      else if (d.keyIs("party_id")) e.partyId = d.readString();
      else d.skip();
    }
    if (n >= 0) d.leave();
    return e;
  }
}
