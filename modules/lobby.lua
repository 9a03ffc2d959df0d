--[[
RPCs and hooks a new user can call right away (see the README):

  echo        returns its payload unchanged
  find_match  joins an open tic-tac-toe match, or creates one; answers {"match_id": "..."}

and the matchmaker hook: two players matched with the property
game=tictactoe get an authoritative tic-tac-toe match; other groups meet in
a relayed match (the hook returns nil).
--]]

local nk = require("nakama")

local function echo(context, payload)
  return payload
end
nk.register_rpc(echo, "echo")

local function find_match(context, payload)
  local matches = nk.match_list(1, true, nil, nil, 1, "+label.game:tictactoe +label.open:1")
  if #matches > 0 then
    return nk.json_encode({ match_id = matches[1].match_id })
  end
  local match_id = nk.match_create("tictactoe", {})
  return nk.json_encode({ match_id = match_id })
end
nk.register_rpc(find_match, "find_match")

local function matchmaker_matched(context, entries)
  if #entries ~= 2 then
    return nil
  end
  for _, e in ipairs(entries) do
    if e.properties.game ~= "tictactoe" then
      return nil
    end
  end
  return nk.match_create("tictactoe", {})
end
nk.register_matchmaker_matched(matchmaker_matched)
