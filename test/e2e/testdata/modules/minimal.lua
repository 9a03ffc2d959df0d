-- Source: heroiclabs/nakama-docs docs/nakama/concepts/server-authoritative-multiplayer.md @ 5e4b610daa223c616c8e73e65cb6a507b80df592 (mirrors https://heroiclabs.com/docs/nakama/concepts/multiplayer/authoritative/) ; section "Host node" -> "The minimum structure of a match handler" (Lua tab). Verbatim, 4-space markdown tab indent removed.
local M = {}

function M.match_init(context, setupstate)
  local gamestate = {}
  local tickrate = 10
  local label = ""
  return gamestate, tickrate, label
end

function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  local acceptuser = true
  return state, acceptuser
end

function M.match_join(context, dispatcher, tick, state, presences)
  return state
end

function M.match_leave(context, dispatcher, tick, state, presences)
  return state
end

function M.match_loop(context, dispatcher, tick, state, messages)
  return state
end

function M.match_terminate(context, dispatcher, tick, state, grace_seconds)
  return state
end

function M.match_signal(context, dispatcher, tick, state, data)
  return state, data
end

return M
