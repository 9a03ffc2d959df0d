// A small JSON writer and reader for game payloads.
//
// The writer produces what the server's nk.json_encode produces, byte for
// byte, so that games written in any language send the same messages: no
// spaces, map keys sorted (by UTF-8 bytes) when writing a Value, integral
// numbers as integers, and strings escaped as Go's encoding/json escapes
// them (<, > and & as \u003c \u003e \u0026; U+2028 and U+2029 escaped;
// \b \f \n \r \t; other control characters as \u00XX; a lone surrogate as
// \ufffd).
//
// The reader follows RFC 8259 like Go's decoder: integers that fit in 64
// bits are ints, other numbers floats; objects are maps (a null member is
// kept as nil), arrays are lists.

import { Kind, Value } from "./codec";

const HEX = "0123456789abcdef";

/** Compares strings in UTF-8 byte order (code point order), as Go sorts keys. */
export function compareUtf8(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = <i32>a.charCodeAt(i), y = <i32>b.charCodeAt(i);
    if (x == y) continue;
    // Surrogates (U+10000 and up) sort after U+E000..U+FFFF in UTF-8.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * JsonWriter writes JSON into a buffer it reuses across reset() calls.
 * Commas are automatic. Object keys are written in the order given: write
 * them sorted to produce what nk.json_encode produces.
 */
export class JsonWriter {
  private buf: ArrayBuffer;
  private len: i32 = 0;
  // One bit per open array/object (up to 64 levels): 1 once it has an item.
  private filled: u64 = 0;
  private level: i32 = 0;
  private afterKey: bool = false;

  constructor(capacity: i32 = 128) {
    this.buf = new ArrayBuffer(capacity > 16 ? capacity : 16);
  }

  reset(): JsonWriter {
    this.len = 0;
    this.filled = 0;
    this.level = 0;
    this.afterKey = false;
    return this;
  }
  /** Bytes written. */
  get length(): i32 {
    return this.len;
  }
  /** Address of the bytes in memory, valid until the next write. */
  get dataStart(): usize {
    return changetype<usize>(this.buf);
  }
  toString(): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.buf), <usize>this.len);
  }
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    memory.copy(out.dataStart, changetype<usize>(this.buf), <usize>this.len);
    return out;
  }

  private grow(n: i32): usize {
    const need = this.len + n;
    let cap = this.buf.byteLength;
    if (need > cap) {
      while (cap < need) cap <<= 1;
      const nb = new ArrayBuffer(cap);
      memory.copy(changetype<usize>(nb), changetype<usize>(this.buf), <usize>this.len);
      this.buf = nb;
    }
    const at = changetype<usize>(this.buf) + <usize>this.len;
    this.len = need;
    return at;
  }

  private ch(c: u32): void {
    store<u8>(this.grow(1), <u8>c);
  }

  private ascii(s: string): void {
    const n = s.length;
    const at = this.grow(n);
    for (let i = 0; i < n; i++) store<u8>(at + <usize>i, <u8>s.charCodeAt(i));
  }

  // Before a value: a comma when the enclosing array already has an item.
  private item(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    if (this.level > 0) {
      const bit: u64 = (<u64>1) << (<u64>((this.level - 1) & 63));
      if (this.filled & bit) this.ch(0x2c);
      else this.filled |= bit;
    }
  }

  beginObject(): JsonWriter {
    this.item();
    this.ch(0x7b);
    this.open();
    return this;
  }
  endObject(): JsonWriter {
    this.close();
    this.ch(0x7d);
    return this;
  }
  beginArray(): JsonWriter {
    this.item();
    this.ch(0x5b);
    this.open();
    return this;
  }
  endArray(): JsonWriter {
    this.close();
    this.ch(0x5d);
    return this;
  }
  private open(): void {
    assert(this.level < 64, "JsonWriter: nesting deeper than 64");
    this.level++;
    this.filled &= ~((<u64>1) << (<u64>((this.level - 1) & 63)));
  }
  private close(): void {
    this.level--;
  }
  /** An object key; its value must follow. */
  key(k: string): JsonWriter {
    this.item();
    this.quote(k);
    this.ch(0x3a);
    this.afterKey = true;
    return this;
  }
  string(s: string): JsonWriter {
    this.item();
    this.quote(s);
    return this;
  }
  int(v: i64): JsonWriter {
    this.item();
    if (v >= 0 && v < 10) this.ch(0x30 + <u32>v);
    else this.ascii(v.toString());
    return this;
  }
  /** A number: integral values as integers; NaN and infinities as null. */
  float(f: f64): JsonWriter {
    if (!isFinite(f)) return this.nil();
    // Integers below 2^53 are their own shortest representation.
    if (Math.floor(f) == f && Math.abs(f) < 9007199254740992.0) return this.int(<i64>f);
    this.item();
    // The shortest digits, in JavaScript's (and Go's) layout; AssemblyScript
    // writes integral values with a ".0" that Go does not.
    let s = f.toString();
    if (s.endsWith(".0")) s = s.substring(0, s.length - 2);
    this.ascii(s);
    return this;
  }
  bool(b: bool): JsonWriter {
    this.item();
    this.ascii(b ? "true" : "false");
    return this;
  }
  nil(): JsonWriter {
    this.item();
    this.ascii("null");
    return this;
  }
  /** Already encoded JSON text, written as is. */
  raw(json: string): JsonWriter {
    this.item();
    const n = String.UTF8.byteLength(json);
    String.UTF8.encodeUnsafe(changetype<usize>(json), json.length, this.grow(n));
    return this;
  }
  /** A list of ints. */
  ints(l: i64[]): JsonWriter {
    this.beginArray();
    for (let i = 0; i < l.length; i++) this.int(unchecked(l[i]));
    return this.endArray();
  }
  /** A list of i32s. */
  ints32(l: i32[]): JsonWriter {
    this.beginArray();
    for (let i = 0; i < l.length; i++) this.int(<i64>unchecked(l[i]));
    return this.endArray();
  }

  /**
   * Any Value, as nk.json_encode writes it: map keys sorted, bytes as
   * strings, NaN and infinities as null.
   */
  value(v: Value): JsonWriter {
    switch (v.kind) {
      case Kind.Nil:
        return this.nil();
      case Kind.Bool:
        return this.bool(v.asBool());
      case Kind.Int:
        return this.int(v.asInt());
      case Kind.Float:
        return this.float(v.asFloat());
      case Kind.String:
      case Kind.Bytes:
        return this.string(v.asString());
      case Kind.List: {
        const l = v.asList();
        this.beginArray();
        for (let i = 0; i < l.length; i++) this.value(unchecked(l[i]));
        return this.endArray();
      }
      case Kind.Map: {
        const keys = v.keys();
        keys.sort(compareUtf8);
        this.beginObject();
        for (let i = 0; i < keys.length; i++) {
          const k = unchecked(keys[i]);
          this.key(k);
          this.value(v.get(k));
        }
        return this.endObject();
      }
    }
    return this;
  }

  private uescape(c: u32): void {
    const at = this.grow(6);
    store<u8>(at, 0x5c);
    store<u8>(at, 0x75, 1);
    store<u8>(at, <u8>HEX.charCodeAt((c >> 12) & 15), 2);
    store<u8>(at, <u8>HEX.charCodeAt((c >> 8) & 15), 3);
    store<u8>(at, <u8>HEX.charCodeAt((c >> 4) & 15), 4);
    store<u8>(at, <u8>HEX.charCodeAt(c & 15), 5);
  }

  private esc(c: u32): void {
    const at = this.grow(2);
    store<u8>(at, 0x5c);
    store<u8>(at, <u8>c, 1);
  }

  private quote(s: string): void {
    this.ch(0x22);
    const n = s.length;
    const src = changetype<usize>(s);
    for (let i = 0; i < n; i++) {
      const c = <u32>load<u16>(src + (<usize>i << 1));
      if (c < 0x80) {
        if (c >= 0x20 && c != 0x22 && c != 0x5c && c != 0x3c && c != 0x3e && c != 0x26) {
          this.ch(c);
          continue;
        }
        switch (c) {
          case 0x22:
            this.esc(0x22);
            break;
          case 0x5c:
            this.esc(0x5c);
            break;
          case 0x08:
            this.esc(0x62);
            break;
          case 0x0c:
            this.esc(0x66);
            break;
          case 0x0a:
            this.esc(0x6e);
            break;
          case 0x0d:
            this.esc(0x72);
            break;
          case 0x09:
            this.esc(0x74);
            break;
          default:
            this.uescape(c); // other controls, <, >, &
        }
        continue;
      }
      if (c < 0x800) {
        const at = this.grow(2);
        store<u8>(at, <u8>(0xc0 | (c >> 6)));
        store<u8>(at, <u8>(0x80 | (c & 63)), 1);
        continue;
      }
      if (c == 0x2028 || c == 0x2029) {
        this.uescape(c);
        continue;
      }
      if (c >= 0xd800 && c < 0xe000) {
        if (c < 0xdc00 && i + 1 < n) {
          const d = <u32>load<u16>(src + (<usize>(i + 1) << 1));
          if (d >= 0xdc00 && d < 0xe000) {
            const cp = 0x10000 + (((c & 0x3ff) << 10) | (d & 0x3ff));
            const at = this.grow(4);
            store<u8>(at, <u8>(0xf0 | (cp >> 18)));
            store<u8>(at, <u8>(0x80 | ((cp >> 12) & 63)), 1);
            store<u8>(at, <u8>(0x80 | ((cp >> 6) & 63)), 2);
            store<u8>(at, <u8>(0x80 | (cp & 63)), 3);
            i++;
            continue;
          }
        }
        this.uescape(0xfffd); // a lone surrogate is not valid UTF-8
        continue;
      }
      const at = this.grow(3);
      store<u8>(at, <u8>(0xe0 | (c >> 12)));
      store<u8>(at, <u8>(0x80 | ((c >> 6) & 63)), 1);
      store<u8>(at, <u8>(0x80 | (c & 63)), 2);
    }
    this.ch(0x22);
  }
}

