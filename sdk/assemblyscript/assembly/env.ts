// Replacements for the "env" imports the AssemblyScript compiler emits.
//
// ABI.md §2 lets a module import only from arbiter_v1 (and WASI), so the
// compiler's env.abort, env.trace and env.seed must not appear. Build with
//
//   --use abort=__arbiter_abort --use trace=__arbiter_trace --use seed=__arbiter_seed
//
// and these functions take their place (asconfig.json in this package sets
// it). abort logs the message at error level and traps; the host then fails
// the call and never calls the instance again (ABI.md §7).

import { host_log, host_nk_call, host_take, wordLength, wordStatus } from "./abi";

// A static scratch area: abort may run when the heap is exhausted, so it
// must not allocate.
const SCRATCH_SIZE: usize = 1024;
const scratch = memory.data(<i32>SCRATCH_SIZE);

// Writes a string's UTF-8 bytes at scratch+at, truncated to the area.
function put(at: usize, s: string | null): usize {
  if (s == null) return at;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // keep it simple: no pairs
    const need: usize = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (at + need > SCRATCH_SIZE) return at;
    const p = scratch + at;
    if (c < 0x80) {
      store<u8>(p, <u8>c);
    } else if (c < 0x800) {
      store<u8>(p, <u8>(0xc0 | (c >> 6)));
      store<u8>(p, <u8>(0x80 | (c & 63)), 1);
    } else {
      store<u8>(p, <u8>(0xe0 | (c >> 12)));
      store<u8>(p, <u8>(0x80 | ((c >> 6) & 63)), 1);
      store<u8>(p, <u8>(0x80 | (c & 63)), 2);
    }
    at += need;
  }
  return at;
}

function putUint(at: usize, v: u32): usize {
  let digits: usize = 1;
  for (let x = v; x >= 10; x /= 10) digits++;
  if (at + digits > SCRATCH_SIZE) return at;
  let p = scratch + at + digits;
  do {
    store<u8>(--p, <u8>(0x30 + v % 10));
    v /= 10;
  } while (v);
  return at + digits;
}

/**
 * Takes the place of the compiler's env.abort (assertions, out-of-range
 * indexes, null dereferences, out of memory): logs and traps.
 */
// @ts-ignore: decorator
@global export function __arbiter_abort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let n = put(0, "abort: ");
  n = put(n, message != null ? message : "(no message)");
  if (fileName != null) {
    n = put(n, " (");
    n = put(n, fileName);
    n = put(n, ":");
    n = putUint(n, line);
    n = put(n, ":");
    n = putUint(n, column);
    n = put(n, ")");
  }
  host_log(3, scratch, <u32>n, 0, 0);
  unreachable();
}

/** Takes the place of env.trace: logs at debug level. */
// @ts-ignore: decorator
@global export function __arbiter_trace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let s = "trace: " + message;
  if (n > 0) s += " " + a0.toString();
  if (n > 1) s += ", " + a1.toString();
  if (n > 2) s += ", " + a2.toString();
  if (n > 3) s += ", " + a3.toString();
  if (n > 4) s += ", " + a4.toString();
  const b = String.UTF8.encode(s);
  host_log(0, changetype<usize>(b), <u32>b.byteLength, 0, 0);
}

/**
 * Takes the place of env.seed, which seeds Math.random: 64 bits of a
 * random UUID from the host (nk uuid_v4), or a constant if that fails.
 */
// @ts-ignore: decorator
@global export function __arbiter_seed(): f64 {
  const name = "uuid_v4";
  let n = put(0, name);
  const word = host_nk_call(scratch, <u32>n, 0, 0);
  let bits: u64 = 0x9e3779b97f4a7c15;
  const len = wordLength(word);
  if (wordStatus(word) == 0 && len > 0 && len <= <u32>SCRATCH_SIZE && host_take(scratch, len) == 0) {
    // The reply is a list holding the UUID string: fold its hex digits.
    for (let i: u32 = 0; i < len; i++) {
      const c = <u32>load<u8>(scratch + <usize>i);
      let d: u32 = 16;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      if (d < 16) bits = (bits << 4 | bits >> 60) ^ <u64>d;
    }
  }
  return reinterpret<f64>(bits);
}
