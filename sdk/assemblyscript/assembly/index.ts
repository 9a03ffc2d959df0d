// @arbiterhq/arbiter-as: write Arbiter game modules in AssemblyScript.
// The guest side of sdk/ABI.md (ABI v1). See README.md.

import "./env";

export { Code, Status } from "./abi";
export { Decoder, decode, decodeError, encode, Encoder, Kind, MAX_DEPTH, MAX_MESSAGE_BYTES, Tag, Value } from "./codec";
export { compareUtf8, Json, JSON_MAX_DEPTH, JsonReader, JsonWriter } from "./json";
export { Dispatcher, dispatcher, JoinResult, MatchHandler, MatchSetup } from "./match";
export {
  HostError, lastError, Level, logger, nk, StorageAck, StorageObject, StorageObjectId, StorageWrite,
} from "./nk";
export {
  ContextFn, fail, MatchFactory, MatchmakerFn, moduleName, onLoad, registerMatch, registerMatchmakerMatched,
  registerRpc, registerShutdown, ReloadPolicy, RpcFn, setReloadPolicy,
} from "./register";
export { Context, MatchmakerEntry, Message, Presence } from "./types";
