// Command match is an example match module: players join an arena, every
// message is echoed to everyone, and the match ends when the last player
// leaves. When the server loads a new version of the module, running
// arenas move to it with their state (reload policy "migrate").
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o match.wasm ./examples/match
package main

import (
	"errors"
	"strconv"

	"github.com/arbiterhq/arbiter/sdk/go/arbiter"
)

func init() {
	arbiter.RegisterMatch("arena", func() arbiter.Match { return arena{} })
	arbiter.SetReloadPolicy("arena", arbiter.ReloadMigrate)
}

func main() {}

// state is the match state: plain Go values kept in the match's instance.
type state struct {
	players  map[string]arbiter.Presence
	messages int
	capacity int
}

type arena struct{}

func (arena) MatchInit(ctx *arbiter.Context, params map[string]any) (any, int, string) {
	capacity := 4
	if c, ok := params["capacity"].(int64); ok {
		capacity = int(c)
	}
	return &state{players: map[string]arbiter.Presence{}, capacity: capacity}, 10, "arena"
}

func (arena) MatchJoinAttempt(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, p arbiter.Presence, md map[string]string) (any, bool, string) {
	st := s.(*state)
	if len(st.players) >= st.capacity {
		return st, false, "match full"
	}
	return st, true, ""
}

func (arena) MatchJoin(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, ps []arbiter.Presence) any {
	st := s.(*state)
	for _, p := range ps {
		st.players[p.SessionID] = p
	}
	_ = d.MatchLabelUpdate("players=" + strconv.Itoa(len(st.players)))
	return st
}

func (arena) MatchLeave(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, ps []arbiter.Presence) any {
	st := s.(*state)
	for _, p := range ps {
		delete(st.players, p.SessionID)
	}
	if len(st.players) == 0 {
		return nil // the last player left: end the match
	}
	return st
}

func (arena) MatchLoop(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, msgs []arbiter.Message) any {
	st := s.(*state)
	for _, m := range msgs {
		st.messages++
		sender := m.Sender
		if err := d.BroadcastMessage(m.OpCode, m.Data, nil, &sender, true); err != nil {
			arbiter.Logger.Warn("broadcast failed", "error", err.Error())
		}
	}
	return st
}

func (arena) MatchTerminate(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, grace int) any {
	return nil
}

func (arena) MatchSignal(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, data string) (any, string) {
	st := s.(*state)
	switch data {
	case "stop":
		return nil, ""
	case "panic":
		panic("asked to")
	}
	return st, "messages=" + strconv.Itoa(st.messages) + " label=" + ctx.MatchLabel
}

// MatchSnapshot hands the state to a new version of the module: the
// message count, the capacity and the players, in the ABI value encoding.
func (arena) MatchSnapshot(ctx *arbiter.Context, tick int64, s any) ([]byte, error) {
	st := s.(*state)
	players := make([]any, 0, len(st.players))
	for _, p := range st.players {
		players = append(players, p)
	}
	return arbiter.Encode(map[string]any{
		"messages": int64(st.messages), "capacity": int64(st.capacity), "players": players,
	})
}

// MatchRestore rebuilds the state an earlier version's MatchSnapshot made.
func (arena) MatchRestore(ctx *arbiter.Context, tick int64, data []byte) (any, error) {
	v, err := arbiter.Decode(data)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, errors.New("arena: snapshot is not a map")
	}
	messages, _ := m["messages"].(int64)
	capacity, _ := m["capacity"].(int64)
	st := &state{players: map[string]arbiter.Presence{}, messages: int(messages), capacity: int(capacity)}
	players, _ := m["players"].([]any)
	for _, x := range players {
		p, _ := x.(map[string]any)
		str := func(k string) string { s, _ := p[k].(string); return s }
		st.players[str("session_id")] = arbiter.Presence{UserID: str("user_id"), SessionID: str("session_id"),
			Username: str("username"), Node: str("node")}
	}
	return st, nil
}
