// Package metrics declares every Prometheus metric Arbiter exports, in one
// place, with consistent names: each starts with arbiter_, and names its
// unit (_seconds, _bytes) and counters end in _total. The rest of the
// server reports through the small typed hooks of *Metrics (all safe on a
// nil *Metrics, which measures nothing), or is read at scrape time through
// Sources.
//
// # Cost
//
// Hooks on hot paths (a socket message, a fan-out, a tick) do not allocate:
// label values are resolved once (per envelope type at construction, per
// RPC id and per match module on first use, cached) and a hook is an
// atomic add or a histogram observation. Counters the engine already keeps
// (match and module statistics) are read only when /metrics is scraped.
//
// # Families
//
// See the README's "Metrics" section; Names lists them all.
package metrics

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/arbiterhq/arbiter/runtime"
)

// Names of the families, for documentation and tests.
const (
	RPCDuration          = "arbiter_rpc_duration_seconds"
	RPCErrors            = "arbiter_rpc_errors_total"
	SocketMessagesIn     = "arbiter_socket_messages_received_total"
	SocketMessagesOut    = "arbiter_socket_messages_sent_total"
	SocketBytesIn        = "arbiter_socket_received_bytes_total"
	SocketBytesOut       = "arbiter_socket_sent_bytes_total"
	SocketsOpen          = "arbiter_sockets_open"
	SessionsActive       = "arbiter_sessions_active"
	MatchesActive        = "arbiter_matches_active"
	MatchesCreated       = "arbiter_matches_created_total"
	MatchesEnded         = "arbiter_matches_ended_total"
	MatchTickDuration    = "arbiter_match_tick_duration_seconds"
	MatchTicks           = "arbiter_match_ticks_total"
	MatchLateTicks       = "arbiter_match_late_ticks_total"
	MatchInputQueue      = "arbiter_match_input_queue_depth"
	MatchDropped         = "arbiter_match_dropped_messages_total"
	BudgetOverruns       = "arbiter_callback_budget_overruns_total"
	MatchmakerTickets    = "arbiter_matchmaker_tickets"
	MatchmakerMatches    = "arbiter_matchmaker_matches_total"
	MatchmakerWait       = "arbiter_matchmaker_time_to_match_seconds"
	Errors               = "arbiter_errors_total"
	ModuleReloads        = "arbiter_module_reloads_total"
	ModuleVersion        = "arbiter_module_set_version"
	ModuleMigrations     = "arbiter_module_match_migrations_total"
	ModuleEvents         = "arbiter_module_events_total"
	StoreQueryDuration   = "arbiter_store_query_duration_seconds"
	UnknownRPC           = "unknown"
	UnknownEnvelope      = "unknown"
	TransportREST        = "rest"
	TransportSocket      = "socket"
	KindMatch            = "match"
	KindRPC              = "rpc"
	ResultOK, ResultFail = "ok", "failed"
)

// Names lists every family, in the order of the README.
var Names = []string{
	RPCDuration, RPCErrors,
	SocketMessagesIn, SocketMessagesOut, SocketBytesIn, SocketBytesOut, SocketsOpen, SessionsActive,
	MatchesActive, MatchesCreated, MatchesEnded, MatchTickDuration, MatchTicks, MatchLateTicks,
	MatchInputQueue, MatchDropped, BudgetOverruns,
	MatchmakerTickets, MatchmakerMatches, MatchmakerWait,
	Errors, ModuleReloads, ModuleVersion, ModuleMigrations, ModuleEvents, StoreQueryDuration,
}

// Buckets of the histograms.
var (
	// rpcBuckets: 100 µs to about 6 s.
	rpcBuckets = prometheus.ExponentialBuckets(100e-6, 2.5, 13)
	// tickBuckets: 10 µs to about 0.6 s (a 10 Hz tick has 100 ms).
	tickBuckets = prometheus.ExponentialBuckets(10e-6, 2.5, 13)
	// queueBuckets: messages waiting at a tick.
	queueBuckets = []float64{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}
	// waitBuckets: 100 ms to about 7 minutes.
	waitBuckets = prometheus.ExponentialBuckets(0.1, 2, 13)
	// storeBuckets: 50 µs to about 7 s.
	storeBuckets = prometheus.ExponentialBuckets(50e-6, 2.5, 14)
)

// Metrics holds the collectors. Its methods are safe for concurrent use
// and do nothing on a nil *Metrics.
type Metrics struct {
	reg prometheus.Registerer

	rpcDuration *prometheus.HistogramVec
	rpcErrors   *prometheus.CounterVec
	rpcs        sync.Map // lower-case id → *rpcMetrics
	unknownRPC  *rpcMetrics
	rpcOverruns atomic.Int64

	msgIn, msgOut     []prometheus.Counter // by envelope kind; the last is "unknown"
	bytesIn, bytesOut prometheus.Counter

	restErrors   [runtime.Unauthenticated + 1]prometheus.Counter
	socketErrors []prometheus.Counter // by rtapi.Error_Code
	errorsVec    *prometheus.CounterVec

	tickDuration *prometheus.HistogramVec
	inputQueue   prometheus.Histogram
	ticks        sync.Map // module → *Ticks

	matchmakerWait prometheus.Histogram

	storeDuration *prometheus.HistogramVec
}

