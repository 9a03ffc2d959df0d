// The value encoding of ABI.md §3: a tag byte, then the tag's payload.
//
// Value is the value model (nil, bool, int, float, string, bytes, list,
// map). Encoder writes values into a buffer it reuses; Decoder reads them,
// either generically (value(), message()) or piece by piece (the pull
// methods the SDK uses to read its inputs without building a Value tree).
// Decoding never traps on bad input: the first error is kept in
// Decoder.error and every later read returns a zero value.

export namespace Tag {
  export const NIL: u8 = 0x00;
  export const FALSE: u8 = 0x01;
  export const TRUE: u8 = 0x02;
  export const INT: u8 = 0x03;
  export const FLOAT: u8 = 0x04;
  export const STRING: u8 = 0x05;
  export const BYTES: u8 = 0x06;
  export const LIST: u8 = 0x07;
  export const MAP: u8 = 0x08;
}

/** The largest message the host reads or writes (16 MiB). */
export const MAX_MESSAGE_BYTES: u32 = 16 << 20;
/** The deepest nesting of lists and maps. */
export const MAX_DEPTH: i32 = 64;

/** The kind of a Value. */
export enum Kind {
  Nil = 0,
  Bool = 1,
  Int = 2,
  Float = 3,
  String = 4,
  Bytes = 5,
  List = 6,
  Map = 7,
}

/**
 * One value of the ABI's value model. Build with the static constructors
 * (Value.int(3), Value.map().set("op", Value.int(3))); read with the as*
 * accessors, which return a default when the value is of another kind.
 */
export class Value {
  private _i: i64 = 0;
  private _f: f64 = 0;
  private _s: string | null = null;
  private _b: Uint8Array | null = null;
  private _l: Value[] | null = null;
  private _m: Map<string, Value> | null = null;

  private constructor(public readonly kind: Kind) {}

  static nil(): Value {
    return NIL;
  }
  static bool(b: bool): Value {
    return b ? TRUE : FALSE;
  }
  static int(i: i64): Value {
    const v = new Value(Kind.Int);
    v._i = i;
    return v;
  }
  static float(f: f64): Value {
    const v = new Value(Kind.Float);
    v._f = f;
    return v;
  }
  static str(s: string): Value {
    const v = new Value(Kind.String);
    v._s = s;
    return v;
  }
  static bytes(b: Uint8Array): Value {
    const v = new Value(Kind.Bytes);
    v._b = b;
    return v;
  }
  /** A list holding items (not copied). */
  static list(items: Value[] = []): Value {
    const v = new Value(Kind.List);
    v._l = items;
    return v;
  }
  /** An empty map; add entries with set. */
  static map(): Value {
    const v = new Value(Kind.Map);
    v._m = new Map<string, Value>();
    return v;
  }
  /** A list of strings. */
  static strings(items: string[]): Value {
    const l = new Array<Value>(items.length);
    for (let i = 0; i < items.length; i++) l[i] = Value.str(items[i]);
    return Value.list(l);
  }
  /** A map of strings. */
  static stringMap(m: Map<string, string>): Value {
    const v = Value.map();
    const keys = m.keys();
    for (let i = 0; i < keys.length; i++) v.set(keys[i], Value.str(m.get(keys[i])));
    return v;
  }

  isNil(): bool {
    return this.kind == Kind.Nil;
  }
  isBool(): bool {
    return this.kind == Kind.Bool;
  }
  isInt(): bool {
    return this.kind == Kind.Int;
  }
  isFloat(): bool {
    return this.kind == Kind.Float;
  }
  /** An int, or a float without fraction (as the host accepts). */
  isInteger(): bool {
    if (this.kind == Kind.Int) return true;
    if (this.kind != Kind.Float) return false;
    const f = this._f;
    return isFinite(f) && Math.floor(f) == f && f >= -9223372036854775808.0 && f < 9223372036854775808.0;
  }
  /** An int or a float. */
  isNumber(): bool {
    return this.kind == Kind.Int || this.kind == Kind.Float;
  }
  isString(): bool {
    return this.kind == Kind.String;
  }
  isBytes(): bool {
    return this.kind == Kind.Bytes;
  }
  isList(): bool {
    return this.kind == Kind.List;
  }
  isMap(): bool {
    return this.kind == Kind.Map;
  }

