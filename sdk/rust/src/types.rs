//! Errors, contexts, presences and messages.

use crate::codec::{CodecError, Encoder};
use crate::value::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Status codes of replies and result words (ABI.md §4).
pub mod status {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const NIL_STATE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const BAD_POINTER: u8 = 4;
    pub const MALFORMED: u8 = 5;
    pub const NOT_ALLOWED: u8 = 6;
    pub const BUDGET: u8 = 7;
}

/// The status codes an [`Error`] carries to clients, numbered as gRPC and
/// Nakama number them.
pub mod code {
    pub const CANCELED: i32 = 1;
    pub const UNKNOWN: i32 = 2;
    pub const INVALID_ARGUMENT: i32 = 3;
    pub const DEADLINE_EXCEEDED: i32 = 4;
    pub const NOT_FOUND: i32 = 5;
    pub const ALREADY_EXISTS: i32 = 6;
    pub const PERMISSION_DENIED: i32 = 7;
    pub const RESOURCE_EXHAUSTED: i32 = 8;
    pub const FAILED_PRECONDITION: i32 = 9;
    pub const ABORTED: i32 = 10;
    pub const OUT_OF_RANGE: i32 = 11;
    pub const UNIMPLEMENTED: i32 = 12;
    pub const INTERNAL: i32 = 13;
    pub const UNAVAILABLE: i32 = 14;
    pub const DATA_LOSS: i32 = 15;
    pub const UNAUTHENTICATED: i32 = 16;
}

/// An error with a message and a status code.
///
/// Returned by an RPC, the client sees `message` and `code` (`0`: the host
/// uses 13, internal). Returned by a host call (an nk function, the
/// dispatcher), it carries the host's message and code, and in `status`
/// the ABI status of the call (see [`status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub code: i32,
    pub status: u8,
}

impl Error {
    /// An error with a message and a code (see [`code`]).
    pub fn new(message: impl Into<String>, code: i32) -> Self {
        Error {
            message: message.into(),
            code,
            status: status::ERROR,
        }
    }

    /// An error with a message and no code (internal).
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(message, 0)
    }

    /// Reports whether the call's CPU deadline has passed: the callback
    /// should return at once.
    pub fn is_budget(&self) -> bool {
        self.status == status::BUDGET
    }

    /// The error of a host call that answered `status` with an error map
    /// (or nothing) as its pending reply.
    pub(crate) fn from_host(st: u8, reply: &[u8]) -> Self {
        let (mut message, mut code) = (String::new(), 0);
        if !reply.is_empty() {
            if let Ok(v) = crate::codec::decode(reply) {
                if let Some(s) = v.get("message").as_str() {
                    message = s.to_string();
                }
                code = v.get("code").as_int().unwrap_or(0) as i32;
            }
        }
        if message.is_empty() {
            message = match st {
                status::BUDGET => "arbiter: call budget exceeded".to_string(),
                status::BAD_POINTER => "arbiter: bad pointer passed to the host".to_string(),
                status::NOT_ALLOWED => "arbiter: not allowed in this call".to_string(),
                _ => format!("arbiter: host status {}", st),
            };
        }
        Error {
            message,
            code,
            status: st,
        }
    }

    /// Writes the error map `{"message", "code"?}`.
    pub(crate) fn encode_map(&self, e: &mut Encoder) {
        e.map(if self.code != 0 { 2 } else { 1 });
        e.key("message");
        e.string(&self.message);
        if self.code != 0 {
            e.key("code");
            e.int(self.code as i64);
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<CodecError> for Error {
    fn from(e: CodecError) -> Self {
        Error {
            message: e.to_string(),
            code: code::INTERNAL,
            status: status::MALFORMED,
        }
    }
}

impl From<crate::json::JsonError> for Error {
    fn from(e: crate::json::JsonError) -> Self {
        Error::new(e.to_string(), code::INVALID_ARGUMENT)
    }
}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error::msg(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error::msg(s)
    }
}

/// The context of a callback, with Nakama's keys (ABI.md §5.2). Keys the
/// host did not send are empty; `raw` is the map as the host sent it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    pub env: BTreeMap<String, String>,
    pub execution_mode: String,
    pub node: String,
    pub version: String,
    pub headers: BTreeMap<String, Vec<String>>,
    pub query_params: BTreeMap<String, Vec<String>>,
    pub user_id: String,
    pub username: String,
    pub vars: BTreeMap<String, String>,
    pub user_session_exp: i64,
    pub session_id: String,
    pub lang: String,
    pub client_ip: String,
    pub client_port: String,
    pub match_id: String,
    pub match_node: String,
    pub match_label: String,
    pub match_tick_rate: i64,
    pub trace_id: String,
    pub raw: Map,
}

fn take_string(m: &mut Map, k: &str) -> String {
    match m.get_mut(k) {
        Some(Value::String(s)) => std::mem::take(s),
        _ => String::new(),
    }
}

pub(crate) fn string_map(v: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Value::Map(m) = v {
        for (k, x) in m {
            if let Some(s) = x.as_str() {
                out.insert(k.clone(), s.to_string());
            }
        }
    }
    out
}

