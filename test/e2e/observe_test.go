package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/metrics"
)

// The modules of the operations test, beside the sample modules: trace.lua
// serves RPCs that log, create a match, fail and overrun their budget;
// traced.lua is a match module that logs in match_init, in its join
// attempts and on its first tick, and echoes messages to everyone.
const (
	traceModule = `local nk = require("nakama")
nk.register_rpc(function(context, payload)
  nk.logger_info("trace rpc called")
  nk.event("traced_match", {})
  return nk.match_create("traced", {})
end, "trace_create")
nk.register_rpc(function(context, payload)
  local function explode() error("deliberate failure") end
  explode()
end, "trace_fail")
nk.register_rpc(function(context, payload)
  while true do end
end, "trace_spin")
`
	tracedModule = `local nk = require("nakama")
local M = {}
function M.match_init(context, params)
  nk.logger_info("traced match_init")
  return {logged = false}, 1, "traced"
end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  nk.logger_info("traced join attempt")
  return state, true
end
function M.match_join(context, dispatcher, tick, state, presences) return state end
function M.match_leave(context, dispatcher, tick, state, presences) return state end
function M.match_loop(context, dispatcher, tick, state, messages)
  if not state.logged then
    nk.logger_info("traced match_loop")
    state.logged = true
  end
  for _, m in ipairs(messages) do
    dispatcher.broadcast_message(m.op_code, m.data)
  end
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds) return nil end
function M.match_signal(context, dispatcher, tick, state, data) return state, data end
return M
`
)

// socket is a protobuf realtime socket whose envelopes a goroutine reads.
type socket struct {
	t    *testing.T
	c    *websocket.Conn
	mu   sync.Mutex
	envs []*rtapi.Envelope
	cid  int
}

func openSocket(t *testing.T, s *server, device string) *socket {
	return newSocket(t, dialProtobuf(t, s, device))
}

// newSocket returns the socket over c, and starts its reader.
func newSocket(t *testing.T, c *websocket.Conn) *socket {
	so := &socket{t: t, c: c}
	go func() {
		for {
			_, b, err := so.c.ReadMessage()
			if err != nil {
				return
			}
			env := &rtapi.Envelope{}
			if proto.Unmarshal(b, env) == nil {
				so.mu.Lock()
				so.envs = append(so.envs, env)
				so.mu.Unlock()
			}
		}
	}()
	return so
}

func (so *socket) send(env *rtapi.Envelope) {
	so.t.Helper()
	b, err := proto.Marshal(env)
	if err != nil {
		so.t.Fatal(err)
	}
	if err := so.c.WriteMessage(websocket.BinaryMessage, b); err != nil {
		so.t.Fatal(err)
	}
}

// wait returns the first envelope received that satisfies pred.
func (so *socket) wait(what string, pred func(*rtapi.Envelope) bool) *rtapi.Envelope {
	so.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		so.mu.Lock()
		for _, e := range so.envs {
			if pred(e) {
				so.mu.Unlock()
				return e
			}
		}
		so.mu.Unlock()
		time.Sleep(5 * time.Millisecond) // polling the reader's envelopes
	}
	so.t.Fatalf("timed out waiting for %s", what)
	return nil
}

// request sends env with a new cid and returns the answer.
func (so *socket) request(env *rtapi.Envelope) *rtapi.Envelope {
	so.t.Helper()
	so.cid++
	cid := fmt.Sprint(so.cid)
	env.Cid = cid
	so.send(env)
	return so.wait("the answer to cid "+cid, func(e *rtapi.Envelope) bool { return e.Cid == cid })
}

func (so *socket) rpc(id, payload string) *rtapi.Envelope {
	so.t.Helper()
	return so.request(&rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: id, Payload: payload}}})
}