/** The deepest nesting of arrays and objects the reader accepts. */
export const JSON_MAX_DEPTH: i32 = 512;

/** JsonReader parses one JSON text from memory [ptr, ptr+len). */
export class JsonReader {
  private pos: usize;
  private end: usize;
  private start: usize;
  private depth: i32 = 0;
  /** The first error, or null. */
  error: string | null = null;
  /** The object holding the text, kept alive while parsing. */
  owner: Object | null = null;

  constructor(ptr: usize, len: i32) {
    this.start = ptr;
    this.pos = ptr;
    this.end = ptr + <usize>len;
  }

  /** Parses the whole text: one value, optionally surrounded by whitespace. */
  parse(): Value | null {
    const v = this.value();
    this.ws();
    if (this.error == null && this.pos != this.end) this.fail("invalid character after top-level value");
    return this.error == null ? v : null;
  }

  private fail(msg: string): void {
    if (this.error == null) {
      this.error = msg + " at offset " + (<i32>(this.pos - this.start)).toString();
    }
    this.pos = this.end;
  }

  private ws(): void {
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return;
      this.pos++;
    }
  }

  private peek(): i32 {
    return this.pos < this.end ? <i32>load<u8>(this.pos) : -1;
  }

  private lit(word: string, v: Value): Value {
    const n = word.length;
    if (<usize>n > this.end - this.pos) {
      this.fail("unexpected end of JSON input");
      return Value.nil();
    }
    for (let i = 0; i < n; i++) {
      if (<i32>load<u8>(this.pos + <usize>i) != word.charCodeAt(i)) {
        this.fail("invalid literal");
        return Value.nil();
      }
    }
    this.pos += <usize>n;
    return v;
  }

  private value(): Value {
    this.ws();
    const c = this.peek();
    switch (c) {
      case -1:
        this.fail("unexpected end of JSON input");
        return Value.nil();
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return Value.str(this.str());
      case 0x74:
        return this.lit("true", Value.bool(true));
      case 0x66:
        return this.lit("false", Value.bool(false));
      case 0x6e:
        return this.lit("null", Value.nil());
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    this.fail("invalid character looking for beginning of value");
    return Value.nil();
  }

  private enter(): bool {
    if (++this.depth > JSON_MAX_DEPTH) {
      this.fail("exceeded max depth");
      return false;
    }
    return true;
  }

  // After an item of an object or array: true when a comma says another
  // follows; false at the closing byte close (read) or on an error (what).
  private more(close: i32, what: string): bool {
    this.ws();
    const c = this.peek();
    if (c == 0x2c) {
      this.pos++;
      return true;
    }
    if (c == close) {
      this.pos++;
      return false;
    }
    this.fail(c < 0 ? "unexpected end of JSON input" : what);
    return false;
  }

  private object(): Value {
    this.pos++; // {
    const v = Value.map();
    if (!this.enter()) return v;
    this.ws();
    if (this.peek() == 0x7d) {
      this.pos++;
      this.depth--;
      return v;
    }
    while (this.error == null) {
      this.ws();
      if (this.peek() != 0x22) {
        this.fail("invalid character looking for beginning of object key string");
        break;
      }
      const k = this.str();
      this.ws();
      if (this.peek() != 0x3a) {
        this.fail("invalid character after object key");
        break;
      }
      this.pos++;
      const item = this.value();
      if (this.error != null) break;
      v.set(k, item); // a repeated key: the last one wins, as in Go
      if (!this.more(0x7d, "invalid character after object key:value pair")) break;
    }
    this.depth--;
    return v;
  }

  private array(): Value {
    this.pos++; // [
    const l = new Array<Value>(0);
    if (!this.enter()) return Value.list(l);
    this.ws();
    if (this.peek() == 0x5d) {
      this.pos++;
      this.depth--;
      return Value.list(l);
    }
    while (this.error == null) {
      const item = this.value();
      if (this.error != null) break;
      l.push(item);
      if (!this.more(0x5d, "invalid character after array element")) break;
    }
    this.depth--;
    return Value.list(l);
  }

  private hex4(): i32 {
    if (this.end - this.pos < 4) {
      this.fail("unexpected end of JSON input");
      return -1;
    }
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>load<u8>(this.pos + <usize>i);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else {
        this.fail("invalid character in \\u hexadecimal character escape");
        return -1;
      }
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  // A string starting at the opening quote.
  private str(): string {
    this.pos++; // "
    const from = this.pos;
    // Fast path: no escapes.
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c == 0x22) {
        const s = String.UTF8.decodeUnsafe(from, this.pos - from);
        this.pos++;
        return s;
      }
      if (c == 0x5c) break;
      if (c < 0x20) {
        this.fail("invalid character in string literal");
        return "";
      }
      this.pos++;
    }
    if (this.pos >= this.end) {
      this.fail("unexpected end of JSON input");
      return "";
    }
    // Slow path: unescape into UTF-16 code units.
    const parts = new Array<string>(0);
    parts.push(String.UTF8.decodeUnsafe(from, this.pos - from));
    let chunk = this.pos;
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c == 0x22) {
        parts.push(String.UTF8.decodeUnsafe(chunk, this.pos - chunk));
        this.pos++;
        return parts.join("");
      }
      if (c < 0x20) {
        this.fail("invalid character in string literal");
        return "";
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      parts.push(String.UTF8.decodeUnsafe(chunk, this.pos - chunk));
      this.pos++;
      if (this.pos >= this.end) break;
      const e = load<u8>(this.pos++);
      switch (e) {
        case 0x22:
          parts.push('"');
          break;
        case 0x5c:
          parts.push("\\");
          break;
        case 0x2f:
          parts.push("/");
          break;
        case 0x62:
          parts.push("\b");
          break;
        case 0x66:
          parts.push("\f");
          break;
        case 0x6e:
          parts.push("\n");
          break;
        case 0x72:
          parts.push("\r");
          break;
        case 0x74:
          parts.push("\t");
          break;
        case 0x75: {
          let u = this.hex4();
          if (u < 0) return "";
          if (u >= 0xd800 && u < 0xdc00) {
            // A high surrogate: a low one must follow, else U+FFFD.
            if (this.end - this.pos >= 6 && load<u8>(this.pos) == 0x5c && load<u8>(this.pos + 1) == 0x75) {
              const save = this.pos;
              this.pos += 2;
              const lo = this.hex4();
              if (lo < 0) return "";
              if (lo >= 0xdc00 && lo < 0xe000) {
                parts.push(String.fromCodePoint(0x10000 + (((u - 0xd800) << 10) | (lo - 0xdc00))));
                break;
              }
              this.pos = save;
            }
            u = 0xfffd;
          } else if (u >= 0xdc00 && u < 0xe000) {
            u = 0xfffd;
          }
          parts.push(String.fromCharCode(u));
          break;
        }
        default:
          this.fail("invalid character in string escape code");
          return "";
      }
      chunk = this.pos;
    }
    this.fail("unexpected end of JSON input");
    return "";
  }

  private digits(): i32 {
    let n = 0;
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
      n++;
    }
    return n;
  }

  private number(): Value {
    const from = this.pos;
    let integral = true;
    if (load<u8>(this.pos) == 0x2d) this.pos++;
    const first = this.peek();
    if (first == 0x30) {
      this.pos++;
    } else if (first >= 0x31 && first <= 0x39) {
      this.digits();
    } else {
      this.fail("invalid character in numeric literal");
      return Value.nil();
    }
    if (this.peek() == 0x2e) {
      integral = false;
      this.pos++;
      if (this.digits() == 0) {
        this.fail("invalid character after decimal point in numeric literal");
        return Value.nil();
      }
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      integral = false;
      this.pos++;
      const s = this.peek();
      if (s == 0x2b || s == 0x2d) this.pos++;
      if (this.digits() == 0) {
        this.fail("invalid character in exponent of numeric literal");
        return Value.nil();
      }
    }
    const n = <i32>(this.pos - from);
    if (integral) {
      // Exact int64 parse with overflow detection.
      let p = from;
      const neg = load<u8>(p) == 0x2d;
      if (neg) p++;
      let acc: u64 = 0;
      let overflow = false;
      const limit: u64 = neg ? 0x8000000000000000 : 0x7fffffffffffffff;
      while (p < this.pos) {
        const d = <u64>(load<u8>(p++) - 0x30);
        if (acc > (limit - d) / 10) {
          overflow = true;
          break;
        }
        acc = acc * 10 + d;
      }
      if (!overflow) return Value.int(neg ? -(<i64>acc) : <i64>acc);
    }
    const text = String.UTF8.decodeUnsafe(from, <usize>n);
    return Value.float(parseFloat(text));
  }
}

export namespace Json {
  let lastError: string | null = null;

  /** Parses JSON text; null when it is not valid JSON (see Json.error). */
  export function parse(text: string): Value | null {
    const b = String.UTF8.encode(text);
    const r = new JsonReader(changetype<usize>(b), b.byteLength);
    r.owner = b; // the garbage collector may run while it parses
    return run(r);
  }
  /** Parses UTF-8 JSON bytes; null when they are not valid JSON. */
  export function parseBytes(b: Uint8Array): Value | null {
    const r = new JsonReader(b.dataStart, b.length);
    r.owner = b;
    return run(r);
  }
  /**
   * Parses UTF-8 JSON in memory [ptr, ptr+len), which must stay allocated
   * while it parses (not a managed object only this pointer refers to).
   */
  export function parseRaw(ptr: usize, len: i32): Value | null {
    return run(new JsonReader(ptr, len));
  }
  function run(r: JsonReader): Value | null {
    const v = r.parse();
    lastError = r.error;
    return v;
  }
  /** Why the last parse returned null. */
  export function error(): string | null {
    return lastError;
  }
  /** Encodes a Value as nk.json_encode does (keys sorted, no spaces). */
  export function stringify(v: Value): string {
    return new JsonWriter().value(v).toString();
  }
}
