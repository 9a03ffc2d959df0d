-- Arbiter e2e (not from the documentation): a match handler whose label is
-- chosen by its creator, for the match listing tests. Created with
-- nk.match_create("labelled", {label = "<label>"}); accepts everyone; a
-- signal "stop" ends the match.
local M = {}

function M.match_init(context, params)
  return {}, 10, params.label or ""
end

function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  return state, true
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
  return nil
end

function M.match_signal(context, dispatcher, tick, state, data)
  if data == "stop" then
    return nil, "stopping"
  end
  return state, data
end

return M