// TestOperations runs a scripted session (sockets, RPCs over both
// transports, an authoritative match with data, the matchmaker, errors, a
// reload), then checks that /metrics has every family with plausible
// values, and that the JSON log follows one request's trace id from the
// socket through the RPC into the match it created.
func TestOperations(t *testing.T) {
	dir := t.TempDir()
	writeText(t, dir, "trace.lua", traceModule)
	writeText(t, dir, "traced.lua", tracedModule)
	s := startServer(t, serverOptions{Modules: []string{"../../modules", dir}, Config: func(c *app.Config) {
		c.LogFormat = "json"
		c.Watch = "false"
		c.AdminUser, c.AdminPassword = adminUser, adminPassword
		c.Matchmaker.Interval = 100 * time.Millisecond
		c.Match.CallBudget = 2 * time.Second // the race detector slows callbacks down
		c.Match.InputQueueSize = 4
		c.Lua.RPCBudget = 100 * time.Millisecond
	}})
	a := openSocket(t, s, "operations-device-a")
	b := openSocket(t, s, "operations-device-b")
	c := openSocket(t, s, "operations-device-c")

	// An RPC over the socket that logs and creates a match.
	created := a.rpc("trace_create", "")
	matchID := created.GetRpc().GetPayload()
	if !strings.HasSuffix(matchID, ".arbiter") {
		t.Fatalf("trace_create answered %v", created)
	}
	for _, so := range []*socket{a, b} {
		if m := so.request(&rtapi.Envelope{Message: &rtapi.Envelope_MatchJoin{MatchJoin: &rtapi.MatchJoin{
			Id: &rtapi.MatchJoin_MatchId{MatchId: matchID}}}}); m.GetMatch() == nil {
			t.Fatalf("join answered %v", m)
		}
	}
	// A burst of data: more than the input queue holds (4) between two
	// ticks (1 per second), so some are dropped.
	for i := range 20 {
		a.send(&rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{
			MatchId: matchID, OpCode: 7, Data: []byte(fmt.Sprint(i))}}})
	}
	b.wait("match data", func(e *rtapi.Envelope) bool { return e.GetMatchData().GetOpCode() == 7 })

	// RPCs that fail: unknown, raising an error, overrunning the budget.
	if e := a.rpc("no_such_rpc", ""); e.GetError().GetCode() != int32(rtapi.Error_RUNTIME_FUNCTION_NOT_FOUND) {
		t.Fatalf("unknown rpc answered %v", e)
	}
	if e := a.rpc("trace_fail", ""); e.GetError() == nil {
		t.Fatalf("trace_fail answered %v", e)
	}
	if e := b.rpc("trace_spin", ""); e.GetError() == nil {
		t.Fatalf("trace_spin answered %v", e)
	}
	// An RPC over REST with a trace id of the caller's.
	const restTrace = "rest-trace-0001"
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v2/rpc/echo?unwrap&http_key="+s.Config.HTTPKey, strings.NewReader("hi"))
	req.Header.Set("X-Trace-Id", restTrace)
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Trace-Id") != restTrace {
		t.Fatalf("echo over REST: %d, trace %q", res.StatusCode, res.Header.Get("X-Trace-Id"))
	}
	if r := newClient(t, s).do("GET", "/v2/account", "not-a-token", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", r.Status)
	}

	// The matchmaker: a and b are matched; c's ticket (for 3) waits.
	add := func(so *socket, n int32) {
		e := so.request(&rtapi.Envelope{Message: &rtapi.Envelope_MatchmakerAdd{MatchmakerAdd: &rtapi.MatchmakerAdd{
			MinCount: n, MaxCount: n, Query: "*", CountMultiple: wrapperspb.Int32(1)}}})
		if e.GetMatchmakerTicket() == nil {
			t.Fatalf("matchmaker_add answered %v", e)
		}
	}
	add(a, 2)
	add(b, 2)
	add(c, 3)
	for _, so := range []*socket{a, b} {
		so.wait("matchmaker_matched", func(e *rtapi.Envelope) bool { return e.GetMatchmakerMatched() != nil })
	}

	// A reload through the admin API.
	if code := adminDo(t, s, "POST", "/admin/modules/reload", nil, adminUser, adminPassword, nil); code != http.StatusOK {
		t.Fatalf("reload: status %d", code)
	}
	// Wait for a few ticks of the match, so its loop has run with the data.
	time.Sleep(1500 * time.Millisecond)

	fams := scrape(t, s)
	t.Run("metrics", func(t *testing.T) { checkMetrics(t, fams) })
	t.Run("logs", func(t *testing.T) { checkLogs(t, s, matchID, restTrace) })
}