// New declares the collectors on reg (a registry of the caller's: tests use
// their own). Pull-style families need Watch.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{reg: reg}
	m.rpcDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: RPCDuration, Help: "Time to run an RPC (REST and socket), by RPC id; ids no module registers are counted as \"unknown\".",
		Buckets: rpcBuckets,
	}, []string{"rpc_id"})
	m.rpcErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: RPCErrors, Help: "RPCs that returned an error, by RPC id.",
	}, []string{"rpc_id"})
	m.unknownRPC = m.newRPC(UnknownRPC)

	in := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: SocketMessagesIn, Help: "Envelopes received on realtime sockets, by envelope type.",
	}, []string{"type"})
	out := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: SocketMessagesOut, Help: "Envelopes queued to realtime sockets (one per recipient), by envelope type.",
	}, []string{"type"})
	for i := 0; i <= len(envelopeKinds.names); i++ { // the last is "unknown"
		name := UnknownEnvelope
		if i < len(envelopeKinds.names) {
			name = envelopeKinds.names[i]
		}
		m.msgIn = append(m.msgIn, in.WithLabelValues(name))
		m.msgOut = append(m.msgOut, out.WithLabelValues(name))
	}
	m.bytesIn = prometheus.NewCounter(prometheus.CounterOpts{
		Name: SocketBytesIn, Help: "Bytes of the messages received on realtime sockets (payloads, without frame headers).",
	})
	m.bytesOut = prometheus.NewCounter(prometheus.CounterOpts{
		Name: SocketBytesOut, Help: "Bytes written to realtime sockets (frames with their headers).",
	})

	m.errorsVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: Errors, Help: "Errors answered to clients, by transport (rest: the gRPC status code name of Nakama's JSON error; socket: the realtime error code name).",
	}, []string{"transport", "code"})
	for c := range m.restErrors {
		m.restErrors[c] = m.errorsVec.WithLabelValues(TransportREST, codeNames[c])
	}
	for c := 0; c < len(rtapi.Error_Code_name); c++ {
		m.socketErrors = append(m.socketErrors, m.errorsVec.WithLabelValues(TransportSocket, rtapi.Error_Code(c).String()))
	}

	m.tickDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: MatchTickDuration, Help: "Time of one authoritative match tick (presence changes and match_loop), by match module.",
		Buckets: tickBuckets,
	}, []string{"module"})
	m.inputQueue = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: MatchInputQueue, Help: "Client messages waiting in a match's input queue at a tick (handed to match_loop).",
		Buckets: queueBuckets,
	})
	m.matchmakerWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: MatchmakerWait, Help: "Time from a matchmaker ticket's creation to its match.",
		Buckets: waitBuckets,
	})
	m.storeDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: StoreQueryDuration, Help: "Time of one store operation, by method of the store's ports.",
		Buckets: storeBuckets,
	}, []string{"method"})

	reg.MustRegister(m.rpcDuration, m.rpcErrors, in, out, m.bytesIn, m.bytesOut, m.errorsVec,
		m.tickDuration, m.inputQueue, m.matchmakerWait, m.storeDuration)
	return m
}

// codeNames are the names of the status codes, as gRPC spells them in
// snake case.
var codeNames = [...]string{
	"ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists",
	"permission_denied", "resource_exhausted", "failed_precondition", "aborted", "out_of_range",
	"unimplemented", "internal", "unavailable", "data_loss", "unauthenticated",
}

// RPC metrics.

type rpcMetrics struct {
	duration prometheus.Observer
	errors   prometheus.Counter
}

func (m *Metrics) newRPC(id string) *rpcMetrics {
	return &rpcMetrics{duration: m.rpcDuration.WithLabelValues(id), errors: m.rpcErrors.WithLabelValues(id)}
}

// RPC records a finished RPC call of id that took d and returned err. An
// id no module serves (runtime.ErrFunctionNotFound) is counted as
// "unknown", so clients cannot create label values; a budget overrun
// (context.DeadlineExceeded) is also counted as an overrun of kind "rpc".
func (m *Metrics) RPC(id string, d time.Duration, err error) {
	if m == nil {
		return
	}
	r := m.unknownRPC
	if !errors.Is(err, runtime.ErrFunctionNotFound) {
		r = m.rpc(id)
	}
	r.duration.Observe(d.Seconds())
	if err != nil {
		r.errors.Inc()
		if errors.Is(err, context.DeadlineExceeded) {
			m.rpcOverruns.Add(1)
		}
	}
}

