// Command tictactoe is a complete server-authoritative match, the Go
// version of modules/tictactoe.lua: the same rules, op codes and messages,
// byte for byte (test/conformance plays one scripted game against the Lua,
// Rust, AssemblyScript and Go versions and compares every frame).
//
// Two players join; the first is X (mark 1), the second O (mark 2).
// Clients send their moves; the server checks every move, keeps the board,
// decides the winner and tells both players. A player who leaves a running
// game forfeits. The match ends a few ticks after the game is over.
//
//	op 1 START     server -> all    {"board":[...],"mark":1,"marks":{"<user id>":1,...}}
//	op 2 UPDATE    server -> all    {"board":[...],"mark":<mark to play>}
//	op 3 DONE      server -> all    {"board":[...],"winner":<mark, 0 for a draw>,"winner_positions":[a,b,c]}
//	                                (no "winner_positions" on a draw or a forfeit)
//	op 4 MOVE      client -> server {"position":<0..8>}
//	op 5 REJECTED  server -> sender {"reason":"<why>"}
//
// JSON keys are written in sorted order, without spaces. The board is 9
// marks, row by row: 0 empty, 1 X, 2 O. The match handler is registered as
// tictactoe_go. Build it from the repository's root:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o modules/tictactoe_go.wasm ./sdk/go/examples/tictactoe
package main

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/arbiterhq/arbiter/sdk/go/arbiter"
)

// Op codes.
const (
	opStart    = 1
	opUpdate   = 2
	opDone     = 3
	opMove     = 4
	opRejected = 5
)

const (
	tickRate = 5
	// endAfterTicks is how long the match lives on after the game ends.
	endAfterTicks = 5
)

var lines = [8][3]int{
	{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, // rows
	{0, 3, 6}, {1, 4, 7}, {2, 5, 8}, // columns
	{0, 4, 8}, {2, 4, 6}, // diagonals
}

func init() {
	arbiter.RegisterMatch("tictactoe_go", func() arbiter.Match { return ticTacToe{} })
}

func main() {}

// state is the match state, kept in the match's instance.
type state struct {
	board [9]int
	// players are the presences in join order: players[0] is X.
	players []arbiter.Presence
	// marks maps a user id to its mark.
	marks map[string]int
	// mark is whose turn it is.
	mark     int
	started  bool
	done     bool
	doneTick int64
}

func (s *state) label() string {
	if len(s.players) < 2 && !s.done {
		return `{"game":"tictactoe","open":1}`
	}
	return `{"game":"tictactoe","open":0}`
}

// must ends the match with err, as a failed dispatcher call ends the Lua
// version's match with an error.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// broadcast sends a message to everyone, or to one presence.
func broadcast(d arbiter.Dispatcher, op int64, data []byte, to *arbiter.Presence) {
	var ps []arbiter.Presence
	if to != nil {
		ps = []arbiter.Presence{*to}
	}
	must(d.BroadcastMessage(op, data, ps, nil, true))
}

// appendBoard appends `"board":[...]`.
func appendBoard(b []byte, board *[9]int) []byte {
	b = append(b, `"board":[`...)
	for i, v := range board {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, ']')
}

// The REJECTED messages (the reasons are plain ASCII: no escaping).
var (
	notStarted      = rejection("game not started")
	gameOver        = rejection("game over")
	notYourTurn     = rejection("not your turn")
	invalidPosition = rejection("invalid position")
	positionTaken   = rejection("position taken")
	unknownOpCode   = rejection("unknown op code")
)

func rejection(reason string) []byte { return []byte(`{"reason":"` + reason + `"}`) }

// reject answers a message's sender only.
func reject(d arbiter.Dispatcher, sender arbiter.Presence, msg []byte) {
	broadcast(d, opRejected, msg, &sender)
}

func (s *state) finish(d arbiter.Dispatcher, tick int64, winner int, positions *[3]int) {
	s.done, s.doneTick = true, tick
	b := appendBoard([]byte{'{'}, &s.board)
	b = append(b, `,"winner":`...)
	b = strconv.AppendInt(b, int64(winner), 10)
	if positions != nil {
		b = append(b, `,"winner_positions":[`...)
		for i, p := range positions {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(p), 10)
		}
		b = append(b, ']')
	}
	broadcast(d, opDone, append(b, '}'), nil)
	must(d.MatchLabelUpdate(s.label()))
}

