//! The server's nk API: [`call`] reaches any nk function by name (ABI.md
//! §9 lists them); a few common ones have typed helpers.

use crate::codec::{decode, Encoder};
use crate::host;
use crate::map;
use crate::types::{status, Error};
use crate::value::{Map, Value};

/// Calls the nk function `name` with positional `args` and returns its
/// results. The host checks the arguments (missing trailing ones are nil,
/// optional ones take their default). Errors carry the host's message and
/// code; [`Error::is_budget`] tells that the call's deadline has passed.
///
/// ```no_run
/// use arbiter::{nk, Value};
/// let res = nk::call("sha256_hash", &[Value::from("abc")])?;
/// let hex = res[0].as_str().unwrap_or("");
/// # Ok::<(), arbiter::Error>(())
/// ```
pub fn call(name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
    let mut e = Encoder::new();
    if !args.is_empty() {
        e.list(args.len());
        for a in args {
            e.value(a)?;
        }
    }
    let (st, reply) = host::result(host::host_nk(name, e.as_bytes()));
    if st != status::OK {
        return Err(Error::from_host(st, &reply));
    }
    if reply.is_empty() {
        return Ok(Vec::new());
    }
    match decode(&reply)? {
        Value::List(l) => Ok(l),
        Value::Nil => Ok(Vec::new()),
        v => Err(Error::msg(format!(
            "nk {}: results are a {}, not a list",
            name,
            v.type_name()
        ))),
    }
}

/// Calls a function and returns its first result (nil if none).
pub fn call1(name: &str, args: &[Value]) -> Result<Value, Error> {
    Ok(call(name, args)?.into_iter().next().unwrap_or(Value::Nil))
}

fn string_result(name: &str, v: Value) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s),
        Value::Nil => Ok(String::new()),
        v => Err(Error::msg(format!(
            "nk {}: result is a {}, not a string",
            name,
            v.type_name()
        ))),
    }
}

/// Creates an authoritative match of the match handler `module` (a Lua
/// module or a name some module registered with
/// [`Registry::match_handler`](crate::Registry::match_handler)) and returns
/// its id.
pub fn match_create(module: &str, params: Option<&Map>) -> Result<String, Error> {
    let params = match params {
        Some(p) => Value::Map(p.clone()),
        None => Value::Nil,
    };
    string_result("match_create", call1("match_create", &[Value::from(module), params])?)
}

/// Signals a running match and returns its answer.
pub fn match_signal(id: &str, data: &str) -> Result<String, Error> {
    string_result(
        "match_signal",
        call1("match_signal", &[Value::from(id), Value::from(data)])?,
    )
}

/// Returns a new random UUID (version 4).
pub fn uuid_v4() -> Result<String, Error> {
    string_result("uuid_v4", call1("uuid_v4", &[])?)
}

/// Returns the current time as UTC unix milliseconds.
pub fn time_ms() -> Result<i64, Error> {
    Ok(call1("time", &[])?.as_int().unwrap_or(0))
}

/// Names a storage object. An empty `user_id` is the server's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageObjectId {
    pub collection: String,
    pub key: String,
    pub user_id: String,
}

/// A stored object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageObject {
    pub collection: String,
    pub key: String,
    pub user_id: String,
    pub version: String,
    pub value: Map,
    pub permission_read: i64,
    pub permission_write: i64,
    pub create_time: i64,
    pub update_time: i64,
}

/// An object to write. An empty `version` writes whatever is stored, `"*"`
/// only a new object; permissions of 0 and 0 take the defaults (1, 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageWrite {
    pub collection: String,
    pub key: String,
    pub user_id: String,
    pub value: Map,
    pub version: String,
    pub permission_read: i64,
    pub permission_write: i64,
}

/// The new version of a written object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageAck {
    pub collection: String,
    pub key: String,
    pub user_id: String,
    pub version: String,
}

/// Inserts `k` unless `v` is empty.
fn put_nonempty(m: &mut Map, k: &str, v: &str) {
    if !v.is_empty() {
        m.insert(k.to_string(), Value::from(v));
    }
}

fn str_of(m: &Value, k: &str) -> String {
    m.get(k).as_str().unwrap_or("").to_string()
}

/// Reads storage objects by id, whatever their permissions. Objects that
/// do not exist are left out.
pub fn storage_read(ids: &[StorageObjectId]) -> Result<Vec<StorageObject>, Error> {
    let list = ids
        .iter()
        .map(|id| {
            let mut m = map! {"collection" => &id.collection, "key" => &id.key};
            put_nonempty(&mut m, "user_id", &id.user_id);
            Value::Map(m)
        })
        .collect();
    let objs = call1("storage_read", &[Value::List(list)])?;
    Ok(objs
        .as_list()
        .unwrap_or(&[])
        .iter()
        .map(|o| StorageObject {
            collection: str_of(o, "collection"),
            key: str_of(o, "key"),
            user_id: str_of(o, "user_id"),
            version: str_of(o, "version"),
            value: o.get("value").as_map().cloned().unwrap_or_default(),
            permission_read: o.get("permission_read").as_int().unwrap_or(0),
            permission_write: o.get("permission_write").as_int().unwrap_or(0),
            create_time: o.get("create_time").as_int().unwrap_or(0),
            update_time: o.get("update_time").as_int().unwrap_or(0),
        })
        .collect())
}

/// Writes storage objects, all or none, whatever their permissions.
pub fn storage_write(objects: &[StorageWrite]) -> Result<Vec<StorageAck>, Error> {
    let list = objects
        .iter()
        .map(|o| {
            let mut m = map! {"collection" => &o.collection, "key" => &o.key, "value" => o.value.clone()};
            put_nonempty(&mut m, "user_id", &o.user_id);
            put_nonempty(&mut m, "version", &o.version);
            if o.permission_read != 0 || o.permission_write != 0 {
                m.insert("permission_read".to_string(), Value::Int(o.permission_read));
                m.insert("permission_write".to_string(), Value::Int(o.permission_write));
            }
            Value::Map(m)
        })
        .collect();
    let acks = call1("storage_write", &[Value::List(list)])?;
    Ok(acks
        .as_list()
        .unwrap_or(&[])
        .iter()
        .map(|a| StorageAck {
            collection: str_of(a, "collection"),
            key: str_of(a, "key"),
            user_id: str_of(a, "user_id"),
            version: str_of(a, "version"),
        })
        .collect())
}
