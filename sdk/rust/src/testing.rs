//! Native testing of module code (not built for wasm32): a fake host, and
//! the exports called directly, so that `cargo test` on the host machine
//! runs match logic and RPCs as the server would.
//!
//! State is per thread (each Rust test runs on its own thread).

use crate::calls;
use crate::register::Registry;
use crate::types::{status, Error};

/// A fake host. Each method answers a host call with a status and the
/// bytes of the pending reply (an encoded value, or empty). By default,
/// every call is refused with NOT_ALLOWED (as outside a match callback).
pub trait Host {
    /// `nk_call`: `args` is an encoded list (or empty); reply with an
    /// encoded list of results.
    fn nk_call(&mut self, _name: &str, _args: &[u8]) -> (u8, Vec<u8>) {
        (status::NOT_ALLOWED, Vec::new())
    }
    /// `match_broadcast`: `to` and `sender` are encoded (or empty).
    fn broadcast(&mut self, _op_code: i64, _data: &[u8], _to: &[u8], _sender: &[u8], _flags: u32) -> (u8, Vec<u8>) {
        (status::NOT_ALLOWED, Vec::new())
    }
    /// `match_kick`: an encoded list of presences.
    fn kick(&mut self, _presences: &[u8]) -> (u8, Vec<u8>) {
        (status::NOT_ALLOWED, Vec::new())
    }
    /// `match_label_update`.
    fn label_update(&mut self, _label: &str) -> (u8, Vec<u8>) {
        (status::NOT_ALLOWED, Vec::new())
    }
    /// `log`.
    fn log(&mut self, _level: i32, _msg: &str, _fields: &[u8]) {}
}

/// Installs a fake host for this thread (`None`: no host).
pub fn set_host(h: Option<Box<dyn Host>>) {
    crate::host::HOST.with(|x| *x.borrow_mut() = h);
}

/// Forgets this thread's registrations and match.
pub fn reset() {
    calls::reset();
}

/// Runs `arbiter_init` with `register` and returns the reply bytes.
pub fn init(input: &[u8], register: fn(&mut Registry) -> Result<(), Error>) -> Vec<u8> {
    let mut out = Vec::new();
    calls::write_reply(&mut out, calls::init(input, register));
    out
}

/// Calls the export `name` (`"arbiter_rpc"`, `"arbiter_match_loop"`, ...)
/// with an encoded input and returns the reply bytes: `status [value]`,
/// empty for OK with nil. Panics on an unknown export name.
pub fn call(name: &str, input: &[u8]) -> Vec<u8> {
    let f: fn(&[u8]) -> calls::Reply = match name {
        "arbiter_rpc" => calls::rpc,
        "arbiter_matchmaker_matched" => calls::matchmaker_matched,
        "arbiter_shutdown" => calls::shutdown,
        "arbiter_match_create" => calls::match_create,
        "arbiter_match_init" => calls::match_init,
        "arbiter_match_join_attempt" => calls::match_join_attempt,
        "arbiter_match_join" => calls::match_join,
        "arbiter_match_leave" => calls::match_leave,
        "arbiter_match_loop" => calls::match_loop,
        "arbiter_match_terminate" => calls::match_terminate,
        "arbiter_match_signal" => calls::match_signal,
        "arbiter_match_snapshot" => calls::match_snapshot,
        "arbiter_match_restore" => calls::match_restore,
        _ => panic!("unknown export {}", name),
    };
    let mut out = Vec::new();
    calls::write_reply(&mut out, f(input));
    out
}
