// Unit tests of the value codec and the JSON writer/reader, compiled to
// WebAssembly and run by sdk.test.mjs with node's test runner: each
// exported test_* function is one test; a failed check aborts with its
// message (env.abort, which the runner turns into a JS error).

import {
  compareUtf8, Context, decode, decodeError, Decoder, encode, Encoder, Json, JsonWriter, Kind,
  Message, Presence, Value,
} from "../index";

// ---------------------------------------------------------------- helpers

function hex(b: Uint8Array): string {
  const digits = "0123456789abcdef";
  let s = "";
  for (let i = 0; i < b.length; i++) {
    if (i > 0) s += " ";
    s += digits.charAt(b[i] >> 4) + digits.charAt(b[i] & 15);
  }
  return s;
}

function fromHex(h: string): Uint8Array {
  const parts = h.length == 0 ? new Array<string>(0) : h.split(" ");
  const b = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) b[i] = <u8>I32.parseInt(parts[i], 16);
  return b;
}

function check(cond: bool, what: string): void {
  if (!cond) abort(what);
}

function eq(got: string, want: string, what: string): void {
  if (got != want) abort(what + ": got <" + got + ">, want <" + want + ">");
}

function eqInt(got: i64, want: i64, what: string): void {
  if (got != want) abort(what + ": got " + got.toString() + ", want " + want.toString());
}

// Encodes v and checks the bytes, then decodes them and checks the value.
function roundTrip(v: Value, want: string, what: string): void {
  eq(hex(encode(v)), want, what + " encoding");
  const back = decode(fromHex(want));
  if (back == null) abort(what + " decoding failed: " + decodeError()!);
  check(back!.equals(v), what + " decodes to a different value");
}

// Decoding must fail with an error containing reason.
function bad(h: string, reason: string): void {
  const v = decode(fromHex(h));
  if (v != null) abort("decoding <" + h + "> succeeded, want an error containing " + reason);
  const err = decodeError()!;
  if (!err.includes(reason)) abort("decoding <" + h + ">: error <" + err + "> does not contain <" + reason + ">");
}

function nested(depth: i32): Uint8Array {
  const e = new Encoder();
  for (let i = 0; i < depth; i++) e.list(1);
  e.nil();
  return e.toBytes();
}

// ---------------------------------------------------------------- codec

/** The example table of ABI.md §3, both ways. */
export function test_abi_examples(): void {
  roundTrip(Value.nil(), "00", "nil");
  roundTrip(Value.bool(true), "02", "true");
  roundTrip(Value.bool(false), "01", "false");
  roundTrip(Value.int(0), "03 00", "0");
  roundTrip(Value.int(-1), "03 01", "-1");
  roundTrip(Value.int(150), "03 ac 02", "150");
  roundTrip(Value.float(1.5), "04 00 00 00 00 00 00 f8 3f", "1.5");
  roundTrip(Value.str("hi"), "05 02 68 69", "hi");
  const b = new Uint8Array(2);
  b[0] = 0x01;
  b[1] = 0xff;
  roundTrip(Value.bytes(b), "06 02 01 ff", "bytes");
  roundTrip(Value.list([Value.int(1), Value.str("a")]), "07 02 03 02 05 01 61", "[1, a]");
  roundTrip(Value.map().set("op", Value.int(3)), "08 01 02 6f 70 03 06", "{op: 3}");
  roundTrip(Value.map(), "08 00", "{}");
}

export function test_zigzag_and_varints(): void {
  roundTrip(Value.int(1), "03 02", "1");
  roundTrip(Value.int(-2), "03 03", "-2");
  roundTrip(Value.int(2), "03 04", "2");
  roundTrip(Value.int(63), "03 7e", "63");
  roundTrip(Value.int(-64), "03 7f", "-64");
  roundTrip(Value.int(64), "03 80 01", "64");
  roundTrip(Value.int(i64.MAX_VALUE), "03 fe ff ff ff ff ff ff ff ff 01", "max int64");
  roundTrip(Value.int(i64.MIN_VALUE), "03 ff ff ff ff ff ff ff ff ff 01", "min int64");
  // Non-minimal encodings are accepted.
  check(decode(fromHex("03 80 00"))!.asInt() == 0, "non-minimal 0");
  check(decode(fromHex("05 82 80 00 68 69"))!.asString() == "hi", "non-minimal length");
  bad("03 ff ff ff ff ff ff ff ff ff 02", "overflow"); // 10th byte > 1
  bad("03 ff ff ff ff ff ff ff ff ff 81 00", "overflow"); // 11 bytes
  bad("03 80", "truncated varint");
  bad("03", "truncated varint");
}