func (m *Metrics) rpc(id string) *rpcMetrics {
	id = strings.ToLower(id) // as module.Manager looks ids up; no copy when already lower case
	if r, ok := m.rpcs.Load(id); ok {
		return r.(*rpcMetrics)
	}
	r, _ := m.rpcs.LoadOrStore(id, m.newRPC(id))
	return r.(*rpcMetrics)
}

// Socket metrics.

// envelopeKinds maps the Go types of the realtime envelope's message oneof
// to small indexes and their protobuf field names ("rpc",
// "match_data_send"), the type label values.
var envelopeKinds = func() (k struct {
	index map[reflect.Type]int
	names []string
}) {
	k.index = map[reflect.Type]int{}
	env := &rtapi.Envelope{}
	od := env.ProtoReflect().Descriptor().Oneofs().ByName("message")
	fields := od.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		e := &rtapi.Envelope{}
		pr := e.ProtoReflect()
		pr.Set(fd, pr.NewField(fd))
		k.index[reflect.TypeOf(e.Message)] = len(k.names)
		k.names = append(k.names, string(fd.Name()))
	}
	return k
}()

// The indexes of the most frequent types, found without the map.
var (
	kindMatchDataSend = envelopeKinds.index[reflect.TypeOf(&rtapi.Envelope_MatchDataSend{})]
	kindMatchData     = envelopeKinds.index[reflect.TypeOf(&rtapi.Envelope_MatchData{})]
)

// kind returns the index of env's type, the last ("unknown") for nil.
func kind(env *rtapi.Envelope) int {
	if env == nil {
		return len(envelopeKinds.names)
	}
	switch env.Message.(type) {
	case *rtapi.Envelope_MatchDataSend:
		return kindMatchDataSend
	case *rtapi.Envelope_MatchData:
		return kindMatchData
	}
	if i, ok := envelopeKinds.index[reflect.TypeOf(env.Message)]; ok {
		return i
	}
	return len(envelopeKinds.names)
}

// EnvelopeType returns the type label value of env: its message's protobuf
// field name, or "unknown".
func EnvelopeType(env *rtapi.Envelope) string {
	if i := kind(env); i < len(envelopeKinds.names) {
		return envelopeKinds.names[i]
	}
	return UnknownEnvelope
}

// Received records an envelope of size bytes read from a socket; env is nil
// when the bytes did not decode.
func (m *Metrics) Received(env *rtapi.Envelope, size int) {
	if m == nil {
		return
	}
	m.msgIn[kind(env)].Inc()
	m.bytesIn.Add(float64(size))
}

// Sent records env queued to n sockets (one fan-out).
func (m *Metrics) Sent(env *rtapi.Envelope, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.msgOut[kind(env)].Add(float64(n))
}

// Written records bytes written to a socket.
func (m *Metrics) Written(bytes int) {
	if m == nil {
		return
	}
	m.bytesOut.Add(float64(bytes))
}

// Errors answered to clients.

// RESTError records a REST error answered with code.
func (m *Metrics) RESTError(code runtime.Code) {
	if m == nil {
		return
	}
	if code < 0 || int(code) >= len(m.restErrors) {
		code = runtime.Unknown
	}
	m.restErrors[code].Inc()
}

// SocketError records a realtime error envelope with code.
func (m *Metrics) SocketError(code int32) {
	if m == nil {
		return
	}
	if code < 0 || int(code) >= len(m.socketErrors) {
		m.errorsVec.WithLabelValues(TransportSocket, rtapi.Error_Code(code).String()).Inc() // not in the table: rare
		return
	}
	m.socketErrors[code].Inc()
}

// Matches.

// Ticks measures the ticks of the matches of one module; match.Registry
// takes one per match, made by Metrics.Ticks.
type Ticks struct {
	duration prometheus.Observer
	queue    prometheus.Observer
}

// Tick records one tick that took d with queued client messages.
func (t *Ticks) Tick(d time.Duration, queued int) {
	if t == nil {
		return
	}
	t.duration.Observe(d.Seconds())
	t.queue.Observe(float64(queued))
}

// Ticks returns the tick measurements of module's matches (nil on a nil
// *Metrics, which Tick accepts).
func (m *Metrics) Ticks(module string) *Ticks {
	if m == nil {
		return nil
	}
	if t, ok := m.ticks.Load(module); ok {
		return t.(*Ticks)
	}
	t, _ := m.ticks.LoadOrStore(module, &Ticks{duration: m.tickDuration.WithLabelValues(module), queue: m.inputQueue})
	return t.(*Ticks)
}

// MatchmakerWait records a ticket matched after waiting d.
func (m *Metrics) MatchmakerWait(d time.Duration) {
	if m == nil {
		return
	}
	m.matchmakerWait.Observe(d.Seconds())
}

// Store.

// StoreObserver returns the observer of the store method name: resolve it
// once per method and observe each call's duration in seconds.
func (m *Metrics) StoreObserver(method string) prometheus.Observer {
	if m == nil {
		return nopObserver{}
	}
	return m.storeDuration.WithLabelValues(method)
}

type nopObserver struct{}

func (nopObserver) Observe(float64) {}
