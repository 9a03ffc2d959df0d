// The imports of the host module arbiter_v1 (sdk/ABI.md §4) and the status
// codes they and the exports share. Everything that crosses the boundary
// goes through this file and exports.ts.

/** Status codes of result words and replies (ABI.md §4). */
export namespace Status {
  export const OK: i32 = 0;
  export const ERROR: i32 = 1;
  export const NIL_STATE: i32 = 2;
  export const NOT_FOUND: i32 = 3;
  export const BAD_POINTER: i32 = 4;
  export const MALFORMED: i32 = 5;
  export const NOT_ALLOWED: i32 = 6;
  export const BUDGET: i32 = 7;
}

/** gRPC status codes, as Nakama and the error maps of ABI.md use them. */
export namespace Code {
  export const CANCELED: i32 = 1;
  export const UNKNOWN: i32 = 2;
  export const INVALID_ARGUMENT: i32 = 3;
  export const DEADLINE_EXCEEDED: i32 = 4;
  export const NOT_FOUND: i32 = 5;
  export const ALREADY_EXISTS: i32 = 6;
  export const PERMISSION_DENIED: i32 = 7;
  export const RESOURCE_EXHAUSTED: i32 = 8;
  export const FAILED_PRECONDITION: i32 = 9;
  export const ABORTED: i32 = 10;
  export const OUT_OF_RANGE: i32 = 11;
  export const UNIMPLEMENTED: i32 = 12;
  export const INTERNAL: i32 = 13;
  export const UNAVAILABLE: i32 = 14;
  export const DATA_LOSS: i32 = 15;
  export const UNAUTHENTICATED: i32 = 16;
}

/** Flags of match_broadcast. */
export const FLAG_RELIABLE: u32 = 1;
export const FLAG_DEFERRED: u32 = 2;

// @ts-ignore: decorator
@external("arbiter_v1", "take")
export declare function host_take(ptr: usize, len: u32): u32;

// @ts-ignore: decorator
@external("arbiter_v1", "nk_call")
export declare function host_nk_call(namePtr: usize, nameLen: u32, argsPtr: usize, argsLen: u32): u64;

// @ts-ignore: decorator
@external("arbiter_v1", "log")
export declare function host_log(level: i32, msgPtr: usize, msgLen: u32, fieldsPtr: usize, fieldsLen: u32): u32;

// @ts-ignore: decorator
@external("arbiter_v1", "match_broadcast")
export declare function host_match_broadcast(
  opCode: i64,
  dataPtr: usize, dataLen: u32,
  toPtr: usize, toLen: u32,
  senderPtr: usize, senderLen: u32,
  flags: u32
): u64;

// @ts-ignore: decorator
@external("arbiter_v1", "match_kick")
export declare function host_match_kick(ptr: usize, len: u32): u64;

// @ts-ignore: decorator
@external("arbiter_v1", "match_label_update")
export declare function host_match_label_update(ptr: usize, len: u32): u64;

/** The status of a result word. */
// @ts-ignore: decorator
@inline export function wordStatus(word: u64): i32 {
  return <i32>(word >> 32);
}

/** The length of the pending reply of a result word. */
// @ts-ignore: decorator
@inline export function wordLength(word: u64): u32 {
  return <u32>(word & 0xffffffff);
}
