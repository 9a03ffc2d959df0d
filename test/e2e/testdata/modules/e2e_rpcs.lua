-- Arbiter e2e (not from the documentation): RPCs the end-to-end tests call
-- to create matches and to see how errors and contexts reach clients.
local nk = require("nakama")

-- e2e_match_create: payload {"module": "<name>", "params": {...}} creates an
-- authoritative match; answers {"match_id": "..."}.
nk.register_rpc(function(context, payload)
  local args = nk.json_decode(payload)
  return nk.json_encode({ match_id = nk.match_create(args.module, args.params) })
end, "e2e_match_create")

-- e2e_match_signal: payload {"match_id", "data"}; answers {"result": ...}.
nk.register_rpc(function(context, payload)
  local args = nk.json_decode(payload)
  return nk.json_encode({ result = nk.match_signal(args.match_id, args.data) })
end, "e2e_match_signal")

-- An error with only a message: Nakama answers HTTP 500, gRPC code 13.
nk.register_rpc(function(context, payload)
  error("something went wrong")
end, "e2e_error")

-- An error {message, code}: the code is the gRPC code of the answer.
nk.register_rpc(function(context, payload)
  error({ "bad input here", 3 })
end, "e2e_error_code")

-- The context the RPC runs with, as JSON.
nk.register_rpc(function(context, payload)
  return nk.json_encode(context)
end, "e2e_context")

-- No result: the answer has no payload.
nk.register_rpc(function(context, payload)
  return nil
end, "e2e_nothing")