  asBool(def: bool = false): bool {
    return this.kind == Kind.Bool ? this._i != 0 : def;
  }
  /** The int, or a float without fraction; def otherwise. */
  asInt(def: i64 = 0): i64 {
    if (this.kind == Kind.Int) return this._i;
    if (this.isInteger()) return <i64>this._f;
    return def;
  }
  /** The float, or an int converted; def otherwise. */
  asFloat(def: f64 = 0): f64 {
    if (this.kind == Kind.Float) return this._f;
    if (this.kind == Kind.Int) return <f64>this._i;
    return def;
  }
  /** The string, or bytes read as UTF-8; def otherwise. */
  asString(def: string = ""): string {
    if (this.kind == Kind.String) return this._s!;
    if (this.kind == Kind.Bytes) {
      const b = this._b!;
      return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
    }
    return def;
  }
  /** The bytes, or a string's UTF-8 bytes; an empty array otherwise. */
  asBytes(): Uint8Array {
    if (this.kind == Kind.Bytes) return this._b!;
    if (this.kind == Kind.String) return Uint8Array.wrap(String.UTF8.encode(this._s!));
    return new Uint8Array(0);
  }
  /** The items of a list; an empty array otherwise. */
  asList(): Value[] {
    return this.kind == Kind.List ? this._l! : [];
  }
  /** The entries of a map; null otherwise. */
  asMap(): Map<string, Value> | null {
    return this._m;
  }

  /** Number of items of a list or entries of a map, bytes of a string or bytes. */
  get length(): i32 {
    switch (this.kind) {
      case Kind.List:
        return this._l!.length;
      case Kind.Map:
        return this._m!.size;
      case Kind.String:
        return String.UTF8.byteLength(this._s!);
      case Kind.Bytes:
        return this._b!.length;
    }
    return 0;
  }

  /** The entry key of a map; nil when absent or not a map. */
  get(key: string): Value {
    const m = this._m;
    if (m == null || !m.has(key)) return NIL;
    return m.get(key);
  }
  /** Whether a map has key. */
  has(key: string): bool {
    const m = this._m;
    return m != null && m.has(key);
  }
  /** Sets an entry of a map (aborts on other kinds) and returns the map. */
  set(key: string, v: Value): Value {
    assert(this.kind == Kind.Map, "Value.set on a value that is not a map");
    this._m!.set(key, v);
    return this;
  }
  /** Removes an entry of a map. */
  delete(key: string): void {
    const m = this._m;
    if (m != null) m.delete(key);
  }
  /** The keys of a map, in insertion order; empty otherwise. */
  keys(): string[] {
    const m = this._m;
    return m == null ? [] : m.keys();
  }
  /** Item i of a list; nil when out of range or not a list. */
  at(i: i32): Value {
    const l = this._l;
    if (l == null || i < 0 || i >= l.length) return NIL;
    return unchecked(l[i]);
  }
  /** Appends to a list (aborts on other kinds) and returns the list. */
  push(v: Value): Value {
    assert(this.kind == Kind.List, "Value.push on a value that is not a list");
    this._l!.push(v);
    return this;
  }

