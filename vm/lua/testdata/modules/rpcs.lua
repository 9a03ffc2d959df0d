-- RPCs in the shapes Nakama's documentation shows: create a match, echo
-- JSON, return the context.
local nk = require("nakama")

nk.register_rpc(function(context, payload)
  local id = nk.match_create("echo_match", { initialstate = payload })
  return nk.json_encode({ matchid = id })
end, "create_match_rpc")

nk.register_rpc(function(context, payload)
  return nk.json_encode(nk.json_decode(payload))
end, "json_echo")

nk.register_rpc(function(context, payload)
  return nk.json_encode({ mode = context.execution_mode, node = context.node })
end, "whoami")

nk.register_rpc(function(context, payload)
  local found = nk.match_list(10, true, nil, nil, nil, "*")
  return tostring(#found)
end, "count_matches")
