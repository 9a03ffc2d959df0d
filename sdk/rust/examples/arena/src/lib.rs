//! An arena that survives hot reloads: players join (up to a capacity),
//! every message is echoed to everyone, and the match ends when the last
//! player leaves. It is the Rust version of the Go SDK's
//! `sdk/go/examples/match`.
//!
//! Its handler `arena_rust` has the reload policy `Migrate`: when the
//! server loads a new version of the module, running arenas move to it at
//! their next tick with their players and message count
//! ([`Match::match_snapshot`] in the old version, [`Match::match_restore`]
//! in the new one, ABI.md §5.6).
//!
//! It does not implement `match_terminate`: on shutdown the arena goes on
//! until the grace period ends (the SDK's default).
//!
//! `match_signal` answers `messages=<count> restores=<moves> label=<label>`;
//! the signal `stop` ends the match.
//!
//! Build: `cargo build --release --target wasm32-unknown-unknown -p arena`
//! (in `sdk/rust`) makes `target/wasm32-unknown-unknown/release/arena_rust.wasm`.

use arbiter::{
    decode, encode, logger, map, Context, Dispatcher, Error, JoinAttempt, Map, Match, Message, Next, Presence,
    Registry, ReloadPolicy, Signal, Value,
};
use std::collections::BTreeMap;

/// The match state: plain Rust values in the match's own instance.
pub struct Arena {
    /// Presences in join order.
    players: Vec<Presence>,
    capacity: i64,
    messages: i64,
    /// How many times the match moved to a new version of the module.
    restores: i64,
}

impl Match for Arena {
    fn match_init(_ctx: &Context, params: Option<&Map>) -> Result<(Self, u32, String), Error> {
        let capacity = params
            .and_then(|p| p.get("capacity"))
            .and_then(Value::as_int)
            .unwrap_or(4);
        let arena = Arena {
            players: Vec::new(),
            capacity,
            messages: 0,
            restores: 0,
        };
        Ok((arena, 10, "arena".to_string()))
    }

    fn match_join_attempt(
        &mut self,
        _ctx: &Context,
        _d: &Dispatcher,
        _tick: i64,
        _presence: &Presence,
        _metadata: &BTreeMap<String, String>,
    ) -> JoinAttempt {
        if self.players.len() as i64 >= self.capacity {
            return JoinAttempt::Reject("match full".to_string());
        }
        JoinAttempt::Accept
    }

    fn match_join(&mut self, _ctx: &Context, d: &Dispatcher, _tick: i64, presences: &[Presence]) -> Next {
        self.players.extend_from_slice(presences);
        if let Err(e) = d.match_label_update(&format!("players={}", self.players.len())) {
            return Next::Fail(e);
        }
        Next::Continue
    }

    fn match_leave(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, presences: &[Presence]) -> Next {
        self.players
            .retain(|p| !presences.iter().any(|q| q.session_id == p.session_id));
        if self.players.is_empty() {
            return Next::End; // the last player left
        }
        Next::Continue
    }

    fn match_loop(&mut self, _ctx: &Context, d: &Dispatcher, _tick: i64, messages: &[Message]) -> Next {
        for m in messages {
            self.messages += 1;
            if let Err(e) = d.broadcast_message(m.op_code, &m.data, None, Some(&m.sender), true) {
                logger::warn(&format!("broadcast failed: {}", e));
            }
        }
        Next::Continue
    }

    fn match_signal(&mut self, ctx: &Context, _d: &Dispatcher, _tick: i64, data: &str) -> Signal {
        if data == "stop" {
            return Signal::End;
        }
        Signal::Reply(format!(
            "messages={} restores={} label={}",
            self.messages, self.restores, ctx.match_label
        ))
    }

    /// The state as an ABI-encoded map: the counts, the capacity and the
    /// players.
    fn match_snapshot(&self, _ctx: &Context, _tick: i64) -> Result<Vec<u8>, Error> {
        let players: Vec<Value> = self.players.iter().map(Presence::to_value).collect();
        let state = map! {
            "capacity" => self.capacity,
            "messages" => self.messages,
            "players" => players,
            "restores" => self.restores,
        };
        encode(&Value::Map(state)).map_err(|e| Error::msg(format!("arena: cannot encode the state: {}", e)))
    }

    /// Rebuilds the state an earlier version's `match_snapshot` made.
    fn match_restore(_ctx: &Context, _tick: i64, data: &[u8]) -> Result<Self, Error> {
        let state = decode(data).map_err(|e| Error::msg(format!("arena: bad snapshot: {}", e)))?;
        if state.as_map().is_none() {
            return Err(Error::msg("arena: bad snapshot: not a map"));
        }
        let players = match state.get("players") {
            Value::List(l) => l.iter().cloned().map(Presence::from_value).collect(),
            _ => Vec::new(),
        };
        Ok(Arena {
            players,
            capacity: state.get("capacity").as_int().unwrap_or(4),
            messages: state.get("messages").as_int().unwrap_or(0),
            restores: state.get("restores").as_int().unwrap_or(0) + 1,
        })
    }
}

fn init(r: &mut Registry) -> Result<(), Error> {
    r.match_handler::<Arena>("arena_rust")
        .reload_policy("arena_rust", ReloadPolicy::Migrate);
    Ok(())
}

arbiter::module!(init);
