//! The exports' logic (ABI.md §5), independent of the wasm boundary: each
//! takes the input message and produces a reply. `abi` (wasm32) wires
//! them to the exports; `testing` calls them natively.

use crate::codec::{decode, Encoder};
use crate::matches::{DynMatch, JoinAttempt, Next, Signal};
use crate::register::{MatchFns, Registry};
use crate::types::{code, status, Context, Error, MatchmakerEntry, Message, Presence};
use crate::value::{Map, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// A reply: `status:u8 [value]` (ABI.md §5.2).
pub(crate) enum Reply {
    /// OK with nil: a zero-length reply.
    Nil,
    Ok(Value),
    NilState,
    Fail(u8, Error),
}

fn fail(e: Error) -> Reply {
    Reply::Fail(status::ERROR, e)
}

/// The match of this instance (ABI.md §5.5).
struct Current {
    fns: MatchFns,
    state: Option<Box<dyn DynMatch>>,
    initialised: bool,
    ctx: Rc<Context>, // the match context last received
}

#[derive(Default)]
struct Runtime {
    reg: Option<Registry>,
    current: Option<Current>,
}

thread_local! {
    static RUNTIME: RefCell<Runtime> = RefCell::new(Runtime::default());
}

/// Writes `r` into `out` (cleared first); an OK nil reply is left empty.
pub(crate) fn write_reply(out: &mut Vec<u8>, r: Reply) {
    out.clear();
    let mut e = Encoder::with_buffer(std::mem::take(out));
    match r {
        Reply::Nil => {}
        Reply::Ok(v) => {
            e.encoded(&[status::OK]);
            if let Err(err) = e.value(&v) {
                e.clear();
                e.encoded(&[status::ERROR]);
                Error::msg(format!("arbiter: cannot encode reply: {}", err)).encode_map(&mut e);
            }
        }
        Reply::NilState => e.encoded(&[status::NIL_STATE]),
        Reply::Fail(st, err) => {
            e.encoded(&[st]);
            err.encode_map(&mut e);
        }
    }
    *out = e.into_bytes();
}

/// Decodes an export's input map (empty input: an empty map).
fn input(b: &[u8]) -> Result<Map, Reply> {
    if b.is_empty() {
        return Ok(Map::new());
    }
    match decode(b) {
        Ok(Value::Map(m)) => Ok(m),
        Ok(v) => Err(Reply::Fail(
            status::MALFORMED,
            Error::msg(format!("arbiter: bad input: a {}, not a map", v.type_name())),
        )),
        Err(e) => Err(Reply::Fail(
            status::MALFORMED,
            Error::msg(format!("arbiter: bad input: {}", e)),
        )),
    }
}

fn take(m: &mut Map, k: &str) -> Value {
    m.remove(k).unwrap_or(Value::Nil)
}

fn take_string(m: &mut Map, k: &str) -> String {
    match m.remove(k) {
        Some(Value::String(s)) => s,
        Some(Value::Bytes(b)) => String::from_utf8_lossy(&b).into_owned(),
        _ => String::new(),
    }
}

fn int(m: &Map, k: &str) -> i64 {
    m.get(k).and_then(Value::as_int).unwrap_or(0)
}

/// Runs `f` over the decoded input.
fn serve(b: &[u8], f: impl FnOnce(Map) -> Reply) -> Reply {
    match input(b) {
        Ok(m) => f(m),
        Err(r) => r,
    }
}

// --- arbiter_init -------------------------------------------------------

pub(crate) fn init(b: &[u8], register: fn(&mut Registry) -> Result<(), Error>) -> Reply {
    serve(b, |mut m| {
        let load = m.get("load").and_then(Value::as_bool).unwrap_or(false);
        let module = take_string(&mut m, "module");
        let ctx = Context::from_value(take(&mut m, "context"));
        let mut reg = Registry::new(load, module, ctx);
        if let Err(e) = register(&mut reg) {
            return fail(e);
        }
        let mut rpcs: Vec<Value> = reg.rpcs.values().map(|(id, _)| Value::from(id)).collect();
        rpcs.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        let handlers: Vec<Value> = reg.matches.keys().map(Value::from).collect();
        let mut reply = crate::map! {
            "rpcs" => rpcs,
            "match_handlers" => handlers,
            "matchmaker_matched" => reg.matchmaker.is_some(),
            "shutdown" => reg.shutdown.is_some(),
        };
        if !reg.policies.is_empty() {
            let policies: Map = reg
                .policies
                .iter()
                .map(|(name, p)| (name.clone(), Value::from(p.as_str())))
                .collect();
            reply.insert("match_policies".to_string(), Value::Map(policies));
        }
        RUNTIME.with(|r| r.borrow_mut().reg = Some(reg));
        Reply::Ok(Value::Map(reply))
    })
}

fn not_initialised() -> Reply {
    fail(Error::msg("arbiter: arbiter_init has not run in this instance"))
}

// --- RPCs and hooks ------------------------------------------------------

pub(crate) fn rpc(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        let id = take_string(&mut m, "id");
        let f = RUNTIME.with(|r| {
            let r = r.borrow();
            r.reg
                .as_ref()
                .map(|reg| reg.rpcs.get(&id.to_lowercase()).map(|(_, f)| f.clone()))
        });
        let f = match f {
            None => return not_initialised(),
            Some(None) => {
                return Reply::Fail(
                    status::NOT_FOUND,
                    Error::new(format!("RPC function not found: {}", id), code::NOT_FOUND),
                )
            }
            Some(Some(f)) => f,
        };
        let payload = take_string(&mut m, "payload");
        let ctx = Context::from_value(take(&mut m, "context"));
        match f(&ctx, &payload) {
            Ok(s) => Reply::Ok(Value::String(s)),
            Err(e) => fail(e),
        }
    })
}

