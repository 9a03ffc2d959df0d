//! The value encoding of ABI.md §3: one tag byte, then the tag's payload.
//!
//! [`decode`] is strict, as the host is: it rejects reserved tags, trailing
//! bytes, repeated map keys, varints longer than 10 bytes, nesting deeper
//! than [`MAX_DEPTH`], messages over [`MAX_MESSAGE_BYTES`], and any length
//! or count larger than the bytes left (before allocating anything).

use crate::value::{Map, Value};
use std::fmt;

/// The largest message the host reads or writes: 16 MiB.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;
/// The deepest nesting of lists and maps: a list or map at depth 64 (the
/// elements of a top-level list are at depth 1) is an error.
pub const MAX_DEPTH: usize = 64;

/// The most list elements the decoder allocates room for up front.
const PREALLOCATE: usize = 1024;

pub(crate) const TAG_NIL: u8 = 0x00;
pub(crate) const TAG_FALSE: u8 = 0x01;
pub(crate) const TAG_TRUE: u8 = 0x02;
pub(crate) const TAG_INT: u8 = 0x03;
pub(crate) const TAG_FLOAT: u8 = 0x04;
pub(crate) const TAG_STRING: u8 = 0x05;
pub(crate) const TAG_BYTES: u8 = 0x06;
pub(crate) const TAG_LIST: u8 = 0x07;
pub(crate) const TAG_MAP: u8 = 0x08;

/// A value that could not be encoded or decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    pub message: String,
}

impl CodecError {
    fn new(message: String) -> Self {
        CodecError { message }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed value: {}", self.message)
    }
}

impl std::error::Error for CodecError {}

/// Returns the encoding of `v`.
pub fn encode(v: &Value) -> Result<Vec<u8>, CodecError> {
    let mut e = Encoder::new();
    e.value(v)?;
    e.finish()
}

/// Decodes one message: exactly one value, with no trailing bytes.
pub fn decode(b: &[u8]) -> Result<Value, CodecError> {
    if b.len() > MAX_MESSAGE_BYTES {
        return Err(CodecError::new(format!(
            "message of {} bytes exceeds {}",
            b.len(),
            MAX_MESSAGE_BYTES
        )));
    }
    let mut d = Decoder { b, off: 0 };
    let v = d.value(0)?;
    if d.off != b.len() {
        return Err(CodecError::new(format!("{} trailing bytes", b.len() - d.off)));
    }
    Ok(v)
}

/// Appends the unsigned LEB128 encoding of `v` to `buf`.
pub fn put_uvarint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// The zigzag mapping of an int64 to a uint64: 0→0, -1→1, 1→2, -2→3.
pub fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

