-- A matchmaker hook that puts the matched players in a new match.
local nk = require("nakama")

nk.register_matchmaker_matched(function(context, entries)
  local names = {}
  for _, e in ipairs(entries) do
    table.insert(names, e.presence.username)
  end
  return nk.match_create("echo_match", { invited = names })
end)
