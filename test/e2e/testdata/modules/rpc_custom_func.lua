-- Source: heroiclabs/nakama-docs docs/nakama/server-framework/basics.md @ fad3183120cbc1668752ba800c33118080d5f88c (mirrors https://heroiclabs.com/docs/nakama/server-framework/ basics page) ; section "RPC hook" (Lua tab). Verbatim, 4-space markdown tab indent removed.
local nk = require("nakama")

local function custom_rpc_func(context, payload)
  nk.logger_info(string.format("Payload: %q", payload))

  -- "payload" is bytes sent by the client we'll JSON decode it.
  local json = nk.json_decode(payload)

  return nk.json_encode(json)
end

nk.register_rpc(custom_rpc_func, "custom_rpc_func_id")
