//! Tic-tac-toe: a complete server-authoritative match, the Rust version of
//! `modules/tictactoe.lua` (same rules, same op codes, the same messages
//! byte for byte).
//!
//! Two players join; the first is X (mark 1), the second O (mark 2).
//! Clients send their moves; the server checks every move, keeps the
//! board, decides the winner and tells both players. A player who leaves
//! a running game forfeits. The match ends a few ticks after the game is
//! over.
//!
//! ```text
//! op 1 START     server -> all    {"board":[...],"mark":1,"marks":{"<user id>":1,...}}
//! op 2 UPDATE    server -> all    {"board":[...],"mark":<mark to play>}
//! op 3 DONE      server -> all    {"board":[...],"winner":<mark, 0 for a draw>,"winner_positions":[a,b,c]}
//!                                 (no "winner_positions" on a draw or a forfeit)
//! op 4 MOVE      client -> server {"position":<0..8>}
//! op 5 REJECTED  server -> sender {"reason":"<why>"}
//! ```
//!
//! JSON keys are written in sorted order, without spaces. The board is 9
//! marks, row by row: 0 empty, 1 X, 2 O. The match handler is registered
//! as `tictactoe_rust`.
//!
//! Build: `cargo build --release --target wasm32-unknown-unknown -p tictactoe`
//! (in `sdk/rust`) makes `target/wasm32-unknown-unknown/release/tictactoe_rust.wasm`.

use arbiter::{
    json, list, map, Context, Dispatcher, Error, JoinAttempt, Map, Match, Message, Next, Presence, Registry, Signal,
    Value,
};
use std::collections::BTreeMap;

pub const OP_START: i64 = 1;
pub const OP_UPDATE: i64 = 2;
pub const OP_DONE: i64 = 3;
pub const OP_MOVE: i64 = 4;
pub const OP_REJECTED: i64 = 5;

const TICK_RATE: u32 = 5;
/// Ticks the match lives on after the game ends.
const END_AFTER_TICKS: i64 = 5;

#[rustfmt::skip]
const LINES: [[usize; 3]; 8] = [
    [0, 1, 2], [3, 4, 5], [6, 7, 8], // rows
    [0, 3, 6], [1, 4, 7], [2, 5, 8], // columns
    [0, 4, 8], [2, 4, 6],            // diagonals
];

/// The match state.
pub struct TicTacToe {
    board: [i64; 9],
    /// Presences in join order: players[0] is X.
    players: Vec<Presence>,
    /// user id -> mark.
    marks: BTreeMap<String, i64>,
    /// Whose turn.
    mark: i64,
    started: bool,
    done: bool,
    done_tick: i64,
}

fn init(r: &mut Registry) -> Result<(), Error> {
    r.match_handler::<TicTacToe>("tictactoe_rust");
    Ok(())
}

arbiter::module!(init);

impl TicTacToe {
    fn label(&self) -> String {
        let open = if self.players.len() < 2 && !self.done { 1 } else { 0 };
        json::map_to_string(&map! {"game" => "tictactoe", "open" => open})
    }

    fn board_json(&self) -> Value {
        Value::List(self.board.iter().map(|m| Value::Int(*m)).collect())
    }

    fn finish(&mut self, d: &Dispatcher, tick: i64, winner: i64, positions: Option<&[usize; 3]>) -> Result<(), Error> {
        self.done = true;
        self.done_tick = tick;
        let mut msg = map! {"board" => self.board_json(), "winner" => winner};
        if let Some(p) = positions {
            msg.insert("winner_positions".into(), list![p[0] as i64, p[1] as i64, p[2] as i64]);
        }
        d.broadcast_message(OP_DONE, json::map_to_string(&msg).as_bytes(), None, None, true)?;
        d.match_label_update(&self.label())
    }

    /// Applies one MOVE message, or rejects it with a reason.
    fn apply_move(&mut self, d: &Dispatcher, tick: i64, m: &Message) -> Result<(), Error> {
        if !self.started {
            return reject(d, &m.sender, "game not started");
        }
        if self.done {
            return reject(d, &m.sender, "game over");
        }
        if self.marks.get(&m.sender.user_id) != Some(&self.mark) {
            return reject(d, &m.sender, "not your turn");
        }
        let pos = match position(&m.data) {
            Some(p) => p,
            None => return reject(d, &m.sender, "invalid position"),
        };
        if self.board[pos] != 0 {
            return reject(d, &m.sender, "position taken");
        }

        self.board[pos] = self.mark;
        if let Some((winner, line)) = winner_line(&self.board) {
            return self.finish(d, tick, winner, Some(line));
        }
        if self.board.iter().all(|v| *v != 0) {
            return self.finish(d, tick, 0, None);
        }
        self.mark = 3 - self.mark;
        let msg = map! {"board" => self.board_json(), "mark" => self.mark};
        d.broadcast_message(OP_UPDATE, json::map_to_string(&msg).as_bytes(), None, None, true)
    }
}

