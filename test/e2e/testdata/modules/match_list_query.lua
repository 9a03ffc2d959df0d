-- Source: heroiclabs/nakama-docs docs/nakama/concepts/server-authoritative-multiplayer.md @ 5e4b610daa223c616c8e73e65cb6a507b80df592 (mirrors https://heroiclabs.com/docs/nakama/concepts/multiplayer/authoritative/) ; section "Search query" (Lua tab). Verbatim, 4-space markdown tab indent removed.
-- Arbiter e2e (not part of the documentation): the snippet is module-level
-- code; its lines are kept unchanged between "local function" and "end",
-- which make it the RPC "match_list_query". The RPC answers the listed matches as
-- JSON, so that the test can see what the snippet found.
local nk = require("nakama")
local function match_list_query(context, payload)
local nk = require("nakama")

local limit = 10
local isauthoritative = true
local label = ""
local min_size = 0
local max_size = 4
local query = "+label.mode:freeforall label.level:>10"
local matches = nk.match_list(limit, isauthoritative, label, min_size, max_size, query)
for _, match in ipairs(matches) do
    nk.logger_info(string.format("Match id %s", match.match_id))
end
return nk.json_encode(matches)
end
nk.register_rpc(match_list_query, "match_list_query")
