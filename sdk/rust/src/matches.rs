//! Authoritative matches: the [`Match`] trait and the [`Dispatcher`].

use crate::codec::Encoder;
use crate::host;
use crate::types::{Context, Error, Message, Presence};
use crate::value::Map;
use std::collections::BTreeMap;

/// What a match callback returns: whether the match goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Keep the state: the match goes on.
    Continue,
    /// Drop the state: the match ends normally (Nakama's nil state).
    End,
    /// End the match with an error reported to the players.
    Fail(Error),
}

/// What [`Match::match_join_attempt`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinAttempt {
    /// Let the player join.
    Accept,
    /// Turn the player away; the reason is shown to them.
    Reject(String),
    /// End the match (nil state).
    End,
    /// End the match with an error.
    Fail(Error),
}

/// What [`Match::match_signal`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Answer the signaller with this data; the match goes on.
    Reply(String),
    /// End the match (nil state).
    End,
    /// End the match with an error.
    Fail(Error),
}

/// The logic of an authoritative match. The implementing type is the
/// match's state: [`Match::match_init`] makes it, and every callback gets
/// it by `&mut self`. It lives in the match's own WebAssembly instance and
/// is never serialised. The callbacks follow Nakama's (and the Lua and Go
/// runtimes'): each returns whether the match goes on ([`Next`]).
///
/// `tick` is the match's tick count; `ctx` the match context (for
/// `match_join_attempt`, the joining user's). A panic traps: the match
/// ends with an error and the panic message is logged.
pub trait Match: Sized + 'static {
    /// Makes the initial state and returns it with the tick rate (1 to 60
    /// per second) and the label (at most 2048 bytes). `params` are the
    /// parameters given to `match_create` (`None` when there were none).
    /// An error fails the match's creation.
    fn match_init(ctx: &Context, params: Option<&Map>) -> Result<(Self, u32, String), Error>;

    /// Accepts or rejects a player who wants to join. By default, accepts.
    fn match_join_attempt(
        &mut self,
        _ctx: &Context,
        _d: &Dispatcher,
        _tick: i64,
        _presence: &Presence,
        _metadata: &BTreeMap<String, String>,
    ) -> JoinAttempt {
        JoinAttempt::Accept
    }

    /// Players joined. By default, nothing happens.
    fn match_join(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, _presences: &[Presence]) -> Next {
        Next::Continue
    }

    /// Players left (or were kicked, or disconnected). By default, nothing
    /// happens.
    fn match_leave(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, _presences: &[Presence]) -> Next {
        Next::Continue
    }

    /// One tick: the messages that arrived since the last, in order.
    fn match_loop(&mut self, ctx: &Context, d: &Dispatcher, tick: i64, messages: &[Message]) -> Next;

    /// The server is shutting down; the match has `grace_seconds` left.
    /// As in Nakama, [`Next::Continue`] keeps the match running (its
    /// `match_loop` goes on being called) until the grace period ends, and
    /// [`Next::End`] ends it now. By default, the match goes on (the same
    /// default as the AssemblyScript SDK).
    fn match_terminate(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, _grace_seconds: i64) -> Next {
        Next::Continue
    }

    /// Answers `match_signal`. By default, answers "".
    fn match_signal(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, _data: &str) -> Signal {
        Signal::Reply(String::new())
    }

    /// Hands the state to a new version of the module (hot reload with
    /// [`ReloadPolicy::Migrate`], ABI.md §5.6): returns the state as bytes,
    /// in any format the module chooses (the new version's
    /// [`Match::match_restore`] reads them). It takes `&self`: the state
    /// must not change, since the match goes on with it if the new version
    /// cannot restore it. An error refuses the move (the match keeps its
    /// code and the server logs a warning).
    ///
    /// By default, refuses: a match that does not implement it keeps its
    /// code whatever its policy.
    fn match_snapshot(&self, _ctx: &Context, _tick: i64) -> Result<Vec<u8>, Error> {
        Err(Error::msg(format!(
            "arbiter: match {} does not implement match_snapshot",
            std::any::type_name::<Self>()
        )))
    }

    /// Rebuilds the state of a running match from the bytes an earlier
    /// version's [`Match::match_snapshot`] returned. It is called in the
    /// new version **instead of** [`Match::match_init`]: the match keeps
    /// its id, tick, tick rate, label and presences (`match_join` is not
    /// called again; `ctx` carries the current label and tick rate). An
    /// error refuses the data: the match stays on the old version.
    ///
    /// By default, refuses.
    fn match_restore(_ctx: &Context, _tick: i64, _data: &[u8]) -> Result<Self, Error> {
        Err(Error::msg(format!(
            "arbiter: match {} does not implement match_restore",
            std::any::type_name::<Self>()
        )))
    }
}

/// What a match handler's running matches do when the server loads a new
/// version of the module (ABI.md §5.6); set with
/// [`Registry::reload_policy`](crate::Registry::reload_policy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReloadPolicy {
    /// Running matches finish on the version they started with (the
    /// default). New matches use the new version.
    #[default]
    Keep,
    /// Running matches move to the new version at their next tick: the old
    /// version's [`Match::match_snapshot`] hands the state to the new
    /// version's [`Match::match_restore`]. Both versions must implement
    /// them; if either fails, the match keeps its old version.
    Migrate,
}

impl ReloadPolicy {
    /// The policy's name in the ABI: `"keep"` or `"migrate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadPolicy::Keep => "keep",
            ReloadPolicy::Migrate => "migrate",
        }
    }
}

