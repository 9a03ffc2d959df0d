--[[
loadecho: the match module of Arbiter's load tool (test/load).

Write it next to your other modules with
  go run ./test/load -write-module DIR
and start the server with DIR among its modules. It works on any server
that runs Nakama's Lua match API.

  RPC loadecho_create   payload {"tick": N} (a whole number 1..60; default 10)
                        creates a match ticking N times a second and
                        answers {"match_id": "<id>"}

The match echoes: every message a player sends is broadcast, in the next
tick, with its op code and data unchanged, to every player of the match,
the sender included (so a message sent in a match of P players is
delivered P times). The load tool stamps its send time into the data and
measures delivery from it. A match with players that send nothing costs
what its ticks cost (the tool's match-idle scenario).

The label is {"load":"echo","tick":N}. The match ends when its last player
leaves, or after 60 seconds if nobody ever joins.
--]]

local nk = require("nakama")

local DEFAULT_TICK = 10

local function create(context, payload)
  local tick = DEFAULT_TICK
  if payload ~= nil and payload ~= "" then
    local ok, p = pcall(nk.json_decode, payload)
    if not ok or type(p) ~= "table" then
      error("loadecho_create: payload must be a JSON object such as {\"tick\":10}")
    end
    if p.tick ~= nil then
      tick = p.tick
    end
  end
  if type(tick) ~= "number" or tick ~= math.floor(tick) or tick < 1 or tick > 60 then
    error("loadecho_create: tick must be a whole number from 1 to 60")
  end
  local match_id = nk.match_create("loadecho", { tick = tick })
  return nk.json_encode({ match_id = match_id })
end
nk.register_rpc(create, "loadecho_create")

local M = {}

function M.match_init(context, params)
  local tick = DEFAULT_TICK
  if type(params) == "table" and tonumber(params.tick) ~= nil then
    tick = math.floor(tonumber(params.tick))
  end
  if tick < 1 then tick = 1 end
  if tick > 60 then tick = 60 end
  local state = { tick = tick, players = 0, joined = false }
  return state, tick, nk.json_encode({ load = "echo", tick = tick })
end

function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  return state, true
end

function M.match_join(context, dispatcher, tick, state, presences)
  state.players = state.players + #presences
  state.joined = true
  return state
end

function M.match_leave(context, dispatcher, tick, state, presences)
  state.players = state.players - #presences
  return state
end

function M.match_loop(context, dispatcher, tick, state, messages)
  for _, m in ipairs(messages) do
    dispatcher.broadcast_message(m.op_code, m.data)
  end
  if state.joined and state.players <= 0 then
    return nil -- everyone left
  end
  if not state.joined and tick >= state.tick * 60 then
    return nil -- nobody came
  end
  return state
end

function M.match_terminate(context, dispatcher, tick, state, grace_seconds)
  return nil
end

function M.match_signal(context, dispatcher, tick, state, data)
  return state, data
end

return M
