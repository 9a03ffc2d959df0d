-- Source: heroiclabs/nakama-docs docs/nakama/server-framework/basics.md @ fad3183120cbc1668752ba800c33118080d5f88c (mirrors https://heroiclabs.com/docs/nakama/server-framework/ basics page) ; section "Server to server" (Lua tab). Verbatim, 4-space markdown tab indent removed. Invoked e.g. curl "http://127.0.0.1:7350/v2/rpc/http_handler_path?http_key=defaulthttpkey" -d '"{\"some\": \"data\"}"' (or with &unwrap and raw JSON body).
local nk = require("nakama")

local function http_handler(context, payload)
  local message = nk.json_decode(payload)
  nk.logger_info(string.format("Message: %q", message))
  return nk.json_encode({["context"] = context})
end

nk.register_rpc(http_handler, "http_handler_path")
