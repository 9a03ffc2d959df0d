//! The exports' logic, run natively with a fake host.

use arbiter::testing::{self, Host};
use arbiter::{
    code, decode, encode, list, map, nk, status, Context, Dispatcher, Error, JoinAttempt, Map, Match, Message, Next,
    Presence, Registry, ReloadPolicy, Signal, Value,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Records host calls; nk functions echo their arguments, except "fail".
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<String>>>);

impl Recorder {
    fn install() -> Recorder {
        let r = Recorder::default();
        testing::set_host(Some(Box::new(r.clone())));
        r
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
    fn push(&self, s: String) {
        self.0.borrow_mut().push(s);
    }
}

impl Host for Recorder {
    fn nk_call(&mut self, name: &str, args: &[u8]) -> (u8, Vec<u8>) {
        self.push(format!("nk:{}", name));
        if name == "fail" {
            return (
                status::ERROR,
                encode(&Value::Map(map! {"message" => "nope", "code" => 5})).unwrap(),
            );
        }
        if name == "slow" {
            return (status::BUDGET, Vec::new());
        }
        let args = if args.is_empty() {
            Value::List(vec![])
        } else {
            decode(args).unwrap()
        };
        (status::OK, encode(&args).unwrap())
    }
    fn broadcast(&mut self, op: i64, data: &[u8], to: &[u8], sender: &[u8], flags: u32) -> (u8, Vec<u8>) {
        let to = if to.is_empty() {
            "all".to_string()
        } else {
            format!("{:?}", decode(to).unwrap())
        };
        let from = if sender.is_empty() {
            "-".to_string()
        } else {
            decode(sender).unwrap().get("session_id").as_str().unwrap().to_string()
        };
        self.push(format!(
            "broadcast:{}:{}:{}:{}:{}",
            op,
            String::from_utf8_lossy(data),
            to,
            from,
            flags
        ));
        (status::OK, Vec::new())
    }
    fn kick(&mut self, presences: &[u8]) -> (u8, Vec<u8>) {
        self.push(format!("kick:{}", decode(presences).unwrap().as_list().unwrap().len()));
        (status::OK, Vec::new())
    }
    fn label_update(&mut self, label: &str) -> (u8, Vec<u8>) {
        self.push(format!("label:{}", label));
        if label == "stopped" {
            return (
                status::ERROR,
                encode(&Value::Map(map! {"message" => "match stopped"})).unwrap(),
            );
        }
        (status::OK, Vec::new())
    }
    fn log(&mut self, level: i32, msg: &str, fields: &[u8]) {
        let f = if fields.is_empty() {
            String::new()
        } else {
            format!(" {:?}", decode(fields).unwrap())
        };
        self.push(format!("log{}:{}{}", level, msg, f));
    }
}

fn enc(m: Map) -> Vec<u8> {
    encode(&Value::Map(m)).unwrap()
}

/// Splits a reply into its status and value.
fn reply(b: &[u8]) -> (u8, Value) {
    if b.is_empty() {
        return (status::OK, Value::Nil);
    }
    let v = if b.len() > 1 {
        decode(&b[1..]).unwrap()
    } else {
        Value::Nil
    };
    (b[0], v)
}

fn context(user: &str) -> Value {
    Value::Map(map! {
        "env" => Value::Map(map! {"K" => "V"}),
        "execution_mode" => "rpc",
        "node" => "node1",
        "headers" => Value::Map(map! {"h" => list!["1", "2"]}),
        "user_id" => user,
        "user_session_exp" => 99,
        "match_tick_rate" => 10.0,
    })
}

fn register(r: &mut Registry) -> Result<(), Error> {
    if r.context().env.contains_key("FAIL") {
        return Err(Error::msg("init failed"));
    }
    r.rpc("Hello", |ctx: &Context, payload: &str| {
        if payload == "bad" {
            return Err(Error::new("bad payload", code::INVALID_ARGUMENT));
        }
        Ok(format!(
            "hi {} {} {} {}",
            ctx.user_id,
            payload,
            ctx.env["K"],
            ctx.headers["h"].join("+")
        ))
    })
    .rpc("nk", |_ctx: &Context, payload: &str| {
        let res = nk::call("echo", &[Value::from(payload), Value::Int(2)])?;
        Ok(format!("{:?}", res))
    })
    .rpc("nk_fail", |_ctx: &Context, _p: &str| {
        nk::call("fail", &[]).map(|_| String::new())
    })
    .rpc("nk_budget", |_ctx: &Context, _p: &str| match nk::call("slow", &[]) {
        Err(e) if e.is_budget() => Err(e),
        _ => Ok("no budget error".into()),
    })
    .rpc("log", |_ctx: &Context, p: &str| {
        arbiter::logger::warn(p);
        arbiter::logger::log(arbiter::logger::Level::Error, "with", &map! {"k" => 1});
        Ok(String::new())
    })
    .match_handler::<Arena>("arena")
    .matchmaker_matched(|_ctx: &Context, entries: &[arbiter::MatchmakerEntry]| {
        if entries.is_empty() {
            return Ok(None);
        }
        Ok(Some(format!(
            "{}:{}",
            entries[0].presence.user_id,
            entries[0].party_id.clone().unwrap_or_default()
        )))
    });
    if r.load() {
        arbiter::logger::info(&format!("loaded {}", r.module()));
    }
    Ok(())
}

fn init(load: bool, env: Map) -> (u8, Value) {
    testing::reset();
    let input = enc(map! {
        "context" => Value::Map(map! {"env" => env, "execution_mode" => "run_once"}),
        "module" => "games.test",
        "load" => load,
    });
    reply(&testing::init(&input, register))
}

#[test]
fn init_reports_registrations() {
    let rec = Recorder::install();
    let (st, v) = init(true, map! {});
    assert_eq!(st, status::OK);
    assert_eq!(
        v,
        Value::Map(map! {
            "rpcs" => list!["Hello", "log", "nk", "nk_budget", "nk_fail"],
            "match_handlers" => list!["arena"],
            "matchmaker_matched" => true,
            "shutdown" => false,
        })
    );
    assert_eq!(rec.take(), vec!["log1:loaded games.test"]);
    init(false, map! {});
    assert!(rec.take().is_empty(), "one-time work only in the load instance");

    let (st, v) = init(true, map! {"FAIL" => "1"});
    assert_eq!((st, v.get("message").as_str()), (status::ERROR, Some("init failed")));
}

fn rpc(id: &str, payload: &str) -> (u8, Value) {
    reply(&testing::call(
        "arbiter_rpc",
        &enc(map! {"id" => id, "payload" => payload, "context" => context("u1")}),
    ))
}

#[test]
fn rpcs() {
    let rec = Recorder::install();
    init(true, map! {});
    rec.take();
    assert_eq!(rpc("Hello", "x"), (status::OK, Value::from("hi u1 x V 1+2")));
    assert_eq!(
        rpc("hello", "x").1,
        Value::from("hi u1 x V 1+2"),
        "ids are case-insensitive"
    );
    assert_eq!(
        rpc("Hello", "bad"),
        (
            status::ERROR,
            Value::Map(map! {"message" => "bad payload", "code" => 3})
        )
    );
    assert_eq!(
        rpc("nope", ""),
        (
            status::NOT_FOUND,
            Value::Map(map! {"message" => "RPC function not found: nope", "code" => 5})
        )
    );
    assert_eq!(rpc("nk", "a").1, Value::from(r#"[String("a"), Int(2)]"#));
    assert_eq!(
        rpc("nk_fail", ""),
        (status::ERROR, Value::Map(map! {"message" => "nope", "code" => 5}))
    );
    assert_eq!(rpc("nk_budget", "").0, status::ERROR);
    assert_eq!(
        rpc("nk_budget", "").1.get("message").as_str(),
        Some("arbiter: call budget exceeded")
    );
    rpc("log", "careful");
    assert_eq!(
        rec.take(),
        vec![
            "nk:echo",
            "nk:fail",
            "nk:slow",
            "nk:slow",
            "log2:careful",
            "log3:with Map({\"k\": Int(1)})",
        ]
    );
    // Input that is not a map.
    let (st, _) = reply(&testing::call("arbiter_rpc", &[0x03, 0x02]));
    assert_eq!(st, status::MALFORMED);
    let (st, _) = reply(&testing::call("arbiter_rpc", &[0x09]));
    assert_eq!(st, status::MALFORMED);
}

#[test]
fn no_host_refuses() {
    testing::set_host(None);
    init(true, map! {});
    let (st, v) = rpc("nk", "a");
    assert_eq!(st, status::ERROR);
    assert_eq!(v.get("message").as_str(), Some("arbiter: not allowed in this call"));
}

#[test]
fn hooks() {
    Recorder::install();
    init(true, map! {});
    let entries = list![Value::Map(map! {
        "presence" => Value::Map(map! {"user_id" => "u9", "session_id" => "s9"}),
        "properties" => Value::Map(map! {"mode" => "x"}),
        "party_id" => "p1",
    })];
    let r = testing::call(
        "arbiter_matchmaker_matched",
        &enc(map! {"entries" => entries, "context" => context("")}),
    );
    assert_eq!(reply(&r), (status::OK, Value::from("u9:p1")));
    let r = testing::call("arbiter_matchmaker_matched", &enc(map! {"entries" => list![]}));
    assert!(r.is_empty(), "nil: a relayed match");
    // No shutdown hook: OK.
    assert!(testing::call("arbiter_shutdown", &enc(map! {})).is_empty());
}

/// A match that records what it is told.
struct Arena {
    players: Vec<Presence>,
    log: Vec<String>,
}

impl Match for Arena {
    fn match_init(ctx: &Context, params: Option<&Map>) -> Result<(Self, u32, String), Error> {
        if params.map_or(false, |p| p.contains_key("fail")) {
            return Err(Error::msg("bad params"));
        }
        let label = format!("arena {} {}", ctx.match_id, params.is_some());
        Ok((
            Arena {
                players: vec![],
                log: vec![],
            },
            10,
            label,
        ))
    }

    fn match_join_attempt(
        &mut self,
        ctx: &Context,
        _d: &Dispatcher,
        tick: i64,
        p: &Presence,
        md: &BTreeMap<String, String>,
    ) -> JoinAttempt {
        self.log
            .push(format!("attempt {} {} {} {:?}", tick, ctx.user_id, p.session_id, md));
        match p.user_id.as_str() {
            "full" => JoinAttempt::Reject("match full".into()),
            "end" => JoinAttempt::End,
            "fail" => JoinAttempt::Fail(Error::new("no", code::ABORTED)),
            _ => JoinAttempt::Accept,
        }
    }

    fn match_join(&mut self, ctx: &Context, d: &Dispatcher, tick: i64, ps: &[Presence]) -> Next {
        self.players.extend_from_slice(ps);
        self.log.push(format!(
            "join {} {} {} label={}",
            tick,
            ps.len(),
            ps[0].reason,
            ctx.match_label
        ));
        d.match_label_update(&format!("players={}", self.players.len()))
            .unwrap();
        Next::Continue
    }

    fn match_leave(&mut self, _ctx: &Context, d: &Dispatcher, _tick: i64, ps: &[Presence]) -> Next {
        self.players
            .retain(|p| !ps.iter().any(|q| q.session_id == p.session_id));
        if let Err(e) = d.match_label_update(if self.players.is_empty() { "stopped" } else { "left" }) {
            return Next::Fail(e);
        }
        Next::Continue
    }

    fn match_loop(&mut self, ctx: &Context, d: &Dispatcher, tick: i64, msgs: &[Message]) -> Next {
        for m in msgs {
            self.log.push(format!(
                "msg {} {} {} {}",
                tick, m.op_code, m.sender.session_id, m.reliable
            ));
            match m.op_code {
                1 => d.broadcast_message(1, &m.data, None, Some(&m.sender), true).unwrap(),
                2 => d
                    .broadcast_message_deferred(2, &m.data, Some(&self.players), None, false)
                    .unwrap(),
                3 => d.broadcast_message(3, &m.data, Some(&[]), None, false).unwrap(),
                4 => d.match_kick(std::slice::from_ref(&m.sender)).unwrap(),
                9 => return Next::End,
                _ => {}
            }
        }
        self.log
            .push(format!("ctx {} {}", ctx.match_label, ctx.match_tick_rate));
        Next::Continue
    }

    fn match_signal(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, data: &str) -> Signal {
        match data {
            "log" => Signal::Reply(self.log.join("\n")),
            "end" => Signal::End,
            "fail" => Signal::Fail(Error::msg("signal failed")),
            _ => Signal::Reply(String::new()),
        }
    }
}

fn presence(user: &str, session: &str) -> Value {
    Value::Map(map! {"user_id" => user, "session_id" => session, "username" => "n", "node" => "node1", "reason" => 1})
}

fn match_ctx(label: &str) -> Value {
    Value::Map(map! {"match_id" => "m1", "match_label" => label, "match_tick_rate" => 10, "execution_mode" => "match"})
}

fn call(export: &str, m: Map) -> (u8, Value) {
    reply(&testing::call(export, &enc(m)))
}

fn new_match() {
    init(false, map! {});
    assert_eq!(
        call(
            "arbiter_match_create",
            map! {"name" => "arena", "match_id" => "m1", "context" => match_ctx("")}
        ),
        (status::OK, Value::Nil)
    );
}

fn signal_log() -> String {
    let (st, v) = call("arbiter_match_signal", map! {"tick" => 0, "data" => "log"});
    assert_eq!(st, status::OK);
    v.get("data").as_str().unwrap().to_string()
}

#[test]
fn match_lifecycle() {
    let rec = Recorder::install();
    init(false, map! {});
    assert_eq!(
        call("arbiter_match_create", map! {"name" => "nope", "match_id" => "m1"}),
        (
            status::NOT_FOUND,
            Value::Map(map! {"message" => "match handler not found: nope", "code" => 5})
        )
    );
    new_match();
    assert_eq!(
        call("arbiter_match_join", map! {"tick" => 0, "presences" => list![]}).0,
        status::ERROR,
        "before init"
    );
    assert_eq!(
        call("arbiter_match_init", map! {"params" => Value::Nil}),
        (
            status::OK,
            Value::Map(map! {"tick_rate" => 10, "label" => "arena m1 false"})
        )
    );
    // The joining user's context, not kept.
    let (st, v) = call(
        "arbiter_match_join_attempt",
        map! {"tick" => 1, "context" => context("u1"), "presence" => presence("u1", "s1"), "metadata" => Value::Map(map! {"k" => "v"})},
    );
    assert_eq!((st, v), (status::OK, Value::Map(map! {"accept" => true})));
    let (st, v) = call(
        "arbiter_match_join_attempt",
        map! {"tick" => 1, "context" => context("full"), "presence" => presence("full", "s2"), "metadata" => Value::Map(map! {})},
    );
    assert_eq!(
        (st, v),
        (
            status::OK,
            Value::Map(map! {"accept" => false, "reason" => "match full"})
        )
    );
    // Join carries a new match context.
    let r = call(
        "arbiter_match_join",
        map! {"tick" => 2, "presences" => list![presence("u1", "s1")], "context" => match_ctx("lbl")},
    );
    assert_eq!(r, (status::OK, Value::Nil));
    assert_eq!(rec.take(), vec!["label:players=1"]);

    let msg = |op: i64| {
        Value::Map(
            map! {"sender" => presence("u1", "s1"), "op_code" => op, "data" => Value::bytes(b"d".to_vec()), "reliable" => true, "receive_time_ms" => 5},
        )
    };
    let r = call(
        "arbiter_match_loop",
        map! {"tick" => 3, "messages" => list![msg(1), msg(2), msg(3), msg(4)]},
    );
    assert_eq!(r, (status::OK, Value::Nil));
    let all = rec.take();
    assert_eq!(all[0], "broadcast:1:d:all:s1:1");
    assert!(
        all[1].starts_with("broadcast:2:d:List([Map(") && all[1].ends_with(":-:2"),
        "{}",
        all[1]
    );
    assert_eq!(all[2], "broadcast:3:d:List([]):-:0");
    assert_eq!(all[3], "kick:1");
    // No context in the input: the kept one.
    call("arbiter_match_loop", map! {"tick" => 4, "messages" => list![]});
    assert_eq!(
        signal_log(),
        [
            "attempt 1 u1 s1 {\"k\": \"v\"}",
            "attempt 1 full s2 {}",
            "join 2 1 1 label=lbl",
            "msg 3 1 s1 true",
            "msg 3 2 s1 true",
            "msg 3 3 s1 true",
            "msg 3 4 s1 true",
            "ctx lbl 10",
            "ctx lbl 10",
        ]
        .join("\n")
    );
    // A dispatcher error the match returns ends it with that error.
    let r = call(
        "arbiter_match_leave",
        map! {"tick" => 5, "presences" => list![presence("u1", "s1")]},
    );
    assert_eq!(r, (status::ERROR, Value::Map(map! {"message" => "match stopped"})));
    // The state survives an error reply; a nil state ends the match.
    assert_eq!(
        call("arbiter_match_signal", map! {"tick" => 6, "data" => "fail"}).0,
        status::ERROR
    );
    let r = call("arbiter_match_loop", map! {"tick" => 7, "messages" => list![msg(9)]});
    assert_eq!(r, (status::NIL_STATE, Value::Nil));
    assert_eq!(
        call("arbiter_match_loop", map! {"tick" => 8, "messages" => list![]}).0,
        status::NIL_STATE
    );
}

#[test]
fn match_endings() {
    Recorder::install();
    new_match();
    let r = call("arbiter_match_init", map! {"params" => Value::Map(map! {"fail" => 1})});
    assert_eq!(r, (status::ERROR, Value::Map(map! {"message" => "bad params"})));

    new_match();
    call("arbiter_match_init", map! {"params" => Value::Map(map! {})});
    let attempt = |user: &str| {
        call(
            "arbiter_match_join_attempt",
            map! {"tick" => 1, "context" => context(user), "presence" => presence(user, "s"), "metadata" => Value::Map(map! {})},
        )
    };
    assert_eq!(
        attempt("fail"),
        (status::ERROR, Value::Map(map! {"message" => "no", "code" => 10}))
    );
    assert_eq!(attempt("end"), (status::NIL_STATE, Value::Nil));

    new_match();
    call("arbiter_match_init", map! {});
    assert_eq!(
        call("arbiter_match_signal", map! {"tick" => 1, "data" => "x"}),
        (status::OK, Value::Map(map! {"data" => ""}))
    );
    assert_eq!(
        call("arbiter_match_signal", map! {"tick" => 1, "data" => "end"}),
        (status::NIL_STATE, Value::Nil)
    );

    // Without match_terminate the match goes on until the grace period
    // ends (the state is returned, as in Nakama).
    new_match();
    call("arbiter_match_init", map! {});
    assert_eq!(
        call("arbiter_match_terminate", map! {"tick" => 1, "grace_seconds" => 3}),
        (status::OK, Value::Nil)
    );
    assert_eq!(
        call("arbiter_match_loop", map! {"tick" => 2, "messages" => list![]}),
        (status::OK, Value::Nil),
        "the match goes on after terminate"
    );
    assert_eq!(
        call("arbiter_match_terminate", map! {"tick" => 3, "grace_seconds" => 0}),
        (status::OK, Value::Nil)
    );
}

#[test]
fn dispatcher_outside_a_match_fails() {
    testing::set_host(None);
    init(true, map! {});
    assert_eq!(rpc("Hello", "x").0, status::OK);
    let e = arbiter::nk::match_create("arena", None).unwrap_err();
    assert_eq!(e.status, status::NOT_ALLOWED);
}

#[test]
fn context_fields() {
    let c = Context::from_value(context("u7"));
    assert_eq!(c.user_id, "u7");
    assert_eq!(c.node, "node1");
    assert_eq!(c.execution_mode, "rpc");
    assert_eq!(c.user_session_exp, 99);
    assert_eq!(c.match_tick_rate, 10, "a float without fraction reads as an int");
    assert_eq!(c.env.get("K").map(String::as_str), Some("V"));
    assert_eq!(c.raw.get("user_id"), Some(&Value::from("u7")));
    assert_eq!(Context::from_value(Value::Nil), Context::default());
}

// --- hot reload: policies, snapshot and restore ----------------------------

/// A match that counts messages and survives reloads: its state moves as
/// decimal text, and it counts the restores it went through.
struct Counter {
    count: i64,
    restores: i64,
}

impl Match for Counter {
    fn match_init(_ctx: &Context, _params: Option<&Map>) -> Result<(Self, u32, String), Error> {
        Ok((Counter { count: 0, restores: 0 }, 5, "counter".into()))
    }

    fn match_loop(&mut self, _ctx: &Context, _d: &Dispatcher, _tick: i64, msgs: &[Message]) -> Next {
        self.count += msgs.len() as i64;
        Next::Continue
    }

    fn match_signal(&mut self, ctx: &Context, _d: &Dispatcher, tick: i64, _data: &str) -> Signal {
        Signal::Reply(format!(
            "count={} restores={} tick={} label={}",
            self.count, self.restores, tick, ctx.match_label
        ))
    }

    fn match_snapshot(&self, _ctx: &Context, tick: i64) -> Result<Vec<u8>, Error> {
        if tick < 0 {
            return Err(Error::msg("not now"));
        }
        Ok(format!("{}/{}", self.count, self.restores).into_bytes())
    }

    fn match_restore(ctx: &Context, _tick: i64, data: &[u8]) -> Result<Self, Error> {
        let text = std::str::from_utf8(data).map_err(|_| Error::msg("bad snapshot"))?;
        let (count, restores) = text.split_once('/').ok_or_else(|| Error::msg("bad snapshot"))?;
        match (count.parse(), restores.parse::<i64>()) {
            (Ok(count), Ok(restores)) if ctx.match_id == "m1" => Ok(Counter {
                count,
                restores: restores + 1,
            }),
            _ => Err(Error::msg("bad snapshot")),
        }
    }
}

fn register_reload(r: &mut Registry) -> Result<(), Error> {
    r.match_handler::<Counter>("counter")
        .reload_policy("counter", ReloadPolicy::Migrate)
        .match_handler::<Arena>("arena")
        .reload_policy("arena", ReloadPolicy::Keep);
    Ok(())
}

/// A new instance of the reload module with a match of handler `name`.
fn new_reload_match(name: &str) {
    testing::reset();
    let input = enc(map! {"context" => Value::Map(map! {}), "module" => "reload", "load" => false});
    assert_eq!(reply(&testing::init(&input, register_reload)).0, status::OK);
    assert_eq!(
        call(
            "arbiter_match_create",
            map! {"name" => name, "match_id" => "m1", "context" => match_ctx("")}
        ),
        (status::OK, Value::Nil)
    );
}

fn msgs(n: usize) -> Value {
    let m = Value::Map(
        map! {"sender" => presence("u1", "s1"), "op_code" => 1, "data" => Value::bytes(b"x".to_vec()), "reliable" => true, "receive_time_ms" => 1},
    );
    Value::List(vec![m; n])
}

fn signal(tick: i64) -> String {
    let (st, v) = call("arbiter_match_signal", map! {"tick" => tick, "data" => ""});
    assert_eq!(st, status::OK, "signal: {:?}", v);
    v.get("data").as_str().unwrap().to_string()
}

#[test]
fn reload_policies_in_init_reply() {
    testing::set_host(None);
    testing::reset();
    let (st, v) = reply(&testing::init(&enc(map! {"load" => true}), register_reload));
    assert_eq!(st, status::OK);
    assert_eq!(
        v,
        Value::Map(map! {
            "rpcs" => list![],
            "match_handlers" => list!["arena", "counter"],
            "matchmaker_matched" => false,
            "shutdown" => false,
            "match_policies" => Value::Map(map! {"arena" => "keep", "counter" => "migrate"}),
        })
    );
    assert_eq!(ReloadPolicy::default(), ReloadPolicy::Keep);
    assert_eq!(ReloadPolicy::Migrate.as_str(), "migrate");
}

#[test]
fn snapshot_and_restore() {
    testing::set_host(None);
    // The old version: a match counts three messages and hands its state
    // over; the snapshot leaves the state as it was.
    new_reload_match("counter");
    assert_eq!(call("arbiter_match_init", map! {}).0, status::OK);
    call("arbiter_match_loop", map! {"tick" => 1, "messages" => msgs(3)});
    let snap = call("arbiter_match_snapshot", map! {"tick" => 2});
    assert_eq!(snap, (status::OK, Value::bytes(b"3/0".to_vec())));
    assert_eq!(
        call("arbiter_match_snapshot", map! {"tick" => 2}),
        snap,
        "a second snapshot"
    );
    assert_eq!(
        call("arbiter_match_snapshot", map! {"tick" => -1}),
        (status::ERROR, Value::Map(map! {"message" => "not now"}))
    );
    call("arbiter_match_loop", map! {"tick" => 2, "messages" => msgs(1)});
    assert_eq!(signal(2), "count=4 restores=0 tick=2 label=");

    // The new version: create, then restore instead of init; the context of
    // the restore input is kept, and the match goes on counting.
    new_reload_match("counter");
    let r = call(
        "arbiter_match_restore",
        map! {"name" => "counter", "tick" => 2, "data" => snap.1.clone(), "context" => match_ctx("players=1")},
    );
    assert_eq!(r, (status::OK, Value::Nil));
    call("arbiter_match_loop", map! {"tick" => 3, "messages" => msgs(2)});
    assert_eq!(signal(3), "count=5 restores=1 tick=3 label=players=1");
    // And moves again.
    let snap = call("arbiter_match_snapshot", map! {"tick" => 4});
    assert_eq!(snap, (status::OK, Value::bytes(b"5/1".to_vec())));

    // Data as a string is accepted; bad data refuses the restore, and the
    // instance has no state then.
    new_reload_match("counter");
    assert_eq!(
        call(
            "arbiter_match_restore",
            map! {"name" => "counter", "tick" => 4, "data" => "5/1"}
        ),
        (status::OK, Value::Nil)
    );
    assert_eq!(signal(4), "count=5 restores=2 tick=4 label=");
    new_reload_match("counter");
    assert_eq!(
        call(
            "arbiter_match_restore",
            map! {"name" => "counter", "tick" => 4, "data" => Value::bytes(b"x".to_vec())}
        ),
        (status::ERROR, Value::Map(map! {"message" => "bad snapshot"}))
    );
    assert_eq!(
        call("arbiter_match_loop", map! {"tick" => 5, "messages" => list![]}).0,
        status::ERROR,
        "no state after a refused restore"
    );
    assert_eq!(
        call(
            "arbiter_match_restore",
            map! {"name" => "counter", "tick" => 4, "data" => 7}
        )
        .0,
        status::MALFORMED
    );

    // Before match_create there is nothing to restore.
    testing::reset();
    testing::init(&enc(map! {}), register_reload);
    assert_eq!(
        call("arbiter_match_restore", map! {"name" => "counter", "data" => "1/0"}).0,
        status::ERROR
    );
}

#[test]
fn no_snapshot_by_default() {
    Recorder::install();
    // Arena does not implement match_snapshot and match_restore: both
    // refuse (the match keeps its code), and the match goes on.
    new_reload_match("arena");
    call("arbiter_match_init", map! {});
    let (st, v) = call("arbiter_match_snapshot", map! {"tick" => 1});
    assert_eq!(st, status::ERROR);
    let msg = v.get("message").as_str().unwrap();
    assert!(
        msg.starts_with("arbiter: match ") && msg.ends_with("Arena does not implement match_snapshot"),
        "{}",
        msg
    );
    assert_eq!(
        call("arbiter_match_loop", map! {"tick" => 1, "messages" => list![]}),
        (status::OK, Value::Nil)
    );
    new_reload_match("arena");
    let (st, v) = call(
        "arbiter_match_restore",
        map! {"name" => "arena", "tick" => 1, "data" => "x"},
    );
    assert_eq!(st, status::ERROR);
    assert!(v
        .get("message")
        .as_str()
        .unwrap()
        .ends_with("does not implement match_restore"));
}