  /** Structural equality (maps regardless of order; int 1 != float 1.0). */
  equals(o: Value): bool {
    if (this.kind != o.kind) return false;
    switch (this.kind) {
      case Kind.Nil:
        return true;
      case Kind.Bool:
      case Kind.Int:
        return this._i == o._i;
      case Kind.Float:
        return this._f == o._f || (isNaN(this._f) && isNaN(o._f));
      case Kind.String:
        return this._s! == o._s!;
      case Kind.Bytes: {
        const a = this._b!, b = o._b!;
        if (a.length != b.length) return false;
        return memory.compare(a.dataStart, b.dataStart, <usize>a.length) == 0;
      }
      case Kind.List: {
        const a = this._l!, b = o._l!;
        if (a.length != b.length) return false;
        for (let i = 0; i < a.length; i++) if (!a[i].equals(b[i])) return false;
        return true;
      }
      case Kind.Map: {
        const a = this._m!, b = o._m!;
        if (a.size != b.size) return false;
        const keys = a.keys();
        for (let i = 0; i < keys.length; i++) {
          if (!b.has(keys[i]) || !a.get(keys[i]).equals(b.get(keys[i]))) return false;
        }
        return true;
      }
    }
    return false;
  }

  /** @internal */
  static _boolValue(b: bool): Value {
    const v = new Value(Kind.Bool);
    v._i = b ? 1 : 0;
    return v;
  }
  /** @internal */
  static _nilValue(): Value {
    return new Value(Kind.Nil);
  }
}

const NIL = Value._nilValue();
const TRUE = Value._boolValue(true);
const FALSE = Value._boolValue(false);

// ---------------------------------------------------------------- encoding

/**
 * Encoder appends encoded values to a growable buffer it reuses across
 * reset() calls. It writes headers and scalars; the caller writes the
 * right number of items after list(n) and key/value pairs after map(n).
 */