/// Appends encoded values to a buffer. Besides [`Encoder::value`], it
/// writes values piece by piece: [`Encoder::map`] writes a map header, then
/// the caller writes that many [`Encoder::key`]s, each followed by a value.
#[derive(Default, Debug)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    pub fn new() -> Self {
        Encoder { buf: Vec::new() }
    }

    /// An encoder that appends to `buf`.
    pub fn with_buffer(buf: Vec<u8>) -> Self {
        Encoder { buf }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Returns the buffer.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Returns the buffer, or an error if it exceeds [`MAX_MESSAGE_BYTES`].
    pub fn finish(self) -> Result<Vec<u8>, CodecError> {
        if self.buf.len() > MAX_MESSAGE_BYTES {
            return Err(CodecError::new(format!(
                "message of {} bytes exceeds {}",
                self.buf.len(),
                MAX_MESSAGE_BYTES
            )));
        }
        Ok(self.buf)
    }

    /// Empties the buffer, keeping its memory.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    pub fn nil(&mut self) {
        self.buf.push(TAG_NIL);
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { TAG_TRUE } else { TAG_FALSE });
    }

    pub fn int(&mut self, v: i64) {
        self.buf.push(TAG_INT);
        put_uvarint(&mut self.buf, zigzag(v));
    }

    pub fn float(&mut self, v: f64) {
        self.buf.push(TAG_FLOAT);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn string(&mut self, s: &str) {
        self.buf.push(TAG_STRING);
        put_uvarint(&mut self.buf, s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.push(TAG_BYTES);
        put_uvarint(&mut self.buf, b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    /// Writes the header of a list of `n` values, which must follow.
    pub fn list(&mut self, n: usize) {
        self.buf.push(TAG_LIST);
        put_uvarint(&mut self.buf, n as u64);
    }

    /// Writes the header of a map of `n` entries: `n` times a
    /// [`Encoder::key`] and a value must follow, with no key repeated.
    pub fn map(&mut self, n: usize) {
        self.buf.push(TAG_MAP);
        put_uvarint(&mut self.buf, n as u64);
    }

    /// Appends bytes that already hold encoded values.
    pub fn encoded(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Writes a map key (no tag).
    pub fn key(&mut self, k: &str) {
        put_uvarint(&mut self.buf, k.len() as u64);
        self.buf.extend_from_slice(k.as_bytes());
    }

    /// Writes a whole value. Fails when it nests deeper than
    /// [`MAX_DEPTH`]; what was written of it is then left in the buffer.
    pub fn value(&mut self, v: &Value) -> Result<(), CodecError> {
        self.value_at(v, 0)
    }

    fn value_at(&mut self, v: &Value, depth: usize) -> Result<(), CodecError> {
        match v {
            Value::Nil => self.nil(),
            Value::Bool(b) => self.bool(*b),
            Value::Int(i) => self.int(*i),
            Value::Float(f) => self.float(*f),
            Value::String(s) => self.string(s),
            Value::Bytes(b) => self.bytes(b),
            Value::List(l) => {
                check_depth(depth)?;
                self.list(l.len());
                for x in l {
                    self.value_at(x, depth + 1)?;
                }
            }
            Value::Map(m) => {
                check_depth(depth)?;
                self.map(m.len());
                for (k, x) in m {
                    self.key(k);
                    self.value_at(x, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

fn check_depth(depth: usize) -> Result<(), CodecError> {
    if depth >= MAX_DEPTH {
        return Err(CodecError::new(format!("nesting deeper than {}", MAX_DEPTH)));
    }
    Ok(())
}

struct Decoder<'a> {
    b: &'a [u8],
    off: usize,
}

impl<'a> Decoder<'a> {
    fn uvarint(&mut self) -> Result<u64, CodecError> {
        let start = self.off;
        let mut x: u64 = 0;
        let mut shift = 0u32;
        for i in 0..10 {
            let b = match self.b.get(self.off) {
                Some(b) => *b,
                None => return Err(CodecError::new(format!("truncated varint at {}", start))),
            };
            self.off += 1;
            if b < 0x80 {
                if i == 9 && b > 1 {
                    break;
                }
                return Ok(x | (b as u64) << shift);
            }
            x |= ((b & 0x7f) as u64) << shift;
            shift += 7;
        }
        Err(CodecError::new(format!("varint overflow at {}", start)))
    }

    /// Reads a length or count that cannot exceed the bytes left.
    fn length(&mut self) -> Result<usize, CodecError> {
        let at = self.off;
        let n = self.uvarint()?;
        let left = self.b.len() - self.off;
        if n > left as u64 {
            return Err(CodecError::new(format!(
                "length {} at {} exceeds the {} bytes left",
                n, at, left
            )));
        }
        Ok(n as usize)
    }

    fn raw(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.length()?;
        let s = &self.b[self.off..self.off + n];
        self.off += n;
        Ok(s)
    }

    fn string(&mut self) -> Result<String, CodecError> {
        let raw = self.raw()?;
        Ok(match std::str::from_utf8(raw) {
            Ok(s) => s.to_string(),
            Err(_) => String::from_utf8_lossy(raw).into_owned(),
        })
    }

    fn value(&mut self, depth: usize) -> Result<Value, CodecError> {
        let tag = match self.b.get(self.off) {
            Some(t) => *t,
            None => return Err(CodecError::new(format!("truncated value at {}", self.off))),
        };
        self.off += 1;
        Ok(match tag {
            TAG_NIL => Value::Nil,
            TAG_FALSE => Value::Bool(false),
            TAG_TRUE => Value::Bool(true),
            TAG_INT => Value::Int(unzigzag(self.uvarint()?)),
            TAG_FLOAT => {
                if self.b.len() - self.off < 8 {
                    return Err(CodecError::new(format!("truncated float at {}", self.off)));
                }
                let mut a = [0u8; 8];
                a.copy_from_slice(&self.b[self.off..self.off + 8]);
                self.off += 8;
                Value::Float(f64::from_le_bytes(a))
            }
            TAG_STRING => Value::String(self.string()?),
            TAG_BYTES => Value::Bytes(self.raw()?.to_vec()),
            TAG_LIST => {
                check_depth(depth)?;
                let n = self.length()?;
                // n is at most the bytes left, but a Value is 16 bytes or
                // more: preallocate little, grow with what really comes.
                let mut l = Vec::with_capacity(n.min(PREALLOCATE));
                for _ in 0..n {
                    l.push(self.value(depth + 1)?);
                }
                Value::List(l)
            }
            TAG_MAP => {
                check_depth(depth)?;
                let n = self.length()?;
                let mut m = Map::new();
                for _ in 0..n {
                    let at = self.off;
                    let k = self.string()?;
                    if m.contains_key(&k) {
                        return Err(CodecError::new(format!("duplicate map key {:?} at {}", k, at)));
                    }
                    let v = self.value(depth + 1)?;
                    m.insert(k, v);
                }
                Value::Map(m)
            }
            _ => {
                return Err(CodecError::new(format!(
                    "unknown tag 0x{:02x} at {}",
                    tag,
                    self.off - 1
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{list, map};

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn err(b: &[u8]) -> String {
        match decode(b) {
            Ok(v) => panic!("decoded {:?} from {:02x?}, want an error", v, b),
            Err(e) => e.message,
        }
    }

    #[test]
    fn abi_examples() {
        // The examples of ABI.md §3, both ways.
        let cases: Vec<(Value, &str)> = vec![
            (Value::Nil, "00"),
            (Value::Bool(true), "02"),
            (Value::Bool(false), "01"),
            (Value::Int(0), "03 00"),
            (Value::Int(-1), "03 01"),
            (Value::Int(150), "03 ac 02"),
            (Value::Float(1.5), "04 00 00 00 00 00 00 f8 3f"),
            (Value::from("hi"), "05 02 68 69"),
            (Value::bytes(vec![0x01, 0xff]), "06 02 01 ff"),
            (list![1, "a"], "07 02 03 02 05 01 61"),
            (Value::Map(map! {"op" => 3}), "08 01 02 6f 70 03 06"),
            (Value::Map(map! {}), "08 00"),
        ];
        for (v, h) in cases {
            assert_eq!(encode(&v).unwrap(), hex(h), "encode {:?}", v);
            assert_eq!(decode(&hex(h)).unwrap(), v, "decode {}", h);
        }
    }

    #[test]
    fn zigzag_values() {
        for (n, u) in [(0i64, 0u64), (-1, 1), (1, 2), (-2, 3), (2, 4)] {
            assert_eq!(zigzag(n), u);
            assert_eq!(unzigzag(u), n);
        }
        for n in [i64::MIN, i64::MAX, i64::MIN + 1, 1 << 40, -(1 << 40)] {
            assert_eq!(unzigzag(zigzag(n)), n);
            let b = encode(&Value::Int(n)).unwrap();
            assert_eq!(decode(&b).unwrap(), Value::Int(n));
        }
        // i64::MIN is the largest zigzag value: 10 bytes, the last one 1.
        assert_eq!(
            encode(&Value::Int(i64::MIN)).unwrap(),
            hex("03 ff ff ff ff ff ff ff ff ff 01")
        );
    }

    #[test]
    fn roundtrip_nested() {
        let v = Value::Map(map! {
            "board" => list![0, 1, 2],
            "nested" => Value::Map(map! {"x" => Value::Nil, "y" => -2.25, "z" => Value::bytes(vec![])}),
            "s" => "héllo",
            "empty" => Value::List(vec![]),
            "t" => true,
        });
        let b = encode(&v).unwrap();
        assert_eq!(decode(&b).unwrap(), v);
    }

    #[test]
    fn varints() {
        // Non-minimal encodings are accepted.
        assert_eq!(decode(&hex("03 80 00")).unwrap(), Value::Int(0));
        assert_eq!(decode(&hex("05 82 80 00 68 69")).unwrap(), Value::from("hi"));
        // A 10th byte above 1 overflows; so do 11 bytes.
        assert!(err(&hex("03 ff ff ff ff ff ff ff ff ff 02")).contains("overflow"));
        assert!(err(&hex("03 ff ff ff ff ff ff ff ff ff 81 00")).contains("overflow"));
        assert!(err(&hex("03 80")).contains("truncated varint"));
        assert!(err(&hex("03")).contains("truncated varint"));
    }

    #[test]
    fn strictness() {
        assert!(err(&[]).contains("truncated value"));
        assert!(err(&hex("00 00")).contains("1 trailing bytes"));
        for tag in [0x09u8, 0x0a, 0x7f, 0xff] {
            assert!(err(&[tag]).contains("unknown tag"), "tag {:#x}", tag);
        }
        assert!(err(&hex("04 00 00 00")).contains("truncated float"));
        // Lengths and counts larger than the bytes left, before allocating.
        assert!(err(&hex("05 03 68 69")).contains("exceeds the 2 bytes left"));
        assert!(err(&hex("06 ff ff ff ff 0f")).contains("exceeds"));
        assert!(err(&hex("07 ff ff ff ff ff ff ff ff 7f")).contains("exceeds"));
        assert!(err(&hex("08 05 00")).contains("exceeds"));
        assert!(err(&hex("07 02 00")).contains("exceeds the 1 bytes left"));
        assert!(err(&hex("08 01 01 61")).contains("truncated value"));
        // A map key longer than what is left.
        assert!(err(&hex("08 01 05 61")).contains("exceeds"));
        // A repeated key.
        assert!(err(&hex("08 02 01 61 00 01 61 02")).contains("duplicate map key"));
    }

    fn nested(depth: usize) -> Vec<u8> {
        // depth lists, each holding the next; the innermost is empty.
        let mut b = Vec::new();
        for _ in 0..depth - 1 {
            b.extend_from_slice(&[TAG_LIST, 1]);
        }
        b.extend_from_slice(&[TAG_LIST, 0]);
        b
    }

    #[test]
    fn depth_limit() {
        // 64 nested lists: the innermost at depth 63. 65: one at depth 64.
        assert!(decode(&nested(MAX_DEPTH)).is_ok());
        assert!(err(&nested(MAX_DEPTH + 1)).contains("nesting deeper than 64"));
        let mut maps = Vec::new();
        for _ in 0..MAX_DEPTH {
            maps.extend_from_slice(&[TAG_MAP, 1, 1, b'k']);
        }
        maps.push(TAG_NIL);
        assert!(decode(&maps).is_ok());

        let mut v = Value::List(vec![]);
        for _ in 0..MAX_DEPTH - 1 {
            v = Value::List(vec![v]);
        }
        assert_eq!(encode(&v).unwrap(), nested(MAX_DEPTH));
        let too_deep = Value::List(vec![v]);
        assert!(encode(&too_deep).is_err());
    }

    #[test]
    fn size_limit() {
        let big = vec![0u8; MAX_MESSAGE_BYTES + 1];
        assert!(err(&big).contains("exceeds"));
        let v = Value::bytes(vec![7u8; MAX_MESSAGE_BYTES]);
        assert!(encode(&v).is_err(), "a value encoding to more than 16 MiB");
        let ok = Value::bytes(vec![7u8; MAX_MESSAGE_BYTES - 5]);
        let b = encode(&ok).unwrap();
        assert_eq!(b.len(), MAX_MESSAGE_BYTES);
        assert_eq!(decode(&b).unwrap(), ok);
    }

    #[test]
    fn large_lists() {
        // A list of 100000 nils: one byte each in, well past the preallocation.
        let mut b = vec![TAG_LIST];
        put_uvarint(&mut b, 100_000);
        b.resize(b.len() + 100_000, TAG_NIL);
        match decode(&b).unwrap() {
            Value::List(l) => assert_eq!(l.len(), 100_000),
            v => panic!("{:?}", v),
        }
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(decode(&hex("05 02 ff 61")).unwrap(), Value::from("\u{fffd}a"));
        // Bytes keep every byte.
        assert_eq!(decode(&hex("06 02 ff 61")).unwrap(), Value::bytes(vec![0xff, 0x61]));
    }

    #[test]
    fn piecewise_encoder() {
        let mut e = Encoder::new();
        e.map(2);
        e.key("op");
        e.int(3);
        e.key("l");
        e.list(2);
        e.string("a");
        e.bytes(b"b");
        let b = e.finish().unwrap();
        assert_eq!(
            decode(&b).unwrap(),
            Value::Map(map! {"op" => 3, "l" => Value::List(vec![Value::from("a"), Value::bytes(b"b".to_vec())])})
        );
    }

    #[test]
    fn numbers_convert() {
        assert_eq!(Value::Float(3.0).as_int(), Some(3));
        assert_eq!(Value::Float(-0.0).as_int(), Some(0));
        assert_eq!(Value::Float(3.5).as_int(), None);
        assert_eq!(Value::Float(9.3e18).as_int(), None);
        assert_eq!(Value::Float(-9_223_372_036_854_775_808.0).as_int(), Some(i64::MIN));
        assert_eq!(Value::Float(f64::NAN).as_int(), None);
        assert_eq!(Value::Int(2).as_float(), Some(2.0));
        assert_eq!(Value::from("x").as_int(), None);
    }
}