pub(crate) fn matchmaker_matched(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        let f = RUNTIME.with(|r| r.borrow().reg.as_ref().and_then(|reg| reg.matchmaker.clone()));
        let f = match f {
            Some(f) => f,
            None => return Reply::Fail(status::NOT_FOUND, Error::new("no matchmaker hook", code::NOT_FOUND)),
        };
        let entries: Vec<MatchmakerEntry> = match take(&mut m, "entries") {
            Value::List(l) => l.into_iter().map(MatchmakerEntry::from_value).collect(),
            _ => Vec::new(),
        };
        let ctx = Context::from_value(take(&mut m, "context"));
        match f(&ctx, &entries) {
            Ok(Some(id)) if !id.is_empty() => Reply::Ok(Value::String(id)),
            Ok(_) => Reply::Nil,
            Err(e) => fail(e),
        }
    })
}

pub(crate) fn shutdown(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        let f = RUNTIME.with(|r| r.borrow().reg.as_ref().and_then(|reg| reg.shutdown.clone()));
        match f {
            None => Reply::Nil,
            Some(f) => match f(&Context::from_value(take(&mut m, "context"))) {
                Ok(()) => Reply::Nil,
                Err(e) => fail(e),
            },
        }
    })
}

// --- match callbacks -------------------------------------------------------

pub(crate) fn match_create(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        let name = take_string(&mut m, "name");
        let init = RUNTIME.with(|r| r.borrow().reg.as_ref().map(|reg| reg.matches.get(&name).copied()));
        let fns = match init {
            None => return not_initialised(),
            Some(None) => {
                return Reply::Fail(
                    status::NOT_FOUND,
                    Error::new(format!("match handler not found: {}", name), code::NOT_FOUND),
                )
            }
            Some(Some(f)) => f,
        };
        let mut ctx = Context::from_value(take(&mut m, "context"));
        if ctx.match_id.is_empty() {
            ctx.match_id = take_string(&mut m, "match_id");
        }
        let current = Current {
            fns,
            state: None,
            initialised: false,
            ctx: Rc::new(ctx),
        };
        RUNTIME.with(|r| r.borrow_mut().current = Some(current));
        Reply::Nil
    })
}

/// Keeps the match context of the input when it carries one.
fn keep_context(m: &mut Map) {
    if let Some(c) = m.remove("context") {
        let ctx = Rc::new(Context::from_value(c));
        RUNTIME.with(|r| {
            if let Some(cur) = r.borrow_mut().current.as_mut() {
                cur.ctx = ctx;
            }
        });
    }
}

pub(crate) fn match_init(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        // The match's pieces are taken out of the runtime while user code
        // runs, so that nothing it calls finds the runtime borrowed.
        let found = RUNTIME.with(|r| r.borrow().current.as_ref().map(|c| (c.fns.init, c.ctx.clone())));
        let (init, ctx) = match found {
            Some(x) => x,
            None => return fail(Error::msg("arbiter: match_init before match_create")),
        };
        let params = match m.get("params") {
            Some(Value::Map(p)) => Some(p),
            _ => None,
        };
        match init(&ctx, params) {
            Ok((state, rate, label)) => {
                RUNTIME.with(|r| {
                    if let Some(cur) = r.borrow_mut().current.as_mut() {
                        cur.state = Some(state);
                        cur.initialised = true;
                    }
                });
                Reply::Ok(Value::Map(crate::map! {"tick_rate" => rate, "label" => label}))
            }
            Err(e) => fail(e),
        }
    })
}