/// The type-erased match the SDK keeps.
pub(crate) trait DynMatch {
    fn join_attempt(&mut self, ctx: &Context, tick: i64, p: &Presence, md: &BTreeMap<String, String>) -> JoinAttempt;
    fn join(&mut self, ctx: &Context, tick: i64, ps: &[Presence]) -> Next;
    fn leave(&mut self, ctx: &Context, tick: i64, ps: &[Presence]) -> Next;
    fn tick(&mut self, ctx: &Context, tick: i64, msgs: &[Message]) -> Next;
    fn terminate(&mut self, ctx: &Context, tick: i64, grace: i64) -> Next;
    fn signal(&mut self, ctx: &Context, tick: i64, data: &str) -> Signal;
    fn snapshot(&self, ctx: &Context, tick: i64) -> Result<Vec<u8>, Error>;
}

impl<M: Match> DynMatch for M {
    fn join_attempt(&mut self, ctx: &Context, tick: i64, p: &Presence, md: &BTreeMap<String, String>) -> JoinAttempt {
        self.match_join_attempt(ctx, &Dispatcher::new(), tick, p, md)
    }
    fn join(&mut self, ctx: &Context, tick: i64, ps: &[Presence]) -> Next {
        self.match_join(ctx, &Dispatcher::new(), tick, ps)
    }
    fn leave(&mut self, ctx: &Context, tick: i64, ps: &[Presence]) -> Next {
        self.match_leave(ctx, &Dispatcher::new(), tick, ps)
    }
    fn tick(&mut self, ctx: &Context, tick: i64, msgs: &[Message]) -> Next {
        self.match_loop(ctx, &Dispatcher::new(), tick, msgs)
    }
    fn terminate(&mut self, ctx: &Context, tick: i64, grace: i64) -> Next {
        self.match_terminate(ctx, &Dispatcher::new(), tick, grace)
    }
    fn signal(&mut self, ctx: &Context, tick: i64, data: &str) -> Signal {
        self.match_signal(ctx, &Dispatcher::new(), tick, data)
    }
    fn snapshot(&self, ctx: &Context, tick: i64) -> Result<Vec<u8>, Error> {
        self.match_snapshot(ctx, tick)
    }
}

pub(crate) fn init_of<M: Match>(
    ctx: &Context,
    params: Option<&Map>,
) -> Result<(Box<dyn DynMatch>, u32, String), Error> {
    let (state, rate, label) = M::match_init(ctx, params)?;
    Ok((Box::new(state), rate, label))
}

pub(crate) fn restore_of<M: Match>(ctx: &Context, tick: i64, data: &[u8]) -> Result<Box<dyn DynMatch>, Error> {
    Ok(Box::new(M::match_restore(ctx, tick, data)?))
}

/// Acts on the match during a callback (ABI.md §4.4). Outside a match
/// callback every method fails (NOT_ALLOWED).
#[derive(Debug)]
pub struct Dispatcher {
    _private: (),
}

const FLAG_RELIABLE: u32 = 1;
const FLAG_DEFERRED: u32 = 2;

impl Dispatcher {
    pub(crate) fn new() -> Self {
        Dispatcher { _private: () }
    }

    /// Sends `data` with `op_code` now: to `presences` (`None`: every
    /// presence in the match; `Some(&[])`: nobody), shown as sent by
    /// `sender` (`None`: the server).
    pub fn broadcast_message(
        &self,
        op_code: i64,
        data: &[u8],
        presences: Option<&[Presence]>,
        sender: Option<&Presence>,
        reliable: bool,
    ) -> Result<(), Error> {
        broadcast(
            op_code,
            data,
            presences,
            sender,
            if reliable { FLAG_RELIABLE } else { 0 },
        )
    }

    /// Sends like [`Dispatcher::broadcast_message`], after the callback
    /// returns successfully.
    pub fn broadcast_message_deferred(
        &self,
        op_code: i64,
        data: &[u8],
        presences: Option<&[Presence]>,
        sender: Option<&Presence>,
        reliable: bool,
    ) -> Result<(), Error> {
        let flags = FLAG_DEFERRED | if reliable { FLAG_RELIABLE } else { 0 };
        broadcast(op_code, data, presences, sender, flags)
    }

    /// Removes presences from the match; `match_leave` follows on a later
    /// call.
    pub fn match_kick(&self, presences: &[Presence]) -> Result<(), Error> {
        if presences.is_empty() {
            return Ok(());
        }
        host::check(host::host_kick(&encode_presences(presences)))
    }

    /// Sets the match label (at most 2048 bytes); the next callback's
    /// context carries it.
    pub fn match_label_update(&self, label: &str) -> Result<(), Error> {
        host::check(host::host_label(label))
    }
}

fn encode_presences(ps: &[Presence]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.list(ps.len());
    for p in ps {
        p.encode(&mut e);
    }
    e.into_bytes()
}

fn broadcast(
    op: i64,
    data: &[u8],
    to: Option<&[Presence]>,
    sender: Option<&Presence>,
    flags: u32,
) -> Result<(), Error> {
    let to = match to {
        Some(ps) => encode_presences(ps),
        None => Vec::new(),
    };
    let from = match sender {
        Some(p) => {
            let mut e = Encoder::new();
            p.encode(&mut e);
            e.into_bytes()
        }
        None => Vec::new(),
    };
    host::check(host::host_broadcast(op, data, &to, &from, flags))
}