export class Encoder {
  private buf: ArrayBuffer;
  private len: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buf = new ArrayBuffer(capacity > 16 ? capacity : 16);
  }

  /** Empties the buffer, keeping its memory. */
  reset(): Encoder {
    this.len = 0;
    return this;
  }
  /** Number of bytes written. */
  get length(): i32 {
    return this.len;
  }
  /** Address of the bytes in memory, valid until the next write. */
  get dataStart(): usize {
    return changetype<usize>(this.buf);
  }
  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    memory.copy(out.dataStart, changetype<usize>(this.buf), <usize>this.len);
    return out;
  }

  // Makes room for n more bytes and returns where they go; len += n.
  // @ts-ignore: decorator
  @inline private grow(n: i32): usize {
    const need = this.len + n;
    if (need > this.buf.byteLength) this.realloc(need);
    const at = changetype<usize>(this.buf) + <usize>this.len;
    this.len = need;
    return at;
  }

  private realloc(need: i32): void {
    let cap = this.buf.byteLength;
    while (cap < need) cap <<= 1;
    const nb = new ArrayBuffer(cap);
    memory.copy(changetype<usize>(nb), changetype<usize>(this.buf), <usize>this.len);
    this.buf = nb;
  }

  /** Appends one raw byte (no tag). */
  byte(b: u8): Encoder {
    store<u8>(this.grow(1), b);
    return this;
  }
  /** Appends raw bytes (no tag, no length). */
  raw(ptr: usize, n: i32): Encoder {
    if (n > 0) memory.copy(this.grow(n), ptr, <usize>n);
    return this;
  }
  /** Appends a string's UTF-8 bytes (no tag, no length). */
  utf8(s: string): Encoder {
    const n = s.length;
    // Short strings: reserve the most bytes they can take, one pass.
    const room = n <= 4096 ? n * 3 : String.UTF8.byteLength(s);
    const at = this.grow(room);
    this.len -= room - <i32>writeUtf8(changetype<usize>(s), n, at);
    return this;
  }

  // A length-prefixed string: one pass when the prefix fits in one byte.
  private prefixed(s: string): Encoder {
    const n = s.length;
    if (n < 43) { // at most 42*3 = 126 bytes: a one-byte length
      const at = this.grow(1 + n * 3);
      const w = writeUtf8(changetype<usize>(s), n, at + 1);
      store<u8>(at, <u8>w);
      this.len -= n * 3 - <i32>w;
      return this;
    }
    this.uvarint(<u64>String.UTF8.byteLength(s));
    return this.utf8(s);
  }

  /** Appends an unsigned LEB128 varint (no tag). */
  uvarint(v: u64): Encoder {
    const at = this.grow(10);
    let n = 0;
    while (v >= 0x80) {
      store<u8>(at + <usize>n, <u8>(v & 0x7f) | 0x80);
      v >>= 7;
      n++;
    }
    store<u8>(at + <usize>n, <u8>v);
    this.len -= 10 - (n + 1);
    return this;
  }

  nil(): Encoder {
    return this.byte(Tag.NIL);
  }
  bool(b: bool): Encoder {
    return this.byte(b ? Tag.TRUE : Tag.FALSE);
  }
  int(v: i64): Encoder {
    this.byte(Tag.INT);
    return this.uvarint(<u64>((v << 1) ^ (v >> 63)));
  }
  float(f: f64): Encoder {
    this.byte(Tag.FLOAT);
    store<f64>(this.grow(8), f); // wasm memory is little-endian
    return this;
  }
  string(s: string): Encoder {
    return this.byte(Tag.STRING).prefixed(s);
  }
  /** A string given as UTF-8 bytes. */
  stringRaw(ptr: usize, n: i32): Encoder {
    this.byte(Tag.STRING).uvarint(<u64>n);
    return this.raw(ptr, n);
  }
  bytes(b: Uint8Array): Encoder {
    return this.bytesRaw(b.dataStart, b.length);
  }
  bytesRaw(ptr: usize, n: i32): Encoder {
    this.byte(Tag.BYTES).uvarint(<u64>n);
    return this.raw(ptr, n);
  }
  /** The header of a list of n values, which must follow. */
  list(n: i32): Encoder {
    return this.byte(Tag.LIST).uvarint(<u64>n);
  }
  /** The header of a map of n entries: n key()/value pairs must follow. */
  map(n: i32): Encoder {
    return this.byte(Tag.MAP).uvarint(<u64>n);
  }
  /** A map key (length and UTF-8 bytes, no tag). */
  key(k: string): Encoder {
    return this.prefixed(k);
  }
  /** A string or nil. */
  stringOrNil(s: string | null): Encoder {
    return s == null ? this.nil() : this.string(s);
  }
  /** A list of strings. */
  strings(l: string[]): Encoder {
    this.list(l.length);
    for (let i = 0; i < l.length; i++) this.string(unchecked(l[i]));
    return this;
  }
  /** Any Value (maps in insertion order). */
  value(v: Value): Encoder {
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
        return this.string(v.asString());
      case Kind.Bytes:
        return this.bytes(v.asBytes());
      case Kind.List: {
        const l = v.asList();
        this.list(l.length);
        for (let i = 0; i < l.length; i++) this.value(unchecked(l[i]));
        return this;
      }
      case Kind.Map: {
        const m = v.asMap()!;
        const keys = m.keys();
        this.map(keys.length);
        for (let i = 0; i < keys.length; i++) {
          this.key(unchecked(keys[i]));
          this.value(m.get(unchecked(keys[i])));
        }
        return this;
      }
    }
    return this;
  }
}