// move applies one MOVE message, or rejects it with a reason.
func (s *state) move(d arbiter.Dispatcher, tick int64, m arbiter.Message) {
	if !s.started {
		reject(d, m.Sender, notStarted)
		return
	}
	if s.done {
		reject(d, m.Sender, gameOver)
		return
	}
	if mark, ok := s.marks[m.Sender.UserID]; !ok || mark != s.mark {
		reject(d, m.Sender, notYourTurn)
		return
	}
	pos, ok := position(m.Data)
	if !ok {
		reject(d, m.Sender, invalidPosition)
		return
	}
	if s.board[pos] != 0 {
		reject(d, m.Sender, positionTaken)
		return
	}
	s.board[pos] = s.mark
	if winner, line := winnerLine(&s.board); winner != 0 {
		s.finish(d, tick, winner, line)
		return
	}
	if full(&s.board) {
		s.finish(d, tick, 0, nil)
		return
	}
	s.mark = 3 - s.mark
	b := appendBoard([]byte{'{'}, &s.board)
	b = append(b, `,"mark":`...)
	b = strconv.AppendInt(b, int64(s.mark), 10)
	broadcast(d, opUpdate, append(b, '}'), nil)
}

// position reads the position of a MOVE as the Lua version does with
// nk.json_decode: the data must be JSON whose top level is an object with
// a "position" member that is an integral number from 0 to 8 (4.0 and 4e0
// count). The usual form, {"position":D}, is read without decoding.
func position(data []byte) (int, bool) {
	if len(data) == 14 && string(data[:6]) == `{"posi` && string(data[6:12]) == `tion":` && data[13] == '}' {
		if c := data[12]; c >= '0' && c <= '9' {
			return int(c - '0'), c <= '8'
		}
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, false
	}
	obj, _ := v.(map[string]any)
	f, ok := obj["position"].(float64)
	if !ok || f != math.Floor(f) || f < 0 || f > 8 {
		return 0, false
	}
	return int(f), true
}

func winnerLine(board *[9]int) (int, *[3]int) {
	for i := range lines {
		l := &lines[i]
		a, b, c := board[l[0]], board[l[1]], board[l[2]]
		if a != 0 && a == b && b == c {
			return a, l
		}
	}
	return 0, nil
}

func full(board *[9]int) bool {
	for _, v := range board {
		if v == 0 {
			return false
		}
	}
	return true
}

// ticTacToe is the match handler: the state does the work.
type ticTacToe struct{}

func (ticTacToe) MatchInit(ctx *arbiter.Context, params map[string]any) (any, int, string) {
	s := &state{marks: map[string]int{}, mark: 1}
	return s, tickRate, s.label()
}

func (ticTacToe) MatchJoinAttempt(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, p arbiter.Presence, md map[string]string) (any, bool, string) {
	s := st.(*state)
	if _, ok := s.marks[p.UserID]; ok {
		return s, true, "" // a player coming back
	}
	if len(s.players) >= 2 || s.done {
		return s, false, "match full"
	}
	return s, true, ""
}

func (ticTacToe) MatchJoin(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, ps []arbiter.Presence) any {
	s := st.(*state)
	for _, p := range ps {
		if _, ok := s.marks[p.UserID]; !ok {
			s.players = append(s.players, p)
			s.marks[p.UserID] = len(s.players)
			continue
		}
		for i := range s.players {
			if s.players[i].UserID == p.UserID {
				s.players[i] = p
			}
		}
	}
	if len(s.players) == 2 && !s.started {
		s.started = true
		broadcast(d, opStart, s.startJSON(), nil)
	}
	must(d.MatchLabelUpdate(s.label()))
	return s
}

// startJSON is START: the board, whose turn, and the marks by user id
// (sorted, escaped as encoding/json and nk.json_encode escape them).
func (s *state) startJSON() []byte {
	b := appendBoard([]byte{'{'}, &s.board)
	b = append(b, `,"mark":`...)
	b = strconv.AppendInt(b, int64(s.mark), 10)
	b = append(b, `,"marks":{`...)
	ids := make([]string, 0, len(s.marks))
	for id := range s.marks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		key, _ := json.Marshal(id)
		b = append(b, key...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(s.marks[id]), 10)
	}
	return append(b, "}}"...)
}

func (ticTacToe) MatchLeave(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, ps []arbiter.Presence) any {
	s := st.(*state)
	for _, p := range ps {
		if mark, ok := s.marks[p.UserID]; ok && s.started && !s.done {
			s.finish(d, tick, 3-mark, nil) // the one who stays wins by forfeit
		}
	}
	return s
}

func (ticTacToe) MatchLoop(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, msgs []arbiter.Message) any {
	s := st.(*state)
	for _, m := range msgs {
		if m.OpCode == opMove {
			s.move(d, tick, m)
		} else {
			reject(d, m.Sender, unknownOpCode)
		}
	}
	if s.done && tick-s.doneTick >= endAfterTicks {
		return nil // the game is over: end the match
	}
	if len(s.players) == 0 && tick > tickRate*60 {
		return nil // nobody came for a minute
	}
	return s
}

func (ticTacToe) MatchTerminate(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, graceSeconds int) any {
	return nil
}

func (ticTacToe) MatchSignal(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, st any, data string) (any, string) {
	return st, data
}