/// The position of a MOVE: a JSON object whose "position" is an integral
/// number from 0 to 8 (4.0 counts, as in Lua).
fn position(data: &[u8]) -> Option<usize> {
    let v = json::parse(data).ok()?;
    let p = v.as_map()?.get("position")?;
    let f = match p {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return None,
    };
    if f.fract() != 0.0 || !(0.0..=8.0).contains(&f) {
        return None;
    }
    Some(f as usize)
}

fn winner_line(board: &[i64; 9]) -> Option<(i64, &'static [usize; 3])> {
    LINES.iter().find_map(|line| {
        let (a, b, c) = (board[line[0]], board[line[1]], board[line[2]]);
        if a != 0 && a == b && b == c {
            Some((a, line))
        } else {
            None
        }
    })
}

fn reject(d: &Dispatcher, sender: &Presence, reason: &str) -> Result<(), Error> {
    let msg = json::map_to_string(&map! {"reason" => reason});
    d.broadcast_message(
        OP_REJECTED,
        msg.as_bytes(),
        Some(std::slice::from_ref(sender)),
        None,
        true,
    )
}

/// The callbacks' outcome: a dispatcher error ends the match with it, as a
/// Lua error does.
fn next(r: Result<(), Error>) -> Next {
    match r {
        Ok(()) => Next::Continue,
        Err(e) => Next::Fail(e),
    }
}

impl Match for TicTacToe {
    fn match_init(_ctx: &Context, _params: Option<&Map>) -> Result<(Self, u32, String), Error> {
        let state = TicTacToe {
            board: [0; 9],
            players: Vec::new(),
            marks: BTreeMap::new(),
            mark: 1,
            started: false,
            done: false,
            done_tick: 0,
        };
        let label = state.label();
        Ok((state, TICK_RATE, label))
    }

    fn match_join_attempt(
        &mut self,
        _ctx: &Context,
        _d: &Dispatcher,
        _tick: i64,
        presence: &Presence,
        _metadata: &BTreeMap<String, String>,
    ) -> JoinAttempt {
        if self.marks.contains_key(&presence.user_id) {
            return JoinAttempt::Accept; // a player coming back
        }
        if self.players.len() >= 2 || self.done {
            return JoinAttempt::Reject("match full".into());
        }
        JoinAttempt::Accept
    }

    fn match_join(&mut self, _ctx: &Context, d: &Dispatcher, _tick: i64, presences: &[Presence]) -> Next {
        for p in presences {
            if !self.marks.contains_key(&p.user_id) {
                self.players.push(p.clone());
                self.marks.insert(p.user_id.clone(), self.players.len() as i64);
            } else {
                for old in self.players.iter_mut().filter(|old| old.user_id == p.user_id) {
                    *old = p.clone();
                }
            }
        }
        next((|| {
            if self.players.len() == 2 && !self.started {
                self.started = true;
                let marks: Map = self.marks.iter().map(|(k, v)| (k.clone(), Value::Int(*v))).collect();
                let msg = map! {"board" => self.board_json(), "mark" => self.mark, "marks" => marks};
                d.broadcast_message(OP_START, json::map_to_string(&msg).as_bytes(), None, None, true)?;
            }
            d.match_label_update(&self.label())
        })())
    }

    fn match_loop(&mut self, _ctx: &Context, d: &Dispatcher, tick: i64, messages: &[Message]) -> Next {
        for m in messages {
            let r = if m.op_code == OP_MOVE {
                self.apply_move(d, tick, m)
            } else {
                reject(d, &m.sender, "unknown op code")
            };
            if let Err(e) = r {
                return Next::Fail(e);
            }
        }
        if self.done && tick - self.done_tick >= END_AFTER_TICKS {
            return Next::End; // the game is over: end the match
        }
        if self.players.is_empty() && tick > TICK_RATE as i64 * 60 {
            return Next::End; // nobody came for a minute
        }
        Next::Continue
    }

    fn match_leave(&mut self, _ctx: &Context, d: &Dispatcher, tick: i64, presences: &[Presence]) -> Next {
        for p in presences {
            if self.started && !self.done {
                if let Some(mark) = self.marks.get(&p.user_id).copied() {
                    // The one who stays wins by forfeit.
                    if let Err(e) = self.finish(d, tick, 3 - mark, None) {
                        return Next::Fail(e);
                    }
                }
            }
        }
        Next::Continue
    }

    fn match_terminate(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, _grace_seconds: i64) -> Next {
        Next::End
    }

    fn match_signal(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, data: &str) -> Signal {
        Signal::Reply(data.to_string())
    }
}