export function test_scalars(): void {
  roundTrip(Value.str(""), "05 00", "empty string");
  roundTrip(Value.str("é😀"), "05 06 c3 a9 f0 9f 98 80", "UTF-8 string");
  roundTrip(Value.bytes(new Uint8Array(0)), "06 00", "empty bytes");
  roundTrip(Value.float(-0.0), "04 00 00 00 00 00 00 00 80", "-0.0");
  const nan = decode(fromHex("04 00 00 00 00 00 00 f8 7f"))!;
  check(nan.isFloat() && isNaN(nan.asFloat()), "NaN");
  // A 200-byte string has a two-byte length.
  const long = "x".repeat(200);
  const enc = encode(Value.str(long));
  eq(hex(enc.subarray(0, 3)), "05 c8 01", "long string header");
  eq(decode(enc)!.asString(), long, "long string");
  // Strings longer than the one-pass limit, non-ASCII.
  const wide = "é".repeat(5000);
  eq(decode(encode(Value.str(wide)))!.asString(), wide, "long non-ASCII string");
}

export function test_collections(): void {
  const m = Value.map()
    .set("list", Value.list([Value.nil(), Value.bool(true), Value.float(0.25), Value.strings(["a", "b"])]))
    .set("map", Value.map().set("k", Value.str("v")))
    .set("é", Value.int(-300));
  const back = decode(encode(m))!;
  check(back.equals(m), "nested round trip");
  eqInt(back.get("é").asInt(), -300, "non-ASCII key");
  eq(back.get("list").at(3).at(1).asString(), "b", "nested list item");
  check(back.get("missing").isNil() && back.at(0).isNil() && back.get("list").at(9).isNil(), "absent entries are nil");
  eqInt(back.get("list").length, 4, "list length");
  eqInt(back.length, 3, "map length");
}

export function test_limits(): void {
  bad("09", "unknown tag 0x9");
  bad("ff", "unknown tag 0xff");
  bad("00 00", "1 trailing bytes");
  bad("", "truncated value");
  bad("05 03 61 62", "length 3 exceeds the 2 bytes left");
  bad("07 05 00", "length 5 exceeds the 1 bytes left");
  bad("08 01 05 61 03 02", "length 5 exceeds the 3 bytes left"); // a key's length
  bad("08 02 01 61 00 01 61 00", "duplicate map key");
  bad("04 00 00", "truncated float");
  // 64 nested lists decode; 65 do not.
  check(decode(nested(64)) != null, "64 levels: " + (decodeError() != null ? decodeError()! : ""));
  const deep = decode(nested(65));
  check(deep == null && decodeError()!.includes("nesting deeper than 64"), "65 levels");
  // The 16 MiB limit is checked before reading.
  const d = new Decoder(0, (16 << 20) + 1);
  check(!d.ok && d.error!.includes("exceeds"), "message size limit");
}

export function test_value_accessors(): void {
  check(Value.float(3.0).isInteger() && Value.float(3.0).asInt() == 3, "integral float as int");
  check(!Value.float(3.5).isInteger() && Value.float(3.5).asInt(-1) == -1, "fractional float is not an int");
  check(Value.int(2).asFloat() == 2.0, "int as float");
  eq(Value.str("x").asString(), "x", "string");
  eq(Value.bytes(Uint8Array.wrap(String.UTF8.encode("hé"))).asString(), "hé", "bytes as string");
  eqInt(Value.str("hé").asBytes().length, 3, "string as bytes");
  check(Value.nil().asString("d") == "d" && Value.int(1).asBool(true), "defaults");
  check(Value.int(1).kind == Kind.Int && !Value.int(1).equals(Value.float(1)), "int 1 is not float 1");
  const m = Value.map().set("a", Value.int(1));
  m.delete("a");
  check(!m.has("a") && m.length == 0, "delete");
}