/// Runs a match callback on the state: `f` gets the state and the kept
/// match context (or `user`, the joining user's context), and its outcome
/// decides whether the state is kept.
fn with_state<F>(user: Option<Context>, f: F) -> Reply
where
    F: FnOnce(&mut dyn DynMatch, &Context) -> (Next, Option<Value>),
{
    let taken = RUNTIME.with(|r| {
        let mut r = r.borrow_mut();
        match r.current.as_mut() {
            None => Err(fail(Error::msg("arbiter: no match in this instance"))),
            Some(cur) if !cur.initialised => Err(fail(Error::msg("arbiter: match callback before match_init"))),
            Some(cur) => match cur.state.take() {
                // The match already ended: its state stays nil.
                None => Err(Reply::NilState),
                Some(s) => Ok((s, cur.ctx.clone())),
            },
        }
    });
    let (mut state, ctx) = match taken {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ctx = match user {
        Some(u) => Rc::new(u),
        None => ctx,
    };
    let (next, value) = f(state.as_mut(), &ctx);
    match next {
        Next::End => Reply::NilState,
        Next::Continue | Next::Fail(_) => {
            RUNTIME.with(|r| {
                if let Some(cur) = r.borrow_mut().current.as_mut() {
                    cur.state = Some(state);
                }
            });
            match (next, value) {
                (Next::Fail(e), _) => fail(e),
                (_, Some(v)) => Reply::Ok(v),
                _ => Reply::Nil,
            }
        }
    }
}

pub(crate) fn match_join_attempt(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        let tick = int(&m, "tick");
        let user = Context::from_value(take(&mut m, "context"));
        let presence = Presence::from_value(take(&mut m, "presence"));
        let metadata = crate::types::string_map(&take(&mut m, "metadata"));
        with_state(Some(user), |s, ctx| {
            match s.join_attempt(ctx, tick, &presence, &metadata) {
                JoinAttempt::Accept => (Next::Continue, Some(Value::Map(crate::map! {"accept" => true}))),
                JoinAttempt::Reject(reason) => (
                    Next::Continue,
                    Some(Value::Map(crate::map! {"accept" => false, "reason" => reason})),
                ),
                JoinAttempt::End => (Next::End, None),
                JoinAttempt::Fail(e) => (Next::Fail(e), None),
            }
        })
    })
}

pub(crate) fn match_join(b: &[u8]) -> Reply {
    presences(b, |s, ctx, tick, ps| s.join(ctx, tick, ps))
}

pub(crate) fn match_leave(b: &[u8]) -> Reply {
    presences(b, |s, ctx, tick, ps| s.leave(ctx, tick, ps))
}

fn presences(b: &[u8], f: fn(&mut dyn DynMatch, &Context, i64, &[Presence]) -> Next) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        let ps = Presence::list_from_value(take(&mut m, "presences"));
        with_state(None, |s, ctx| (f(s, ctx, tick, &ps), None))
    })
}

pub(crate) fn match_loop(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        let msgs: Vec<Message> = match take(&mut m, "messages") {
            Value::List(l) => l.into_iter().map(Message::from_value).collect(),
            _ => Vec::new(),
        };
        with_state(None, |s, ctx| (s.tick(ctx, tick, &msgs), None))
    })
}

pub(crate) fn match_terminate(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        let grace = int(&m, "grace_seconds");
        with_state(None, |s, ctx| (s.terminate(ctx, tick, grace), None))
    })
}

pub(crate) fn match_signal(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        let data = take_string(&mut m, "data");
        with_state(None, |s, ctx| match s.signal(ctx, tick, &data) {
            Signal::Reply(d) => (Next::Continue, Some(Value::Map(crate::map! {"data" => d}))),
            Signal::End => (Next::End, None),
            Signal::Fail(e) => (Next::Fail(e), None),
        })
    })
}

// --- hot reload (ABI.md §5.6) ---------------------------------------------

/// `arbiter_match_snapshot`: the old version hands the state over as bytes.
/// The state is kept whatever the outcome.
pub(crate) fn match_snapshot(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        with_state(None, |s, ctx| match s.snapshot(ctx, tick) {
            Ok(data) => (Next::Continue, Some(Value::Bytes(data))),
            Err(e) => (Next::Fail(e), None),
        })
    })
}

/// `arbiter_match_restore`: the new version rebuilds the state, after
/// `arbiter_match_create` and instead of `arbiter_match_init`.
pub(crate) fn match_restore(b: &[u8]) -> Reply {
    serve(b, |mut m| {
        keep_context(&mut m);
        let tick = int(&m, "tick");
        let data = match take(&mut m, "data") {
            Value::Bytes(d) => d,
            Value::String(s) => s.into_bytes(),
            Value::Nil => Vec::new(),
            v => {
                return Reply::Fail(
                    status::MALFORMED,
                    Error::msg(format!("arbiter: match_restore data is a {}, not bytes", v.type_name())),
                )
            }
        };
        let found = RUNTIME.with(|r| r.borrow().current.as_ref().map(|c| (c.fns.restore, c.ctx.clone())));
        let (restore, ctx) = match found {
            Some(x) => x,
            None => return fail(Error::msg("arbiter: match_restore before match_create")),
        };
        match restore(&ctx, tick, &data) {
            Ok(state) => {
                RUNTIME.with(|r| {
                    if let Some(cur) = r.borrow_mut().current.as_mut() {
                        cur.state = Some(state);
                        cur.initialised = true;
                    }
                });
                Reply::Nil
            }
            Err(e) => fail(e),
        }
    })
}

/// Forgets the registry and the match (native tests reuse one thread).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn reset() {
    RUNTIME.with(|r| *r.borrow_mut() = Runtime::default());
}
