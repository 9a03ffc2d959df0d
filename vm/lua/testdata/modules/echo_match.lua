-- A match module in the shape of Nakama's documented ping-pong handler,
-- written for Arbiter's tests: it keeps the players in its state, sends
-- each message back to its sender and says goodbye on terminate.
local nk = require("nakama")

local handler = {}

function handler.match_init(context, params)
  local state = { players = {}, seen = 0, initial = params and params.initialstate }
  return state, 1, ""
end

function handler.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  if metadata.banned == "yes" then
    return state, false, "banned"
  end
  return state, true
end

function handler.match_join(context, dispatcher, tick, state, presences)
  for _, p in ipairs(presences) do
    state.players[p.session_id] = p
  end
  return state
end

function handler.match_leave(context, dispatcher, tick, state, presences)
  for _, p in ipairs(presences) do
    state.players[p.session_id] = nil
  end
  return state
end

function handler.match_loop(context, dispatcher, tick, state, messages)
  for _, m in ipairs(messages) do
    state.seen = state.seen + 1
    local decoded = nk.json_decode(m.data)
    nk.logger_info(string.format("message %s from %s", decoded.say, m.sender.username))
    dispatcher.broadcast_message(1, m.data, { m.sender })
  end
  return state
end

function handler.match_terminate(context, dispatcher, tick, state, grace_seconds)
  dispatcher.broadcast_message(2, "closing in " .. grace_seconds .. " seconds")
  return nil
end

function handler.match_signal(context, dispatcher, tick, state, data)
  return state, "seen " .. state.seen .. ": " .. data
end

return handler
