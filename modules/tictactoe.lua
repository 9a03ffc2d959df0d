--[[
Tic-tac-toe: a complete server-authoritative match.

Two players join; the first is X (mark 1), the second O (mark 2). Clients
send their moves; the server checks every move, keeps the board, decides the
winner and tells both players. A player who leaves a running game forfeits.
The match ends a few ticks after the game is over.

The same game is written in Rust, AssemblyScript and Go under sdk/*/examples
and modules/; a conformance test plays one scripted game against all four
and requires the same messages, byte for byte. So the wire format is fixed:

  op 1 START     server -> all    {"board":[...],"mark":1,"marks":{"<user id>":1,...}}
  op 2 UPDATE    server -> all    {"board":[...],"mark":<mark to play>}
  op 3 DONE      server -> all    {"board":[...],"winner":<mark, 0 for a draw>,"winner_positions":[a,b,c]}
                                  (no "winner_positions" on a draw or a forfeit)
  op 4 MOVE      client -> server {"position":<0..8>}
  op 5 REJECTED  server -> sender {"reason":"<why>"}

JSON keys are written in sorted order, without spaces (nk.json_encode does).
The board is 9 marks, row by row: 0 empty, 1 X, 2 O.
--]]

local nk = require("nakama")

local M = {}

local OP_START, OP_UPDATE, OP_DONE, OP_MOVE, OP_REJECTED = 1, 2, 3, 4, 5
local TICK_RATE = 5
local END_AFTER_TICKS = 5 -- ticks the match lives on after the game ends

local LINES = {
  {0, 1, 2}, {3, 4, 5}, {6, 7, 8}, -- rows
  {0, 3, 6}, {1, 4, 7}, {2, 5, 8}, -- columns
  {0, 4, 8}, {2, 4, 6},            -- diagonals
}

local function label(state)
  local open = 0
  if #state.players < 2 and not state.done then open = 1 end
  return nk.json_encode({ game = "tictactoe", open = open })
end

function M.match_init(context, params)
  local state = {
    board = {0, 0, 0, 0, 0, 0, 0, 0, 0},
    players = {},    -- presences in join order: players[1] is X
    marks = {},      -- user_id -> mark
    mark = 1,        -- whose turn
    started = false,
    done = false,
    done_tick = 0,
  }
  return state, TICK_RATE, label(state)
end

function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  if state.marks[presence.user_id] ~= nil then
    return state, true -- a player coming back
  end
  if #state.players >= 2 or state.done then
    return state, false, "match full"
  end
  return state, true
end

local function board_json(state)
  return state.board
end

function M.match_join(context, dispatcher, tick, state, presences)
  for _, p in ipairs(presences) do
    if state.marks[p.user_id] == nil then
      table.insert(state.players, p)
      state.marks[p.user_id] = #state.players
    else
      for i, old in ipairs(state.players) do
        if old.user_id == p.user_id then state.players[i] = p end
      end
    end
  end
  if #state.players == 2 and not state.started then
    state.started = true
    dispatcher.broadcast_message(OP_START, nk.json_encode({
      board = board_json(state), mark = state.mark, marks = state.marks,
    }))
  end
  dispatcher.match_label_update(label(state))
  return state
end

local function winner_line(board)
  for _, line in ipairs(LINES) do
    local a, b, c = board[line[1] + 1], board[line[2] + 1], board[line[3] + 1]
    if a ~= 0 and a == b and b == c then
      return a, line
    end
  end
  return 0, nil
end

local function full(board)
  for _, v in ipairs(board) do
    if v == 0 then return false end
  end
  return true
end

local function finish(state, dispatcher, tick, winner, positions)
  state.done = true
  state.done_tick = tick
  local msg = { board = board_json(state), winner = winner }
  if positions ~= nil then msg.winner_positions = positions end
  dispatcher.broadcast_message(OP_DONE, nk.json_encode(msg))
  dispatcher.match_label_update(label(state))
end

local function reject(dispatcher, sender, reason)
  dispatcher.broadcast_message(OP_REJECTED, nk.json_encode({ reason = reason }), { sender })
end

-- move applies one MOVE message, or rejects it with a reason.
local function move(state, dispatcher, tick, m)
  if not state.started then return reject(dispatcher, m.sender, "game not started") end
  if state.done then return reject(dispatcher, m.sender, "game over") end
  if state.marks[m.sender.user_id] ~= state.mark then return reject(dispatcher, m.sender, "not your turn") end
  local ok, decoded = pcall(nk.json_decode, m.data or "")
  local pos = ok and type(decoded) == "table" and decoded.position or nil
  if type(pos) ~= "number" or pos ~= math.floor(pos) or pos < 0 or pos > 8 then
    return reject(dispatcher, m.sender, "invalid position")
  end
  if state.board[pos + 1] ~= 0 then return reject(dispatcher, m.sender, "position taken") end

  state.board[pos + 1] = state.mark
  local winner, line = winner_line(state.board)
  if winner ~= 0 then
    return finish(state, dispatcher, tick, winner, line)
  end
  if full(state.board) then
    return finish(state, dispatcher, tick, 0, nil)
  end
  state.mark = 3 - state.mark
  dispatcher.broadcast_message(OP_UPDATE, nk.json_encode({ board = board_json(state), mark = state.mark }))
end

function M.match_loop(context, dispatcher, tick, state, messages)
  for _, m in ipairs(messages) do
    if m.op_code == OP_MOVE then
      move(state, dispatcher, tick, m)
    else
      reject(dispatcher, m.sender, "unknown op code")
    end
  end
  if state.done and tick - state.done_tick >= END_AFTER_TICKS then
    return nil -- the game is over: end the match
  end
  if #state.players == 0 and tick > TICK_RATE * 60 then
    return nil -- nobody came for a minute
  end
  return state
end

function M.match_leave(context, dispatcher, tick, state, presences)
  for _, p in ipairs(presences) do
    if state.started and not state.done and state.marks[p.user_id] ~= nil then
      -- The one who stays wins by forfeit.
      finish(state, dispatcher, tick, 3 - state.marks[p.user_id], nil)
    end
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
