package metrics

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/arbiterhq/arbiter/runtime"
)

// gather returns the families of reg by name.
func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// value returns the value of the series of family name whose labels are
// labels ("k=v" pairs): a counter's or gauge's value, a histogram's count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
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
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func TestHooks(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	m.RPC("Echo", time.Millisecond, nil)
	m.RPC("echo", 2*time.Millisecond, errors.New("boom"))
	m.RPC("nope", time.Millisecond, runtime.ErrFunctionNotFound)
	m.RPC("other-nope", time.Millisecond, runtime.ErrFunctionNotFound.With("x"))
	m.RPC("slow", time.Second, fmt.Errorf("stopped: %w", errDeadline{}))

	rpc := &rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "echo"}}}
	data := &rtapi.Envelope{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{}}}
	m.Received(rpc, 10)
	m.Received(rpc, 20)
	m.Received(nil, 5)
	m.Sent(data, 100)
	m.Sent(data, 0)
	m.Written(1234)
	m.RESTError(runtime.NotFound)
	m.RESTError(runtime.Code(99))
	m.SocketError(int32(rtapi.Error_BAD_INPUT))
	m.SocketError(42)
	m.Ticks("game").Tick(3*time.Millisecond, 7)
	m.Ticks("game").Tick(time.Millisecond, 0)
	m.MatchmakerWait(2 * time.Second)
	m.StoreObserver("Account").Observe(0.001)

	f := gather(t, reg)
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{RPCDuration, []string{"rpc_id=echo"}, 2},
		{RPCErrors, []string{"rpc_id=echo"}, 1},
		{RPCDuration, []string{"rpc_id=unknown"}, 2},
		{RPCErrors, []string{"rpc_id=unknown"}, 2},
		{RPCDuration, []string{"rpc_id=slow"}, 1},
		{SocketMessagesIn, []string{"type=rpc"}, 2},
		{SocketMessagesIn, []string{"type=unknown"}, 1},
		{SocketMessagesIn, []string{"type=match_data_send"}, 0},
		{SocketBytesIn, nil, 35},
		{SocketMessagesOut, []string{"type=match_data"}, 100},
		{SocketBytesOut, nil, 1234},
		{Errors, []string{"transport=rest", "code=not_found"}, 1},
		{Errors, []string{"transport=rest", "code=unknown"}, 1},
		{Errors, []string{"transport=socket", "code=BAD_INPUT"}, 1},
		{Errors, []string{"transport=socket", "code=42"}, 1},
		{MatchTickDuration, []string{"module=game"}, 2},
		{MatchInputQueue, nil, 2},
		{MatchmakerWait, nil, 1},
		{StoreQueryDuration, []string{"method=Account"}, 1},
	}
	for _, c := range checks {
		if got := value(t, f, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if h := f[MatchInputQueue].GetMetric()[0].GetHistogram(); h.GetSampleSum() != 7 {
		t.Errorf("input queue sum = %v, want 7", h.GetSampleSum())
	}
	if n := len(f[RPCDuration].GetMetric()); n != 3 {
		t.Errorf("%d rpc_id series, want 3 (echo, slow, unknown)", n)
	}
}

// errDeadline stands for a budget overrun (it is context.DeadlineExceeded
// by errors.Is).
type errDeadline struct{}

func (errDeadline) Error() string   { return "deadline" }
func (errDeadline) Is(e error) bool { return e.Error() == "context deadline exceeded" }

func TestWatch(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	matches := map[string]int{"game": 2, "lobby": 1}
	m.Watch(Sources{
		Sockets:  func() int { return 3 },
		Sessions: func() int { return 2 },
		Matches:  func() map[string]int { return matches },
		MatchStats: func() MatchStats {
			return MatchStats{Ticks: 100, LateTicks: 2, Dropped: 5, BudgetOverruns: 1, Created: 4, Ended: 1}
		},
		MatchmakerTickets: func() int { return 6 },
		MatchmakerMatches: func() int64 { return 7 },
		Modules:           func() ModuleStats { return ModuleStats{Version: 3, Reloads: 2, Failures: 1, Migrations: 4} },
		Events:            func() map[string]int64 { return map[string]int64{"level_up": 9} },
	})
	m.RPC("slow", time.Second, fmt.Errorf("stopped: %w", errDeadline{}))
	m.Ticks("game")            // a histogram by label appears with its first series:
	m.StoreObserver("Account") // the app resolves these at start, or per match
	f := gather(t, reg)
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{SocketsOpen, nil, 3},
		{SessionsActive, nil, 2},
		{MatchesActive, []string{"module=game"}, 2},
		{MatchesActive, []string{"module=lobby"}, 1},
		{MatchesCreated, nil, 4},
		{MatchesEnded, nil, 1},
		{MatchTicks, nil, 100},
		{MatchLateTicks, nil, 2},
		{MatchDropped, nil, 5},
		{BudgetOverruns, []string{"kind=match"}, 1},
		{BudgetOverruns, []string{"kind=rpc"}, 1},
		{MatchmakerTickets, nil, 6},
		{MatchmakerMatches, nil, 7},
		{ModuleReloads, []string{"result=ok"}, 2},
		{ModuleReloads, []string{"result=failed"}, 1},
		{ModuleMigrations, []string{"result=ok"}, 4},
		{ModuleVersion, nil, 3},
		{ModuleEvents, []string{"name=level_up"}, 9},
	}
	for _, c := range checks {
		if got := value(t, f, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, name := range Names {
		if f[name] == nil {
			t.Errorf("family %s not exported", name)
		}
	}
	// A module whose matches ended stays, at 0.
	matches = map[string]int{"game": 1}
	f = gather(t, reg)
	if got := value(t, f, MatchesActive, "module=lobby"); got != 0 {
		t.Errorf("lobby matches = %v, want 0", got)
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.RPC("x", time.Second, nil)
	m.Received(nil, 1)
	m.Sent(nil, 1)
	m.Written(1)
	m.RESTError(runtime.Internal)
	m.SocketError(0)
	m.Ticks("game").Tick(time.Second, 1)
	m.MatchmakerWait(time.Second)
	m.StoreObserver("Account").Observe(1)
	m.Watch(Sources{})
}

func TestEnvelopeTypes(t *testing.T) {
	for env, want := range map[*rtapi.Envelope]string{
		{Message: &rtapi.Envelope_Rpc{}}:           "rpc",
		{Message: &rtapi.Envelope_MatchDataSend{}}: "match_data_send",
		{Message: &rtapi.Envelope_ChannelJoin{}}:   "channel_join",
		{Message: &rtapi.Envelope_Pong{}}:          "pong",
		{}:                                         "unknown",
		nil:                                        "unknown",
	} {
		if got := EnvelopeType(env); got != want {
			t.Errorf("EnvelopeType(%v) = %q, want %q", env, got, want)
		}
	}
	if len(envelopeKinds.names) < 40 {
		t.Errorf("only %d envelope types", len(envelopeKinds.names))
	}
}

// TestHotPathsDoNotAllocate checks the hooks of a socket message, a
// fan-out, a socket write, a tick and an RPC of a known id.
func TestHotPathsDoNotAllocate(t *testing.T) {
	m := New(prometheus.NewRegistry())
	env := &rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{}}}
	ticks := m.Ticks("game")
	m.RPC("echo", time.Millisecond, nil)
	for name, fn := range map[string]func(){
		"Received": func() { m.Received(env, 64) },
		"Sent":     func() { m.Sent(env, 100) },
		"Written":  func() { m.Written(4096) },
		"Tick":     func() { ticks.Tick(time.Millisecond, 3) },
		"RPC":      func() { m.RPC("echo", time.Millisecond, nil) },
		"Error":    func() { m.SocketError(3); m.RESTError(runtime.NotFound) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

func BenchmarkReceived(b *testing.B) {
	m := New(prometheus.NewRegistry())
	env := &rtapi.Envelope{Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{}}}
	b.ReportAllocs()
	for b.Loop() {
		m.Received(env, 64)
	}
}

func BenchmarkTick(b *testing.B) {
	ticks := New(prometheus.NewRegistry()).Ticks("game")
	b.ReportAllocs()
	for b.Loop() {
		ticks.Tick(time.Millisecond, 3)
	}
}

// TestNewConcurrently checks that servers in one process (tests) can make
// their metrics at once: the shared tables are only read.
func TestNewConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { New(prometheus.NewRegistry()).Received(nil, 1) })
	}
	wg.Wait()
}
