//! Logging to the server log, tagged with the module (ABI.md §4.3).

use crate::codec::Encoder;
use crate::host;
use crate::value::Map;

/// A log level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// Logs `msg` at `level` with extra attributes.
pub fn log(level: Level, msg: &str, fields: &Map) {
    let mut e = Encoder::new();
    if !fields.is_empty() {
        e.map(fields.len());
        for (k, v) in fields {
            e.key(k);
            let mut one = Encoder::new();
            match one.value(v) {
                Ok(()) => e.encoded(one.as_bytes()),
                Err(err) => e.string(&err.to_string()),
            }
        }
    }
    host::host_log(level as i32, msg, e.as_bytes());
}

fn plain(level: Level, msg: &str) {
    host::host_log(level as i32, msg, &[]);
}

/// Logs at debug level.
pub fn debug(msg: &str) {
    plain(Level::Debug, msg)
}

/// Logs at info level.
pub fn info(msg: &str) {
    plain(Level::Info, msg)
}

/// Logs at warn level.
pub fn warn(msg: &str) {
    plain(Level::Warn, msg)
}

/// Logs at error level.
pub fn error(msg: &str) {
    plain(Level::Error, msg)
}
