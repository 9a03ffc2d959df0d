-- Source: heroiclabs/nakama-docs docs/nakama/concepts/server-authoritative-multiplayer.md @ 5e4b610daa223c616c8e73e65cb6a507b80df592 (mirrors https://heroiclabs.com/docs/nakama/concepts/multiplayer/authoritative/) ; section "Match listings" -> "search for matches before creating a new match" (Lua tab). Verbatim, 4-space markdown tab indent removed. (Docs give a plain function, not a registered RPC; module "supermatch" must exist.)
local nk = require("nakama")
local function findorcreatematch(limit, label, min_size, max_size)
    local matches = nk.match_list(limit, true, label, min_size, max_size)
    if (#matches > 0) then
        table.sort(matches, function(a, b)
            return a.size > b.size;
        end)
        return matches[1].match_id
    end

    local modulename = "supermatch"
    local initialstate = {}
    local match_id = nk.match_create(modulename, initialstate)
    return match_id
end

-- Arbiter e2e (not part of the documentation): the documentation gives
-- findorcreatematch as a plain function; this RPC calls it, unchanged, with
-- the arguments of a JSON payload {"limit", "label", "min_size", "max_size"}
-- and answers {"match_id": ...}.
local function find_or_create_match_rpc(context, payload)
  local args = nk.json_decode(payload)
  local match_id = findorcreatematch(args.limit, args.label, args.min_size, args.max_size)
  return nk.json_encode({ match_id = match_id })
end
nk.register_rpc(find_or_create_match_rpc, "find_or_create_match")
