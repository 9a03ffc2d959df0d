package metrics

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// MatchStats are the match engine's counters (runtime/match.Stats).
type MatchStats struct {
	Ticks, LateTicks, Dropped, BudgetOverruns, Created, Ended int64
}

// ModuleStats are the module manager's counters (runtime/module.Stats).
type ModuleStats struct {
	Version                       int64
	Reloads, Failures             int64
	Migrations, MigrationFailures int64
}

// Sources are what the pull-style families read when /metrics is scraped.
// Nil fields leave their families out.
type Sources struct {
	// Sockets returns the number of open realtime sockets.
	Sockets func() int
	// Sessions returns the number of session tokens with an open socket.
	Sessions func() int
	// Matches returns the running authoritative matches by module.
	Matches func() map[string]int
	// MatchStats returns the match engine's counters.
	MatchStats func() MatchStats
	// MatchmakerTickets returns the tickets waiting.
	MatchmakerTickets func() int
	// MatchmakerMatches returns the groups the matchmaker formed.
	MatchmakerMatches func() int64
	// Modules returns the module manager's counters.
	Modules func() ModuleStats
	// Events returns the counts of the events modules reported (nk.event).
	Events func() map[string]int64
}

// Watch registers the pull-style families over s.
func (m *Metrics) Watch(s Sources) {
	if m == nil {
		return
	}
	var cs []prometheus.Collector
	gauge := func(name, help string, fn func() int) {
		if fn != nil {
			cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
				func() float64 { return float64(fn()) }))
		}
	}
	gauge(SocketsOpen, "Realtime sockets open.", s.Sockets)
	gauge(SessionsActive, "Session tokens with at least one realtime socket open.", s.Sessions)
	gauge(MatchmakerTickets, "Matchmaker tickets waiting for a match.", s.MatchmakerTickets)
	if s.MatchmakerMatches != nil {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MatchmakerMatches, Help: "Groups the matchmaker formed."},
			func() float64 { return float64(s.MatchmakerMatches()) }))
	}
	if s.Matches != nil {
		cs = append(cs, newActiveMatches(s.Matches))
	}
	if st := s.MatchStats; st != nil {
		counter := func(name, help string, v func(MatchStats) int64) {
			cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return float64(v(st())) }))
		}
		counter(MatchesCreated, "Authoritative matches created.", func(s MatchStats) int64 { return s.Created })
		counter(MatchesEnded, "Authoritative matches ended.", func(s MatchStats) int64 { return s.Ended })
		counter(MatchTicks, "Authoritative match ticks run.", func(s MatchStats) int64 { return s.Ticks })
		counter(MatchLateTicks, "Match ticks that took longer than the tick period.", func(s MatchStats) int64 { return s.LateTicks })
		counter(MatchDropped, "Client messages dropped because a match's input queue was full.", func(s MatchStats) int64 { return s.Dropped })
	}
	cs = append(cs, &pull{
		desc: prometheus.NewDesc(BudgetOverruns, "Module calls stopped for exceeding their CPU budget, by kind (match: a match callback, which ends its match; rpc: an RPC).", []string{"kind"}, nil),
		typ:  prometheus.CounterValue,
		collect: func(emit func(float64, ...string)) {
			var match int64
			if s.MatchStats != nil {
				match = s.MatchStats().BudgetOverruns
			}
			emit(float64(match), KindMatch)
			emit(float64(m.rpcOverruns.Load()), KindRPC)
		},
	})
	if mod := s.Modules; mod != nil {
		cs = append(cs,
			&pull{
				desc: prometheus.NewDesc(ModuleReloads, "Loads of a new module set after the first, by result (failed: the previous set kept serving).", []string{"result"}, nil),
				typ:  prometheus.CounterValue,
				collect: func(emit func(float64, ...string)) {
					st := mod()
					emit(float64(st.Reloads), ResultOK)
					emit(float64(st.Failures), ResultFail)
				},
			},
			&pull{
				desc: prometheus.NewDesc(ModuleMigrations, "Running matches moved to new code by a reload, by result (failed: the match kept its code).", []string{"result"}, nil),
				typ:  prometheus.CounterValue,
				collect: func(emit func(float64, ...string)) {
					st := mod()
					emit(float64(st.Migrations), ResultOK)
					emit(float64(st.MigrationFailures), ResultFail)
				},
			},
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: ModuleVersion, Help: "Version of the module set serving (0: none loaded)."},
				func() float64 { return float64(mod().Version) }),
		)
	}
	if ev := s.Events; ev != nil {
		cs = append(cs, &pull{
			desc: prometheus.NewDesc(ModuleEvents, "Events modules reported with nk.event, by name (at most 1000 names; further ones as \"_other\").", []string{"name"}, nil),
			typ:  prometheus.CounterValue,
			collect: func(emit func(float64, ...string)) {
				for name, n := range ev() {
					emit(float64(n), name)
				}
			},
		})
	}
	m.reg.MustRegister(cs...)
}

// pull is a family read at scrape time.
type pull struct {
	desc    *prometheus.Desc
	typ     prometheus.ValueType
	collect func(emit func(v float64, labels ...string))
}

func (p *pull) Describe(ch chan<- *prometheus.Desc) { ch <- p.desc }

func (p *pull) Collect(ch chan<- prometheus.Metric) {
	p.collect(func(v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(p.desc, p.typ, v, labels...)
	})
}

// newActiveMatches returns the collector of the running matches by module
// (fn counts them); a module seen once keeps being reported (at 0 when its
// matches have ended), so its series does not vanish between matches.
func newActiveMatches(fn func() map[string]int) prometheus.Collector {
	var mu sync.Mutex
	seen := map[string]bool{}
	return &pull{
		desc: prometheus.NewDesc(MatchesActive, "Authoritative matches running, by match module.", []string{"module"}, nil),
		typ:  prometheus.GaugeValue,
		collect: func(emit func(float64, ...string)) {
			counts := fn()
			mu.Lock()
			for mod := range counts {
				seen[mod] = true
			}
			names := make([]string, 0, len(seen))
			for mod := range seen {
				names = append(names, mod)
			}
			mu.Unlock()
			sort.Strings(names)
			for _, mod := range names {
				emit(float64(counts[mod]), mod)
			}
		},
	}
}
