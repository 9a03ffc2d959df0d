//! A small JSON encoder and parser over [`Value`], for the JSON payloads
//! games exchange with clients.
//!
//! [`to_string`] writes what the server's `nk.json_encode` writes for the
//! same data: object keys sorted, no spaces, `<`, `>`, `&`, U+2028 and
//! U+2029 escaped as `\u003c`..., integral floats as integers, and other
//! floats as JavaScript prints them (`1e-7`, `1e+21`). So a Rust module
//! sends the same bytes as a Lua module. Differences: an empty list is
//! `[]` (Lua cannot tell an empty list from an empty table and writes
//! `{}`); NaN and infinities, which JSON cannot hold, are written as
//! `null`; bytes are written as a string (invalid UTF-8 replaced).
//!
//! [`parse`] reads one JSON value (RFC 8259) into a [`Value`]: objects as
//! maps (the last of repeated keys wins), arrays as lists, integers that
//! fit as `Int`, other numbers as `Float`, `null` as `Nil` (kept in
//! objects, unlike `nk.json_decode`, which leaves null members out).
//! Nesting is limited to [`MAX_DEPTH`] levels (Go allows 10000; a value
//! that deep would overflow the 1 MiB wasm stack when dropped). The parser
//! does not recurse, so no input can exhaust the stack while parsing.

use crate::value::{Map, Value};
use std::fmt;
use std::fmt::Write as _;

/// The deepest nesting [`parse`] accepts.
pub const MAX_DEPTH: usize = 1000;

/// Returns the JSON text of `v`.
pub fn to_string(v: &Value) -> String {
    let mut s = String::new();
    write(&mut s, v);
    s
}

/// Returns the JSON text of a map (an object).
pub fn map_to_string(m: &Map) -> String {
    let mut s = String::new();
    write_map(&mut s, m);
    s
}

/// Appends the JSON text of `v` to `out`.
pub fn write(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{}", i);
        }
        Value::Float(f) => write_float(out, *f),
        Value::String(s) => write_str(out, s),
        Value::Bytes(b) => write_str(out, &String::from_utf8_lossy(b)),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, x);
            }
            out.push(']');
        }
        Value::Map(m) => write_map(out, m),
    }
}

fn write_map(out: &mut String, m: &Map) {
    out.push('{');
    for (i, (k, x)) in m.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write(out, x);
    }
    out.push('}');
}

/// Writes a float as Go's encoding/json does (ES6 number formatting).
fn write_float(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Shortest round-trip digits with an exponent: Rust writes 1e21
        // and 1e-7, JavaScript 1e+21 and 1e-7.
        let s = format!("{:e}", f);
        match s.find('e') {
            Some(at) if !s[at + 1..].starts_with('-') => {
                out.push_str(&s[..at + 1]);
                out.push('+');
                out.push_str(&s[at + 1..]);
            }
            _ => out.push_str(&s),
        }
    } else {
        // Shortest round-trip digits, no exponent: 3 for 3.0, 0.1, -0.
        let _ = write!(out, "{}", f);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string, escaped as Go's encoding/json does.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let hex4 = matches!(c, '\0'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}');
        if esc.is_none() && !hex4 {
            continue;
        }
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 0xf) as usize] as char);
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Text that is not one JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    /// The byte offset of the error.
    pub offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON value, with optional white space around it.
pub fn parse(text: &[u8]) -> Result<Value, JsonError> {
    Parser { b: text, off: 0 }.document()
}

/// Parses a JSON object: an error unless `text` is one.
pub fn parse_object(text: &[u8]) -> Result<Map, JsonError> {
    match parse(text)? {
        Value::Map(m) => Ok(m),
        v => Err(JsonError {
            message: format!("expected an object, got {}", v.type_name()),
            offset: 0,
        }),
    }
}

/// An array or object being parsed.
enum Frame {
    List(Vec<Value>),
    Map(Map, String), // the object so far and the key of the value being parsed
}

