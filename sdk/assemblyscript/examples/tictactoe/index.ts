// Tic-tac-toe, the game of modules/tictactoe.lua, in AssemblyScript: same
// rules, op codes and messages, byte for byte (see that file's header).
// Built as tictactoe_as.wasm, serving the match handler "tictactoe_as".
//
// Outside this repository, import from "@arbiterhq/arbiter-as" and
// re-export "@arbiterhq/arbiter-as/exports" instead of the relative paths.

import {
  compareUtf8, Context, Dispatcher, Json, JoinResult, JsonWriter, MatchHandler, MatchSetup,
  Message, Presence, registerMatch, Value,
} from "../../index";

export * from "../../exports";

const OP_START: i64 = 1;
const OP_UPDATE: i64 = 2;
const OP_DONE: i64 = 3;
const OP_MOVE: i64 = 4;
const OP_REJECTED: i64 = 5;
const TICK_RATE: i32 = 5;
const END_AFTER_TICKS: i64 = 5; // ticks the match lives on after the game ends

// Rows, columns, diagonals: three positions each.
const LINES: StaticArray<i32> = [
  0, 1, 2, 3, 4, 5, 6, 7, 8,
  0, 3, 6, 1, 4, 7, 2, 5, 8,
  0, 4, 8, 2, 4, 6,
];

class TicTacToe extends MatchHandler {
  board: StaticArray<i32> = new StaticArray<i32>(9); // 0 empty, 1 X, 2 O
  players: Presence[] = []; // in join order: players[0] is X
  marks: Map<string, i32> = new Map<string, i32>(); // user id -> mark
  mark: i32 = 1; // whose turn
  started: bool = false;
  done: bool = false;
  doneTick: i64 = 0;
  json: JsonWriter = new JsonWriter(128);

  label(): string {
    const open = this.players.length < 2 && !this.done ? 1 : 0;
    return this.json.reset().beginObject().key("game").string("tictactoe").key("open").int(open).endObject().toString();
  }

  writeBoard(w: JsonWriter): void {
    w.key("board").beginArray();
    for (let i = 0; i < 9; i++) w.int(this.board[i]);
    w.endArray();
  }

  init(ctx: Context, params: Value): MatchSetup {
    return new MatchSetup(TICK_RATE, this.label());
  }

  joinAttempt(ctx: Context, d: Dispatcher, tick: i64, presence: Presence, metadata: Map<string, string>): JoinResult {
    if (this.marks.has(presence.userId)) return JoinResult.accept(); // a player coming back
    if (this.players.length >= 2 || this.done) return JoinResult.reject("match full");
    return JoinResult.accept();
  }

  join(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    for (let k = 0; k < presences.length; k++) {
      const p = presences[k];
      if (!this.marks.has(p.userId)) {
        this.players.push(p);
        this.marks.set(p.userId, this.players.length);
      } else {
        for (let i = 0; i < this.players.length; i++) {
          if (this.players[i].userId == p.userId) this.players[i] = p;
        }
      }
    }
    if (this.players.length == 2 && !this.started) {
      this.started = true;
      const w = this.json.reset().beginObject();
      this.writeBoard(w);
      w.key("mark").int(this.mark);
      w.key("marks").beginObject();
      const users = this.marks.keys();
      users.sort(compareUtf8);
      for (let i = 0; i < users.length; i++) w.key(users[i]).int(this.marks.get(users[i]));
      w.endObject().endObject();
      d.broadcast(OP_START, w);
    }
    d.labelUpdate(this.label());
  }

  winnerLine(): i32 {
    const b = this.board;
    for (let l = 0; l < 8; l++) {
      const a = b[LINES[3 * l]];
      if (a != 0 && a == b[LINES[3 * l + 1]] && a == b[LINES[3 * l + 2]]) return l;
    }
    return -1;
  }

  full(): bool {
    for (let i = 0; i < 9; i++) if (this.board[i] == 0) return false;
    return true;
  }

  // Ends the game: winner is a mark, 0 for a draw; line is the winning
  // line, -1 for none (a draw or a forfeit).
  finish(d: Dispatcher, tick: i64, winner: i32, line: i32): void {
    this.done = true;
    this.doneTick = tick;
    const w = this.json.reset().beginObject();
    this.writeBoard(w);
    w.key("winner").int(winner);
    if (line >= 0) {
      w.key("winner_positions").beginArray();
      for (let i = 0; i < 3; i++) w.int(LINES[3 * line + i]);
      w.endArray();
    }
    w.endObject();
    d.broadcast(OP_DONE, w);
    d.labelUpdate(this.label());
  }

  reject(d: Dispatcher, sender: Presence, reason: string): void {
    const w = this.json.reset().beginObject().key("reason").string(reason).endObject();
    d.broadcast(OP_REJECTED, w, [sender]);
  }

  // Applies one MOVE message, or rejects it with a reason.
  move(d: Dispatcher, tick: i64, m: Message): void {
    if (!this.started) return this.reject(d, m.sender, "game not started");
    if (this.done) return this.reject(d, m.sender, "game over");
    const uid = m.sender.userId;
    if (!this.marks.has(uid) || this.marks.get(uid) != this.mark) return this.reject(d, m.sender, "not your turn");
    const decoded = Json.parseBytes(m.data);
    const pos = decoded != null ? decoded.get("position") : Value.nil();
    let at: i32 = -1;
    if (pos.isInt()) {
      const i = pos.asInt();
      if (i >= 0 && i <= 8) at = <i32>i;
    } else if (pos.isFloat()) {
      const f = pos.asFloat();
      if (f == Math.floor(f) && f >= 0 && f <= 8) at = <i32>f;
    }
    if (at < 0) return this.reject(d, m.sender, "invalid position");
    if (this.board[at] != 0) return this.reject(d, m.sender, "position taken");

    this.board[at] = this.mark;
    const line = this.winnerLine();
    if (line >= 0) return this.finish(d, tick, this.board[LINES[3 * line]], line);
    if (this.full()) return this.finish(d, tick, 0, -1);
    this.mark = 3 - this.mark;
    const w = this.json.reset().beginObject();
    this.writeBoard(w);
    w.key("mark").int(this.mark);
    w.endObject();
    d.broadcast(OP_UPDATE, w);
  }

  loop(ctx: Context, d: Dispatcher, tick: i64, messages: Message[]): void {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (m.opCode == OP_MOVE) this.move(d, tick, m);
      else this.reject(d, m.sender, "unknown op code");
    }
    if (this.done && tick - this.doneTick >= END_AFTER_TICKS) {
      this.end(); // the game is over: end the match
      return;
    }
    if (this.players.length == 0 && tick > <i64>TICK_RATE * 60) this.end(); // nobody came for a minute
  }

  leave(ctx: Context, d: Dispatcher, tick: i64, presences: Presence[]): void {
    for (let i = 0; i < presences.length; i++) {
      const uid = presences[i].userId;
      if (this.started && !this.done && this.marks.has(uid)) {
        // The one who stays wins by forfeit.
        this.finish(d, tick, 3 - this.marks.get(uid), -1);
      }
    }
  }

  terminate(ctx: Context, d: Dispatcher, tick: i64, graceSeconds: i32): void {
    this.end();
  }

  signal(ctx: Context, d: Dispatcher, tick: i64, data: string): string | null {
    return data;
  }
}

registerMatch("tictactoe_as", (): MatchHandler => new TicTacToe());