// Writes n UTF-16 units at src as UTF-8 at dst (WTF-8 for lone
// surrogates, as String.UTF8.byteLength counts them); returns the bytes.
function writeUtf8(src: usize, n: i32, dst: usize): usize {
  let o = dst;
  const end = src + (<usize>n << 1);
  while (src < end) {
    let c = <u32>load<u16>(src);
    src += 2;
    if (c < 0x80) {
      store<u8>(o++, <u8>c);
    } else if (c < 0x800) {
      store<u8>(o, <u8>(0xc0 | (c >> 6)));
      store<u8>(o, <u8>(0x80 | (c & 63)), 1);
      o += 2;
    } else {
      if ((c & 0xfc00) == 0xd800 && src < end) {
        const d = <u32>load<u16>(src);
        if ((d & 0xfc00) == 0xdc00) {
          src += 2;
          c = 0x10000 + (((c & 0x3ff) << 10) | (d & 0x3ff));
          store<u8>(o, <u8>(0xf0 | (c >> 18)));
          store<u8>(o, <u8>(0x80 | ((c >> 12) & 63)), 1);
          store<u8>(o, <u8>(0x80 | ((c >> 6) & 63)), 2);
          store<u8>(o, <u8>(0x80 | (c & 63)), 3);
          o += 4;
          continue;
        }
      }
      store<u8>(o, <u8>(0xe0 | (c >> 12)));
      store<u8>(o, <u8>(0x80 | ((c >> 6) & 63)), 1);
      store<u8>(o, <u8>(0x80 | (c & 63)), 2);
      o += 3;
    }
  }
  return o - dst;
}

/** Encodes one value as a new byte array. */
export function encode(v: Value): Uint8Array {
  return new Encoder().value(v).toBytes();
}

// ---------------------------------------------------------------- decoding

/**
 * Decoder reads encoded values from memory [ptr, ptr+len). The memory must
 * stay valid while it reads; strings and bytes it returns are copies.
 */
export class Decoder {
  private pos: usize;
  private end: usize;
  /** The first error met, or null. */
  error: string | null = null;
  /** Nesting depth of the list or map being read (pull methods). */
  depth: i32 = 0;
  /** The last key read by key(). */
  keyPtr: usize = 0;
  keyLen: i32 = 0;
  // Keeps a decoded array alive while reading it.
  private owner: Uint8Array | null = null;

  constructor(ptr: usize, len: u32) {
    this.pos = ptr;
    this.end = ptr + <usize>len;
    if (len > MAX_MESSAGE_BYTES) this.fail("message of " + len.toString() + " bytes exceeds " + MAX_MESSAGE_BYTES.toString());
  }

  /** A decoder over a byte array. */
  static of(b: Uint8Array): Decoder {
    const d = new Decoder(b.dataStart, <u32>b.length);
    d.owner = b;
    return d;
  }

  get ok(): bool {
    return this.error == null;
  }
  /** Bytes not read yet. */
  get remaining(): i32 {
    return <i32>(this.end - this.pos);
  }

  /** Records the first error and stops reading. */
  fail(msg: string): void {
    if (this.error == null) this.error = msg;
    this.pos = this.end;
  }

  /** Reads exactly one value and checks that nothing follows (a message). */
  message(): Value {
    const v = this.value();
    this.finish();
    return this.error == null ? v : Value.nil();
  }

  /** Fails when bytes are left. */
  finish(): void {
    if (this.error == null && this.pos != this.end) this.fail(this.remaining.toString() + " trailing bytes");
  }

  /** The tag of the next value, without reading it; 0xff at the end. */
  peek(): u8 {
    return this.pos < this.end ? load<u8>(this.pos) : 0xff;
  }

  private u8(): u8 {
    if (this.pos >= this.end) {
      this.fail("truncated value");
      return 0xff;
    }
    return load<u8>(this.pos++);
  }

