-- Source: heroiclabs/nakama-docs docs/nakama/concepts/server-authoritative-multiplayer.md @ 5e4b610daa223c616c8e73e65cb6a507b80df592 (mirrors https://heroiclabs.com/docs/nakama/concepts/multiplayer/authoritative/) ; section "Match listings" (Lua tab, exact label filter). Verbatim, 4-space markdown tab indent removed.
-- Arbiter e2e (not part of the documentation): the snippet is module-level
-- code; its lines are kept unchanged between "local function" and "end",
-- which make it the RPC "match_list_label". The RPC answers the listed matches as
-- JSON, so that the test can see what the snippet found.
local nk = require("nakama")
local function match_list_label(context, payload)
local nk = require("nakama")

local limit = 10
local isAuthoritative = true
local label = "skill=100-150"
local min_size = 0
local max_size = 4
local matches = nk.match_list(limit, isAuthoritative, label, min_size, max_size)
for _, match in ipairs(matches) do
    nk.logger_info(string.format("Match id %s", match.match_id))
end
return nk.json_encode(matches)
end
nk.register_rpc(match_list_label, "match_list_label")