/** The pull decoders of callback inputs skip keys they do not know. */
export function test_typed_decoding(): void {
  const e = new Encoder();
  e.map(4);
  e.key("sender").map(6);
  e.key("user_id").string("u1");
  e.key("future").list(2).int(1).map(0);
  e.key("session_id").string("s1");
  e.key("username").bytes(Uint8Array.wrap(String.UTF8.encode("ann")));
  e.key("node").string("n1");
  e.key("reason").float(3.0);
  e.key("op_code").int(4);
  e.key("data").string("{\"position\":1}");
  e.key("extra").map(1).key("x").nil();
  const m = Message.read(Decoder.of(e.toBytes()));
  eq(m.sender.userId + "/" + m.sender.sessionId + "/" + m.sender.username + "/" + m.sender.node, "u1/s1/ann/n1", "sender");
  eqInt(m.sender.reason, 3, "reason from an integral float");
  eqInt(m.opCode, 4, "op code");
  eq(m.dataString(), "{\"position\":1}", "data given as a string");

  e.reset().map(5);
  e.key("env").map(2).key("A").string("1").key("B").int(2);
  e.key("headers").map(1).key("h").strings(["x", "y"]);
  e.key("user_id").string("u");
  e.key("match_tick_rate").int(5);
  e.key("vars").nil();
  const d = Decoder.of(e.toBytes());
  const c = Context.read(d);
  d.finish();
  check(d.ok, "context decodes");
  check(c.env.get("A") == "1" && !c.env.has("B"), "env keeps strings");
  check(c.headers.get("h").length == 2 && c.headers.get("h")[1] == "y", "headers");
  check(c.userId == "u" && c.matchTickRate == 5 && c.vars.size == 0, "context fields");

  const p = new Presence("u", "s", "n", "node");
  const pe = new Encoder();
  p.write(pe);
  const pv = decode(pe.toBytes())!;
  eq(pv.get("session_id").asString(), "s", "presence written");
  eqInt(pv.length, 4, "presence has 4 keys");
}

// ---------------------------------------------------------------- JSON

/** Strings are escaped as Go's encoding/json (so nk.json_encode) escapes them. */
export function test_json_strings(): void {
  const s = "a\"b\\c\b\f\n\r\t\x01\x1f<>&\u2028\u2029é😀\x7f";
  eq(new JsonWriter().string(s).toString(), "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\\u003c\\u003e\\u0026\\u2028\\u2029é😀\x7f\"", "escapes");
  eq(new JsonWriter().string(String.fromCharCode(0xd800) + "x").toString(), "\"\\ufffdx\"", "lone surrogate");
  eq(new JsonWriter().string("").toString(), "\"\"", "empty");
}

/** Numbers are written as Go's encoding/json writes float64s. */
export function test_json_numbers(): void {
  const cases: f64[] = [1e21, 1e20, 1e-7, 1e-6, 123456789.125, 0.1, 1.5, -0.001, 5e-324, 1.7976931348623157e308, 9007199254740994, 1.23e-18, 0.3, 2.5e-8, 1.0 / 3, 100, -2.5e21, 3.0, -0.0];
  const want = [
    "1e+21", "100000000000000000000", "1e-7", "0.000001", "123456789.125", "0.1", "1.5", "-0.001", "5e-324",
    "1.7976931348623157e+308", "9007199254740994", "1.23e-18", "0.3", "2.5e-8", "0.3333333333333333", "100",
    "-2.5e+21", "3", "0",
  ];
  for (let i = 0; i < cases.length; i++) eq(new JsonWriter().float(cases[i]).toString(), want[i], "float " + want[i]);
  eq(new JsonWriter().float(NaN).toString(), "null", "NaN");
  eq(new JsonWriter().int(i64.MIN_VALUE).toString(), "-9223372036854775808", "min int");
  eq(new JsonWriter().int(7).toString(), "7", "digit");
}

export function test_json_writer(): void {
  const w = new JsonWriter(16);
  w.beginObject().key("a").beginArray().int(1).beginArray().endArray().beginObject().endObject().bool(false).nil().endArray();
  w.key("b").raw("{\"x\":1}").key("c").string("d").endObject();
  eq(w.toString(), "{\"a\":[1,[],{},false,null],\"b\":{\"x\":1},\"c\":\"d\"}", "structure and commas");
  eq(w.reset().ints32([1, 2, 3]).toString(), "[1,2,3]", "reset and ints");
  // Values: keys sorted by UTF-8 bytes, as Go sorts map keys.
  const v = Value.map().set("b", Value.int(1)).set("a", Value.int(2)).set("é", Value.int(3)).set("z", Value.int(4))
    .set("😀", Value.int(5)).set(String.fromCharCode(0xffff), Value.int(6)).set("A", Value.int(7))
    .set("l", Value.list([Value.float(2.0), Value.str("<"), Value.map()]));
  eq(Json.stringify(v), "{\"A\":7,\"a\":2,\"b\":1,\"l\":[2,\"\\u003c\",{}],\"z\":4,\"é\":3,\"" + String.fromCharCode(0xffff) + "\":6,\"😀\":5}", "sorted value");
  check(compareUtf8("😀", String.fromCharCode(0xffff)) > 0 && compareUtf8("a", "ab") < 0 && compareUtf8("b", "a") > 0, "compareUtf8");
  // The bytes are UTF-8.
  eqInt(new JsonWriter().string("é").toBytes().length, 4, "UTF-8 output");
}