  /** An unsigned LEB128 varint: at most 10 bytes, the 10th at most 1. */
  uvarint(): u64 {
    let v: u64 = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.fail("truncated varint");
        return 0;
      }
      const b = load<u8>(this.pos++);
      if (i == 9 && b > 1) {
        this.fail("varint overflow");
        return 0;
      }
      v |= (<u64>(b & 0x7f)) << (<u64>(7 * i));
      if (b < 0x80) return v;
    }
    this.fail("varint overflow");
    return 0;
  }

  /** A length or count, which cannot exceed the bytes left. */
  length(): i32 {
    const n = this.uvarint();
    if (this.error != null) return 0;
    if (n > <u64>(this.end - this.pos)) {
      this.fail("length " + n.toString() + " exceeds the " + this.remaining.toString() + " bytes left");
      return 0;
    }
    return <i32>n;
  }

  private text(): string {
    const n = this.length();
    const s = decodeUtf8(this.pos, <usize>n);
    this.pos += <usize>n;
    return s;
  }

  private blob(): Uint8Array {
    const n = this.length();
    const b = new Uint8Array(n);
    if (n > 0) {
      memory.copy(b.dataStart, this.pos, <usize>n);
      this.pos += <usize>n;
    }
    return b;
  }

  /** Reads any value. */
  value(): Value {
    const tag = this.u8();
    switch (tag) {
      case Tag.NIL:
        return Value.nil();
      case Tag.FALSE:
        return Value.bool(false);
      case Tag.TRUE:
        return Value.bool(true);
      case Tag.INT:
        return Value.int(this.zigzag());
      case Tag.FLOAT:
        return Value.float(this.f64());
      case Tag.STRING:
        return Value.str(this.text());
      case Tag.BYTES:
        return Value.bytes(this.blob());
      case Tag.LIST: {
        if (!this.enter()) return Value.nil();
        const n = this.length();
        const l = new Array<Value>(n);
        for (let i = 0; i < n; i++) unchecked((l[i] = this.value()));
        this.depth--;
        return Value.list(l);
      }
      case Tag.MAP: {
        if (!this.enter()) return Value.nil();
        const n = this.length();
        const v = Value.map();
        const m = v.asMap()!;
        for (let i = 0; i < n && this.error == null; i++) {
          const k = this.text();
          if (m.has(k)) {
            this.fail("duplicate map key \"" + k + "\"");
            break;
          }
          m.set(k, this.value());
        }
        this.depth--;
        return v;
      }
    }
    if (this.error == null) this.fail("unknown tag 0x" + (<u32>tag).toString(16));
    return Value.nil();
  }

  private enter(): bool {
    if (this.depth >= MAX_DEPTH) {
      this.fail("nesting deeper than " + MAX_DEPTH.toString());
      return false;
    }
    this.depth++;
    return true;
  }

  private zigzag(): i64 {
    const u = this.uvarint();
    return <i64>(u >> 1) ^ -<i64>(u & 1);
  }

  private f64(): f64 {
    if (this.end - this.pos < 8) {
      this.fail("truncated float");
      return 0;
    }
    const f = load<f64>(this.pos);
    this.pos += 8;
    return f;
  }

  // ---- pull methods: read a value of an expected type, or skip it.
  // A value of another type is skipped and the default returned.

  /** An int, or a float without fraction; def otherwise. */
  readInt(def: i64 = 0): i64 {
    const t = this.peek();
    if (t == Tag.INT) {
      this.pos++;
      return this.zigzag();
    }
    if (t == Tag.FLOAT) {
      this.pos++;
      const f = this.f64();
      if (isFinite(f) && Math.floor(f) == f && f >= -9223372036854775808.0 && f < 9223372036854775808.0) return <i64>f;
      return def;
    }
    this.skip();
    return def;
  }
  /** A bool; def otherwise. */
  readBool(def: bool = false): bool {
    const t = this.peek();
    if (t == Tag.TRUE || t == Tag.FALSE) {
      this.pos++;
      return t == Tag.TRUE;
    }
    this.skip();
    return def;
  }
  /** A string, or bytes read as UTF-8; def otherwise. */
  readString(def: string = ""): string {
    const t = this.peek();
    if (t == Tag.STRING || t == Tag.BYTES) {
      this.pos++;
      return this.text();
    }
    this.skip();
    return def;
  }
  /** A string, bytes read as UTF-8, or null for nil or another type. */
  readStringOrNull(): string | null {
    const t = this.peek();
    if (t == Tag.STRING || t == Tag.BYTES) {
      this.pos++;
      return this.text();
    }
    this.skip();
    return null;
  }
  /** Bytes, or a string's bytes; empty otherwise. */
  readBytes(): Uint8Array {
    const t = this.peek();
    if (t == Tag.STRING || t == Tag.BYTES) {
      this.pos++;
      return this.blob();
    }
    this.skip();
    return new Uint8Array(0);
  }
  /**
   * The header of a list: its count, or -1 (the value skipped) when the
   * next value is not a list. Read the items, then call leave().
   */
  readList(): i32 {
    return this.header(Tag.LIST);
  }
  /**
   * The header of a map: its entry count, or -1 (the value skipped) when
   * the next value is not a map. Read key() then a value per entry, then
   * call leave().
   */
  readMap(): i32 {
    return this.header(Tag.MAP);
  }
  private header(tag: u8): i32 {
    if (this.peek() != tag) {
      this.skip();
      return -1;
    }
    this.pos++;
    if (!this.enter()) return -1;
    return this.length();
  }
  /** Ends a list or map begun by readList or readMap. */
  leave(): void {
    this.depth--;
  }
  /** Reads a map key, kept in keyPtr/keyLen; compare with keyIs. */
  key(): void {
    const n = this.length();
    this.keyPtr = this.pos;
    this.keyLen = n;
    this.pos += <usize>n;
  }
  /** Whether the last key read is k (ASCII k only). */
  keyIs(k: string): bool {
    const n = k.length;
    if (n != this.keyLen) return false;
    const p = this.keyPtr;
    const q = changetype<usize>(k);
    for (let i = 0; i < n; i++) {
      if (<u32>load<u8>(p + <usize>i) != <u32>load<u16>(q + (<usize>i << 1))) return false;
    }
    return true;
  }
  /** The last key read, as a string. */
  keyString(): string {
    return decodeUtf8(this.keyPtr, <usize>this.keyLen);
  }
  /** Skips one value, checking it as value() does (but not map keys' uniqueness). */
  skip(): void {
    const tag = this.u8();
    switch (tag) {
      case Tag.NIL:
      case Tag.FALSE:
      case Tag.TRUE:
        return;
      case Tag.INT:
        this.uvarint();
        return;
      case Tag.FLOAT:
        this.f64();
        return;
      case Tag.STRING:
      case Tag.BYTES: {
        const n = this.length();
        this.pos += <usize>n;
        return;
      }
      case Tag.LIST: {
        if (!this.enter()) return;
        const n = this.length();
        for (let i = 0; i < n && this.error == null; i++) this.skip();
        this.depth--;
        return;
      }
      case Tag.MAP: {
        if (!this.enter()) return;
        const n = this.length();
        for (let i = 0; i < n && this.error == null; i++) {
          this.key();
          this.skip();
        }
        this.depth--;
        return;
      }
    }
    if (this.error == null) this.fail("unknown tag 0x" + (<u32>tag).toString(16));
  }
}

/**
 * UTF-8 bytes as a string: ASCII (the usual case) in one exact allocation,
 * anything else through String.UTF8.decodeUnsafe.
 */
export function decodeUtf8(ptr: usize, n: usize): string {
  if (n == 0) return "";
  const s = __new(n << 1, idof<String>());
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(ptr + i);
    if (b >= 0x80) return String.UTF8.decodeUnsafe(ptr, n);
    store<u16>(s + (i << 1), <u16>b);
  }
  return changetype<string>(s);
}

/** Decodes one message; null when it is malformed (see decodeError). */
export function decode(b: Uint8Array): Value | null {
  const d = Decoder.of(b);
  const v = d.message();
  lastDecodeError = d.error;
  return d.error == null ? v : null;
}

let lastDecodeError: string | null = null;

/** Why the last decode() returned null. */
export function decodeError(): string | null {
  return lastDecodeError;
}