fn list_map(v: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    if let Value::Map(m) = v {
        for (k, x) in m {
            let l = x.as_list().unwrap_or(&[]);
            out.insert(
                k.clone(),
                l.iter().filter_map(|s| s.as_str().map(String::from)).collect(),
            );
        }
    }
    out
}

impl Context {
    /// Reads a context map.
    pub fn from_value(v: Value) -> Context {
        let raw = match v {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        let mut m = raw.clone();
        let int = |m: &Map, k: &str| m.get(k).and_then(Value::as_int).unwrap_or(0);
        Context {
            env: string_map(m.get("env").unwrap_or(&Value::Nil)),
            headers: list_map(m.get("headers").unwrap_or(&Value::Nil)),
            query_params: list_map(m.get("query_params").unwrap_or(&Value::Nil)),
            vars: string_map(m.get("vars").unwrap_or(&Value::Nil)),
            user_session_exp: int(&m, "user_session_exp"),
            match_tick_rate: int(&m, "match_tick_rate"),
            execution_mode: take_string(&mut m, "execution_mode"),
            node: take_string(&mut m, "node"),
            version: take_string(&mut m, "version"),
            user_id: take_string(&mut m, "user_id"),
            username: take_string(&mut m, "username"),
            session_id: take_string(&mut m, "session_id"),
            lang: take_string(&mut m, "lang"),
            client_ip: take_string(&mut m, "client_ip"),
            client_port: take_string(&mut m, "client_port"),
            match_id: take_string(&mut m, "match_id"),
            match_node: take_string(&mut m, "match_node"),
            match_label: take_string(&mut m, "match_label"),
            trace_id: take_string(&mut m, "trace_id"),
            raw,
        }
    }
}

/// A user's session in a match or a stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presence {
    pub user_id: String,
    pub session_id: String,
    pub username: String,
    pub node: String,
    /// Why the presence joined or left (0 unknown, 1 join, 2 update, 3
    /// leave, 4 disconnect): set in `match_join` and `match_leave`.
    pub reason: i64,
}

impl Presence {
    /// Reads a presence map; missing keys are empty.
    pub fn from_value(v: Value) -> Presence {
        let mut m = match v {
            Value::Map(m) => m,
            _ => return Presence::default(),
        };
        Presence {
            reason: m.get("reason").and_then(Value::as_int).unwrap_or(0),
            user_id: take_string(&mut m, "user_id"),
            session_id: take_string(&mut m, "session_id"),
            username: take_string(&mut m, "username"),
            node: take_string(&mut m, "node"),
        }
    }

    /// Reads a list of presence maps.
    pub fn list_from_value(v: Value) -> Vec<Presence> {
        match v {
            Value::List(l) => l.into_iter().map(Presence::from_value).collect(),
            _ => Vec::new(),
        }
    }

    /// Writes the presence as the host reads it (without `reason`).
    pub fn encode(&self, e: &mut Encoder) {
        e.map(4);
        e.key("user_id");
        e.string(&self.user_id);
        e.key("session_id");
        e.string(&self.session_id);
        e.key("username");
        e.string(&self.username);
        e.key("node");
        e.string(&self.node);
    }

    /// The presence as a map (with `reason`).
    pub fn to_value(&self) -> Value {
        Value::Map(crate::map! {
            "user_id" => &self.user_id,
            "session_id" => &self.session_id,
            "username" => &self.username,
            "node" => &self.node,
            "reason" => self.reason,
        })
    }
}

/// A message a client sent to the match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    pub sender: Presence,
    pub op_code: i64,
    pub data: Vec<u8>,
    pub reliable: bool,
    pub receive_time_ms: i64,
}

impl Message {
    /// Reads a message map.
    pub fn from_value(v: Value) -> Message {
        let mut m = match v {
            Value::Map(m) => m,
            _ => return Message::default(),
        };
        let data = match m.remove("data") {
            Some(Value::Bytes(b)) => b,
            Some(Value::String(s)) => s.into_bytes(),
            _ => Vec::new(),
        };
        Message {
            sender: Presence::from_value(m.remove("sender").unwrap_or(Value::Nil)),
            op_code: m.get("op_code").and_then(Value::as_int).unwrap_or(0),
            data,
            reliable: m.get("reliable").and_then(Value::as_bool).unwrap_or(false),
            receive_time_ms: m.get("receive_time_ms").and_then(Value::as_int).unwrap_or(0),
        }
    }
}

/// One player the matchmaker matched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchmakerEntry {
    pub presence: Presence,
    pub properties: Map,
    pub party_id: Option<String>,
}

impl MatchmakerEntry {
    pub(crate) fn from_value(v: Value) -> MatchmakerEntry {
        let mut m = match v {
            Value::Map(m) => m,
            _ => return MatchmakerEntry::default(),
        };
        MatchmakerEntry {
            presence: Presence::from_value(m.remove("presence").unwrap_or(Value::Nil)),
            properties: match m.remove("properties") {
                Some(Value::Map(p)) => p,
                _ => Map::new(),
            },
            party_id: match m.remove("party_id") {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
        }
    }
}
