// Command wasmcounter is the WASM twin of test/engine's Lua counter: match
// "counter" counts its ticks, match_signal answers the count, and the
// signal "spin" makes its next match_loop never return.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o counter.wasm ./test/engine/testdata/wasmcounter
package main

import (
	"strconv"

	"github.com/arbiterhq/arbiter/sdk/go/arbiter"
)

func init() {
	arbiter.RegisterMatch("counter", func() arbiter.Match { return counter{} })
}

func main() {}

type state struct {
	ticks int
	spin  bool
}

type counter struct{}

func (counter) MatchInit(ctx *arbiter.Context, params map[string]any) (any, int, string) {
	rate := int64(10)
	if r, ok := params["rate"].(int64); ok {
		rate = r
	}
	arbiter.Logger.Info("counter started", "rate", rate)
	return &state{}, int(rate), ""
}

func (counter) MatchJoinAttempt(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, p arbiter.Presence, md map[string]string) (any, bool, string) {
	return s, true, ""
}

func (counter) MatchJoin(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, ps []arbiter.Presence) any {
	return s
}

func (counter) MatchLeave(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, ps []arbiter.Presence) any {
	return s
}

func (counter) MatchLoop(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, msgs []arbiter.Message) any {
	st := s.(*state)
	if st.spin {
		for {
		}
	}
	st.ticks++
	return st
}

func (counter) MatchTerminate(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, grace int) any {
	return nil
}

func (counter) MatchSignal(ctx *arbiter.Context, d arbiter.Dispatcher, tick int64, s any, data string) (any, string) {
	st := s.(*state)
	if data == "spin" {
		st.spin = true
	}
	return st, strconv.Itoa(st.ticks)
}
