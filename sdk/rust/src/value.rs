//! The value model of the ABI (ABI.md §3): what crosses the boundary
//! between the host and the guest, and what the JSON module reads and
//! writes.

use std::collections::BTreeMap;

/// A map of the value model. Keys are strings; a `BTreeMap` keeps them
/// sorted (by bytes, as Go sorts strings), so encodings are deterministic.
pub type Map = BTreeMap<String, Value>;

/// One value of the ABI's value model.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// nil (Lua's nil, JSON's null).
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string. Strings the host sends that are not valid UTF-8 are
    /// decoded with invalid sequences replaced by U+FFFD.
    String(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Map(Map),
}

/// The nil value, for borrowing.
pub static NIL: Value = Value::Nil;

impl Value {
    /// Reports whether the value is nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The bool, if the value is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as an integer: an int, or a float without fraction that
    /// fits in an i64 (as the host reads ints, ABI.md §3).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) => float_to_int(*f),
            _ => None,
        }
    }

    /// The value as a float: a float, or an int converted.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes of a bytes or string value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            Value::String(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// The elements, if the value is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The map, if the value is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The entry `key` of a map; nil when the value is not a map or has
    /// no such key.
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Map(m) => m.get(key).unwrap_or(&NIL),
            _ => &NIL,
        }
    }

    /// A bytes value (`Value::from(Vec<u8>)` does the same).
    pub fn bytes(b: impl Into<Vec<u8>>) -> Value {
        Value::Bytes(b.into())
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }
}

/// Converts a float without fraction to an i64, if it fits.
pub(crate) fn float_to_int(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; every float in [-2^63, 2^63) with no
    // fraction converts exactly.
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Int(v as i64)
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32, isize);

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(v as f64)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::String(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(v)
    }
}

impl From<Map> for Value {
    fn from(v: Map) -> Self {
        Value::Map(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        match v {
            Some(x) => x.into(),
            None => Value::Nil,
        }
    }
}

impl<T: Into<Value> + Clone> From<&[T]> for Value {
    fn from(v: &[T]) -> Self {
        Value::List(v.iter().cloned().map(Into::into).collect())
    }
}

/// Builds a [`Map`](crate::Map): `map! { "op" => 3, "name" => "x" }`.
/// Values are anything that converts into a [`Value`](crate::Value).
#[macro_export]
macro_rules! map {
    () => { $crate::Map::new() };
    ($($k:expr => $v:expr),+ $(,)?) => {{
        let mut m = $crate::Map::new();
        $( m.insert(::std::string::String::from($k), $crate::Value::from($v)); )+
        m
    }};
}

/// Builds a list [`Value`](crate::Value): `list![1, "a", true]`.
#[macro_export]
macro_rules! list {
    ($($v:expr),* $(,)?) => {
        $crate::Value::List(::std::vec![$( $crate::Value::from($v) ),*])
    };
}