struct Parser<'a> {
    b: &'a [u8],
    off: usize,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, message: &str) -> Result<T, JsonError> {
        let message = match self.b.get(self.off) {
            None => format!("{} (unexpected end of input)", message),
            Some(c) if c.is_ascii_graphic() => format!("{} (found {:?})", message, *c as char),
            Some(c) => format!("{} (found byte 0x{:02x})", message, c),
        };
        Err(JsonError {
            message,
            offset: self.off,
        })
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.off) {
            self.off += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.off).copied()
    }

    fn document(mut self) -> Result<Value, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            // Parse the start of a value: a scalar, or open a container.
            self.ws();
            let mut v = match self.peek() {
                Some(b'{') => {
                    if stack.len() >= MAX_DEPTH {
                        return self.fail("nesting too deep");
                    }
                    self.off += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.off += 1;
                        Value::Map(Map::new())
                    } else {
                        let k = self.key()?;
                        stack.push(Frame::Map(Map::new(), k));
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return self.fail("nesting too deep");
                    }
                    self.off += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.off += 1;
                        Value::List(Vec::new())
                    } else {
                        stack.push(Frame::List(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Nil)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return self.fail("expected a value"),
            };
            // Hand the complete value to its container, closing the
            // containers it completes.
            loop {
                self.ws();
                match stack.last_mut() {
                    None => {
                        if self.off != self.b.len() {
                            return self.fail("trailing data after the value");
                        }
                        return Ok(v);
                    }
                    Some(Frame::List(l)) => {
                        l.push(v);
                        match self.peek() {
                            Some(b',') => {
                                self.off += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.off += 1;
                                v = match stack.pop() {
                                    Some(Frame::List(l)) => Value::List(l),
                                    _ => unreachable!(),
                                };
                            }
                            _ => return self.fail("expected ',' or ']'"),
                        }
                    }
                    Some(Frame::Map(m, k)) => {
                        m.insert(std::mem::take(k), v);
                        match self.peek() {
                            Some(b',') => {
                                self.off += 1;
                                self.ws();
                                let key = self.key()?;
                                if let Some(Frame::Map(_, k)) = stack.last_mut() {
                                    *k = key;
                                }
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.off += 1;
                                v = match stack.pop() {
                                    Some(Frame::Map(m, _)) => Value::Map(m),
                                    _ => unreachable!(),
                                };
                            }
                            _ => return self.fail("expected ',' or '}'"),
                        }
                    }
                }
            }
        }
    }

    /// Reads `"key"` and the colon after it.
    fn key(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return self.fail("expected a string key");
        }
        let k = self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return self.fail("expected ':' after an object key");
        }
        self.off += 1;
        Ok(k)
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        if self.b[self.off..].starts_with(word.as_bytes()) {
            self.off += word.len();
            Ok(v)
        } else {
            self.fail("invalid literal")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.off;
        while let Some(b'0'..=b'9') = self.peek() {
            self.off += 1;
        }
        self.off - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.off;
        if self.peek() == Some(b'-') {
            self.off += 1;
        }
        match self.peek() {
            Some(b'0') => self.off += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("invalid number"),
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.off += 1;
            if self.digits() == 0 {
                return self.fail("expected a digit after '.'");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.off += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.off += 1;
            }
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
        }
        // The text is ASCII digits and signs.
        let text = std::str::from_utf8(&self.b[start..self.off]).unwrap_or("");
        if integral {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
        }
        match text.parse::<f64>() {
            Ok(f) => Ok(Value::Float(f)),
            Err(_) => self.fail("invalid number"),
        }
    }

    /// Reads a string at the opening quote. Invalid UTF-8 and lone
    /// surrogates become U+FFFD, as in Go.
    fn string(&mut self) -> Result<String, JsonError> {
        self.off += 1; // the quote
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let start = self.off;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.off += 1;
            }
            buf.extend_from_slice(&self.b[start..self.off]);
            match self.peek() {
                Some(b'"') => {
                    self.off += 1;
                    return Ok(match String::from_utf8(buf) {
                        Ok(s) => s,
                        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    });
                }
                Some(b'\\') => {
                    self.off += 1;
                    let c = match self.peek() {
                        Some(c) => c,
                        None => return self.fail("unterminated escape"),
                    };
                    self.off += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.off -= 1;
                            return self.fail("invalid escape");
                        }
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                None => return self.fail("unterminated string"),
                Some(_) => return self.fail("control character in a string"),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.off..self.off + 4)?;
        let mut n = 0u32;
        for c in h {
            n = n * 16 + (*c as char).to_digit(16)?;
        }
        self.off += 4;
        Some(n)
    }

    /// Reads the XXXX of \uXXXX, and a following \uXXXX when the first is
    /// a high surrogate that it completes.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let n = match self.hex4() {
            Some(n) => n,
            None => return self.fail("invalid \\u escape"),
        };
        if (0xd800..0xdc00).contains(&n) && self.b[self.off..].starts_with(b"\\u") {
            let save = self.off;
            self.off += 2;
            if let Some(lo) = self.hex4() {
                if (0xdc00..0xe000).contains(&lo) {
                    let c = 0x10000 + ((n - 0xd800) << 10) + (lo - 0xdc00);
                    return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
            }
            self.off = save; // the next escape stands alone
        }
        Ok(char::from_u32(n).unwrap_or('\u{fffd}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{list, map};

    #[test]
    fn encodes_like_nk_json_encode() {
        let v = Value::Map(map! {
            "mark" => 1,
            "board" => list![0, 1, 2, 0, 0, 0, 0, 0, 0],
            "marks" => Value::Map(map! {"user-b" => 2, "user-a" => 1}),
        });
        assert_eq!(
            to_string(&v),
            r#"{"board":[0,1,2,0,0,0,0,0,0],"mark":1,"marks":{"user-a":1,"user-b":2}}"#
        );
        assert_eq!(
            to_string(&Value::Map(map! {"game" => "tictactoe", "open" => 1})),
            r#"{"game":"tictactoe","open":1}"#
        );
        assert_eq!(to_string(&Value::Map(map! {})), "{}");
        assert_eq!(to_string(&Value::List(vec![])), "[]");
        assert_eq!(to_string(&Value::Nil), "null");
        assert_eq!(
            to_string(&list![true, false, Value::Nil, -7, i64::MIN]),
            "[true,false,null,-7,-9223372036854775808]"
        );
    }

    #[test]
    fn escapes_like_go() {
        let cases = [
            ("plain", r#""plain""#),
            ("a\"b\\c", r#""a\"b\\c""#),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#),
            ("\u{0}\u{1}\u{1f}", r#""\u0000\u0001\u001f""#),
            ("<a href='x'>&</a>", r#""\u003ca href='x'\u003e\u0026\u003c/a\u003e""#),
            ("\u{2028}\u{2029}", r#""\u2028\u2029""#),
            ("é✓😀/\u{7f}", "\"é✓😀/\u{7f}\""),
        ];
        for (s, want) in cases {
            let mut out = String::new();
            write_str(&mut out, s);
            assert_eq!(out, want, "escaping {:?}", s);
            assert_eq!(parse(out.as_bytes()).unwrap(), Value::from(s), "parsing back {}", out);
        }
        assert_eq!(to_string(&Value::bytes(vec![b'a', 0xff])), "\"a\u{fffd}\"");
    }

    #[test]
    fn floats_like_go() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (3.0, "3"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (-1.25e-10, "-1.25e-10"),
            (123456789.125, "123456789.125"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ];
        for (f, want) in cases {
            assert_eq!(to_string(&Value::Float(f)), want, "{:?}", f);
        }
    }

    #[test]
    fn parses() {
        let v = parse(br#" {"position": 4, "b": [1, 2.5, -0, 1e2, "x", null, true, false, {}, []], "a": {"k": "v"}} "#)
            .unwrap();
        assert_eq!(v.get("position"), &Value::Int(4));
        assert_eq!(
            v.get("b"),
            &list![
                1,
                2.5,
                0,
                100.0,
                "x",
                Value::Nil,
                true,
                false,
                Value::Map(Map::new()),
                Value::List(vec![])
            ]
        );
        assert_eq!(v.get("a").get("k"), &Value::from("v"));
        assert_eq!(parse(b"4.0").unwrap(), Value::Float(4.0));
        assert_eq!(
            parse(b"12345678901234567890").unwrap(),
            Value::Float(12345678901234567890.0)
        );
        assert_eq!(parse(b"-9223372036854775808").unwrap(), Value::Int(i64::MIN));
        assert_eq!(parse(br#"{"a":1,"a":2}"#).unwrap(), Value::Map(map! {"a" => 2}));
        assert_eq!(parse(br#""\u00e9\ud83d\ude00\/""#).unwrap(), Value::from("é😀/"));
        assert_eq!(parse(br#""\ud800x""#).unwrap(), Value::from("\u{fffd}x"));
        assert_eq!(parse(br#""\ud800\u0041""#).unwrap(), Value::from("\u{fffd}A"));
        assert_eq!(parse(b"\"\xff\"").unwrap(), Value::from("\u{fffd}"));
        assert_eq!(parse_object(br#"{"position":1}"#).unwrap(), map! {"position" => 1});
        assert!(parse_object(b"[1]").is_err());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\nb\"",
            "1 2",
            "{} x",
            "[1]]",
            "NaN",
            "'a'",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{:?} parsed", bad);
        }
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(parse(deep(MAX_DEPTH).as_bytes()).is_ok());
        let e = parse(deep(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        assert!(e.message.contains("nesting too deep"), "{}", e);
        let objs = "{\"a\":".repeat(MAX_DEPTH) + "1" + &"}".repeat(MAX_DEPTH);
        assert!(parse(objs.as_bytes()).is_ok());
        // Far deeper input fails without exhausting the stack.
        assert!(parse("[".repeat(1 << 20).as_bytes()).is_err());
    }

    #[test]
    fn roundtrip() {
        let v = Value::Map(map! {"z" => list![1, -2.5, "s<>&"], "a" => Value::Map(map! {"n" => Value::Nil})});
        assert_eq!(parse(to_string(&v).as_bytes()).unwrap(), v);
    }
}