// scrape reads /metrics.
func scrape(t *testing.T, s *server) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := httpClient.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sample returns the value of a series (a histogram's count, or with sum
// its sum), and whether it exists.
func sample(fams map[string]*dto.MetricFamily, name string, sum bool, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil && sum:
			return m.Histogram.GetSampleSum(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func checkMetrics(t *testing.T, fams map[string]*dto.MetricFamily) {
	for _, name := range metrics.Names {
		if fams[name] == nil {
			t.Errorf("family %s missing", name)
		}
	}
	// Each check: the series, and the least (and, when max >= 0, the most)
	// value the session makes plausible.
	checks := []struct {
		name     string
		sum      bool
		labels   []string
		min, max float64
	}{
		{metrics.RPCDuration, false, []string{"rpc_id=trace_create"}, 1, 1},
		{metrics.RPCDuration, false, []string{"rpc_id=echo"}, 1, 1},
		{metrics.RPCDuration, false, []string{"rpc_id=unknown"}, 1, 1},
		{metrics.RPCDuration, true, []string{"rpc_id=trace_create"}, 1e-6, 10},
		{metrics.RPCErrors, false, []string{"rpc_id=trace_fail"}, 1, 1},
		{metrics.RPCErrors, false, []string{"rpc_id=trace_spin"}, 1, 1},
		{metrics.SocketMessagesIn, false, []string{"type=rpc"}, 4, 4},
		{metrics.SocketMessagesIn, false, []string{"type=match_join"}, 2, 2},
		{metrics.SocketMessagesIn, false, []string{"type=match_data_send"}, 20, 20},
		{metrics.SocketMessagesIn, false, []string{"type=matchmaker_add"}, 3, 3},
		{metrics.SocketMessagesOut, false, []string{"type=rpc"}, 1, 1},
		{metrics.SocketMessagesOut, false, []string{"type=error"}, 3, 3},
		{metrics.SocketMessagesOut, false, []string{"type=match_data"}, 2, 16},
		{metrics.SocketMessagesOut, false, []string{"type=matchmaker_matched"}, 2, 2},
		{metrics.SocketMessagesOut, false, []string{"type=match_presence_event"}, 1, -1},
		{metrics.SocketBytesIn, false, nil, 100, -1},
		{metrics.SocketBytesOut, false, nil, 100, -1},
		{metrics.SocketsOpen, false, nil, 3, 3},
		{metrics.SessionsActive, false, nil, 3, 3},
		{metrics.MatchesActive, false, []string{"module=traced"}, 1, 1},
		{metrics.MatchesCreated, false, nil, 1, 1},
		{metrics.MatchTickDuration, false, []string{"module=traced"}, 1, -1},
		{metrics.MatchTickDuration, true, []string{"module=traced"}, 1e-7, 1},
		{metrics.MatchTicks, false, nil, 1, -1},
		{metrics.MatchLateTicks, false, nil, 0, -1},
		{metrics.MatchInputQueue, false, nil, 1, -1},
		{metrics.MatchInputQueue, true, nil, 4, 8},
		{metrics.MatchDropped, false, nil, 12, 16},
		{metrics.BudgetOverruns, false, []string{"kind=rpc"}, 1, 1},
		{metrics.BudgetOverruns, false, []string{"kind=match"}, 0, 0},
		{metrics.MatchmakerTickets, false, nil, 1, 1},
		{metrics.MatchmakerMatches, false, nil, 1, 1},
		{metrics.MatchmakerWait, false, nil, 2, 2},
		{metrics.MatchmakerWait, true, nil, 0, 10},
		{metrics.Errors, false, []string{"transport=socket", "code=RUNTIME_FUNCTION_NOT_FOUND"}, 1, 1},
		{metrics.Errors, false, []string{"transport=socket", "code=RUNTIME_FUNCTION_EXCEPTION"}, 1, 1}, // trace_fail
		{metrics.Errors, false, []string{"transport=socket", "code=RUNTIME_EXCEPTION"}, 1, 1},          // trace_spin's overrun
		{metrics.ModuleEvents, false, []string{"name=traced_match"}, 1, 1},
		{metrics.Errors, false, []string{"transport=rest", "code=unauthenticated"}, 1, 1},
		{metrics.ModuleReloads, false, []string{"result=ok"}, 1, 1},
		{metrics.ModuleReloads, false, []string{"result=failed"}, 0, 0},
		{metrics.ModuleVersion, false, nil, 2, 2},
		{metrics.StoreQueryDuration, false, []string{"method=Identify"}, 3, -1},
		{metrics.StoreQueryDuration, false, []string{"method=ListModules"}, 2, -1},
		{"go_goroutines", false, nil, 1, -1},
	}
	for _, c := range checks {
		v, ok := sample(fams, c.name, c.sum, c.labels...)
		what := c.name + "{" + strings.Join(c.labels, ",") + "}"
		if c.sum {
			what += " sum"
		}
		switch {
		case !ok:
			t.Errorf("%s: no such series", what)
		case v < c.min || (c.max >= 0 && v > c.max):
			t.Errorf("%s = %v, want %v..%v", what, v, c.min, c.max)
		}
	}
}

// checkLogs follows the trace of the socket request that created the
// match: the socket's request line, the RPC's line, the nk.logger_* line
// inside the RPC and match_init's nk.logger_* line all carry it, with the
// keys of runtime/log.go; the match's later callbacks carry its match id
// and module but not that trace.
func checkLogs(t *testing.T, s *server, matchID, restTrace string) {
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		for k := range m {
			if bytes.Count([]byte(l), []byte(`"`+k+`":`)) != 1 {
				t.Errorf("key %q twice in %s", k, l)
			}
		}
		lines = append(lines, m)
	}
	find := func(what string, pred func(map[string]any) bool) map[string]any {
		t.Helper()
		for _, l := range lines {
			if pred(l) {
				return l
			}
		}
		t.Fatalf("no log line for %s", what)
		return nil
	}
	msg := func(m string) func(map[string]any) bool {
		return func(l map[string]any) bool { return l["msg"] == m }
	}
	want := func(l map[string]any, kv map[string]any) {
		t.Helper()
		for k, v := range kv {
			if l[k] != v {
				t.Errorf("line %v: %s = %v, want %v", l, k, l[k], v)
			}
		}
	}

	// The RPC's line (observedRPC) names the trace; it must appear on the
	// socket's line, the logger line inside the RPC and match_init's.
	rpcLine := find("the trace_create rpc", func(l map[string]any) bool {
		return l["msg"] == "rpc" && l[runtime.LogRPC] == "trace_create"
	})
	trace, _ := rpcLine[runtime.LogTrace].(string)
	if len(trace) != 32 {
		t.Fatalf("rpc line without a trace id: %v", rpcLine)
	}
	sessionID, _ := rpcLine[runtime.LogSession].(string)
	userID, _ := rpcLine[runtime.LogUser].(string)
	if sessionID == "" || userID == "" {
		t.Errorf("rpc line without session or user: %v", rpcLine)
	}
	socketLine := find("the socket request", func(l map[string]any) bool {
		return l["msg"] == "socket request" && l["type"] == "rpc" && l[runtime.LogTrace] == trace
	})
	want(socketLine, map[string]any{runtime.LogSession: sessionID, runtime.LogUser: userID})
	inRPC := find("nk.logger_info in the RPC", msg("trace rpc called"))
	want(inRPC, map[string]any{runtime.LogTrace: trace, runtime.LogRPC: "trace_create", runtime.LogModule: "trace",
		runtime.LogSession: sessionID, runtime.LogUser: userID})
	initLine := find("nk.logger_info in match_init", msg("traced match_init"))
	want(initLine, map[string]any{runtime.LogTrace: trace, runtime.LogMatch: matchID, runtime.LogModule: "traced"})
	created := find("match created", msg("match created"))
	want(created, map[string]any{runtime.LogTrace: trace, runtime.LogMatch: matchID})

	// The join attempts carry their own requests' traces; the loop only the match's.
	for _, l := range lines {
		if l["msg"] == "traced join attempt" {
			if tr, _ := l[runtime.LogTrace].(string); len(tr) != 32 || tr == trace || l[runtime.LogMatch] != matchID || l[runtime.LogSession] == nil {
				t.Errorf("join attempt line %v", l)
			}
		}
	}
	loop := find("nk.logger_info in match_loop", msg("traced match_loop"))
	want(loop, map[string]any{runtime.LogMatch: matchID, runtime.LogModule: "traced"})
	if _, ok := loop[runtime.LogTrace]; ok {
		t.Errorf("match_loop line carries a trace: %v", loop)
	}

	// A failing RPC logs its traceback (file, line, function) with its trace.
	fail := find("the trace_fail error", func(l map[string]any) bool {
		return l["msg"] == "runtime function caused an error" && l[runtime.LogRPC] == "trace_fail"
	})
	if tb, _ := fail["traceback"].(string); !strings.Contains(tb, "trace.lua:8: in function 'explode'") {
		t.Errorf("traceback = %q", tb)
	}
	if tr, _ := fail[runtime.LogTrace].(string); len(tr) != 32 || fail[runtime.LogSession] != sessionID {
		t.Errorf("error line %v", fail)
	}

	// The REST RPC's trace id is the caller's, on the request line and the RPC's.
	want(find("the REST request", func(l map[string]any) bool {
		return l["msg"] == "http request" && l["path"] == "/v2/rpc/echo"
	}), map[string]any{runtime.LogTrace: restTrace, "status": float64(200)})
	want(find("the REST rpc", func(l map[string]any) bool {
		return l["msg"] == "rpc" && l[runtime.LogRPC] == "echo"
	}), map[string]any{runtime.LogTrace: restTrace})
}