function parses(text: string, canonical: string): void {
  const v = Json.parse(text);
  if (v == null) abort("parsing <" + text + "> failed: " + Json.error()!);
  eq(Json.stringify(v!), canonical, "parse <" + text + ">");
}

function rejects(text: string, reason: string): void {
  const v = Json.parse(text);
  if (v != null) abort("parsing <" + text + "> succeeded, want an error containing " + reason);
  if (!Json.error()!.includes(reason)) abort("parsing <" + text + ">: error <" + Json.error()! + "> does not contain <" + reason + ">");
}

export function test_json_reader(): void {
  parses(" {\"b\" : [1, -2.5e3, true, false, null], \"a\":{}} ", "{\"a\":{},\"b\":[1,-2500,true,false,null]}");
  parses("\"\\u00e9\\ud83d\\ude00\\/\\\"\\\\\\b\\f\\n\\r\\t\"", "\"é😀/\\\"\\\\\\b\\f\\n\\r\\t\"");
  parses("\"\\ud800x\"", "\"\ufffdx\""); // a lone surrogate escape is U+FFFD, as in Go
  parses("\"é😀\"", "\"é😀\"");
  parses("[]", "[]");
  parses("0", "0");
  parses("-0", "0");
  parses("{\"a\":1,\"a\":2}", "{\"a\":2}"); // the last repeated key wins, as in Go
  const ints = Json.parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 1e2]")!;
  check(ints.at(0).isInt() && ints.at(0).asInt() == i64.MAX_VALUE, "max int64");
  check(ints.at(1).isInt() && ints.at(1).asInt() == i64.MIN_VALUE, "min int64");
  check(ints.at(2).isFloat(), "an int64 overflow is a float");
  check(ints.at(3).isFloat() && ints.at(3).isInteger(), "1.0 is a float without fraction");
  check(ints.at(4).isFloat() && ints.at(4).asFloat() == 100, "1e2");
  check(Json.parse("{\"position\":4}")!.get("position").asInt() == 4, "position");
  check(Json.parseBytes(Uint8Array.wrap(String.UTF8.encode("[1]")))!.at(0).asInt() == 1, "parseBytes");
  check(Json.parse("{\"x\":null}")!.has("x"), "a null member is kept as nil");

  rejects("", "unexpected end of JSON input");
  rejects("   ", "unexpected end of JSON input");
  rejects("{\"a\":1,}", "looking for beginning of object key string");
  rejects("[1,]", "looking for beginning of value");
  rejects("[1 2]", "after array element");
  rejects("{\"a\" 1}", "after object key");
  rejects("{\"a\":1 \"b\":2}", "after object key:value pair");
  rejects("01", "after top-level value");
  rejects("1 2", "after top-level value");
  rejects("-", "in numeric literal");
  rejects("1.", "after decimal point");
  rejects(".5", "looking for beginning of value");
  rejects("1e", "in exponent");
  rejects("tru", "unexpected end");
  rejects("nul1", "invalid literal");
  rejects("\"abc", "unexpected end of JSON input");
  rejects("\"a\nb\"", "invalid character in string literal");
  rejects("\"\\x\"", "invalid character in string escape code");
  rejects("\"\\u12g4\"", "in \\u hexadecimal character escape");
  rejects("{\"a\":[1,{\"b\":}]}", "looking for beginning of value");
  rejects("not json", "invalid literal");
  rejects("xyz", "looking for beginning of value");
  // Depth: 512 nested arrays parse, 513 do not.
  check(Json.parse("[".repeat(512) + "]".repeat(512)) != null, "512 levels");
  check(Json.parse("{\"a\":".repeat(512) + "\"x\"" + "}".repeat(512)) != null, "512 levels of objects: " + (Json.error() != null ? Json.error()! : ""));
  check(Json.stringify(Json.parse("[".repeat(60) + "{\"k\":[1]}" + "]".repeat(60))!).length == 129, "60 levels written");
  rejects("[".repeat(513) + "]".repeat(513), "exceeded max depth");
}

// ---------------------------------------------------------------- abort


export function abort_for_runner(): void {
  abort("checked failure");
}
