// A small module of RPCs, built as echo_as.wasm. Outside this repository,
// import from "@arbiterhq/arbiter-as" and re-export
// "@arbiterhq/arbiter-as/exports" instead of the relative paths.

import { Code, Context, fail, Json, lastError, logger, nk, registerRpc, Value } from "../../index";

// The ABI exports must be exported by the entry file.
export * from "../../exports";

// echo_as answers the payload it receives.
registerRpc("echo_as", (ctx: Context, payload: string): string => {
  logger.debug("echo", Value.map().set("user_id", Value.str(ctx.userId)).set("bytes", Value.int(payload.length)));
  return payload;
});

// echo_as_json answers its JSON payload re-encoded as nk.json_encode does
// (keys sorted, no spaces), or fails with INVALID_ARGUMENT.
registerRpc("echo_as_json", (ctx: Context, payload: string): string => {
  const v = Json.parse(payload);
  if (v == null) return fail("invalid JSON: " + Json.error()!, Code.INVALID_ARGUMENT);
  return Json.stringify(v);
});

// echo_as_hex answers its hexadecimal payload decoded, through the generic
// nk.call (any nk function of ABI.md §9, by name, with its arguments); a
// payload that is not hexadecimal fails with the host's error.
registerRpc("echo_as_hex", (ctx: Context, payload: string): string => {
  const results = nk.call("base16_decode", [Value.str(payload)]);
  if (results == null) {
    const e = lastError()!;
    return fail(e.message, e.code);
  }
  return results[0].asString();
});
