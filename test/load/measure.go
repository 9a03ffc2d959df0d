package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// epoch anchors the tool's timestamps: nowNS reads the monotonic clock, so
// a timestamp written into a message and read back when it is delivered
// measures the true delay (the server is on this machine: loopback only).
var epoch = time.Now()

func nowNS() int64 { return int64(time.Since(epoch)) }

// logger prints progress lines on stderr unless -quiet.
type logger struct {
	w     io.Writer
	quiet bool
	mu    sync.Mutex
}

func (l *logger) printf(format string, a ...any) {
	if l.quiet {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "load: "+format+"\n", a...)
}

// meter measures the server process and the tool over the window: CPU
// time from /proc/<pid>/stat (and getrusage for the tool), resident memory
// from /proc/<pid>/status, sampled every 200 ms from before the load is
// set up until the window ends.
type meter struct {
	root string
	pid  int // 0: the server is not known, no server figures
	log  *logger

	baseline     memKB
	maxOpenFiles uint64
	peak         atomic.Int64
	samplerStop  chan struct{}
	samplerDone  chan struct{}

	began, ended       time.Time
	srvCPU0, srvCPU1   time.Duration
	toolCPU0, toolCPU1 time.Duration
	startMem, endMem   memKB
	serverGone         bool
	shrankNoted        bool
	marks              map[string]int64 // RSS kB at named points of the setup
	notes              []string
}

// newMeter finds the server process (cfg.pid, else the listener on the
// port of cfg.addr), reads its baseline memory and starts sampling.
func newMeter(cfg *config, root string, log *logger) *meter {
	m := &meter{root: root, log: log, samplerStop: make(chan struct{}), samplerDone: make(chan struct{}), marks: map[string]int64{}}
	pid := cfg.pid
	if pid == 0 {
		_, port, _ := net.SplitHostPort(cfg.addr)
		p, _ := strconv.Atoi(port)
		found, err := findListener(root, p)
		if err != nil {
			m.notes = append(m.notes, "no server figures: "+err.Error())
		}
		pid = found
	}
	if pid != 0 {
		mem, err := procMem(root, pid)
		if err != nil {
			m.notes = append(m.notes, fmt.Sprintf("no server figures: process %d: %v", pid, err))
			pid = 0
		} else {
			m.baseline = mem
			m.peak.Store(mem.RSS)
			m.maxOpenFiles = procMaxOpenFiles(root, pid)
		}
	}
	m.pid = pid
	if pid != 0 {
		log.printf("server process %d, rss %s MB before the load", pid, mb(m.baseline.RSS))
		go m.sample()
	} else {
		close(m.samplerDone)
	}
	return m
}

func (m *meter) sample() {
	defer close(m.samplerDone)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-m.samplerStop:
			return
		case <-t.C:
			if mem, err := procMem(m.root, m.pid); err == nil && mem.RSS > m.peak.Load() {
				m.peak.Store(mem.RSS)
			}
		}
	}
}

// stopSampling ends the sampler; safe to call more than once.
func (m *meter) stopSampling() {
	select {
	case <-m.samplerStop:
	default:
		close(m.samplerStop)
	}
	<-m.samplerDone
}

// begin starts the window.
func (m *meter) begin() {
	m.began = time.Now()
	m.toolCPU0 = selfCPU()
	if m.pid != 0 {
		var err error
		if m.srvCPU0, err = procCPU(m.root, m.pid); err != nil {
			m.gone(err)
		}
		m.startMem, _ = procMem(m.root, m.pid)
	}
}

// finish ends the window.
func (m *meter) finish() {
	m.ended = time.Now()
	m.toolCPU1 = selfCPU()
	if m.pid != 0 && !m.serverGone {
		var err error
		if m.srvCPU1, err = procCPU(m.root, m.pid); err != nil {
			m.gone(err)
		}
		if mem, err := procMem(m.root, m.pid); err == nil {
			m.endMem = mem
			if mem.RSS > m.peak.Load() {
				m.peak.Store(mem.RSS)
			}
		}
	}
	m.stopSampling()
}

func (m *meter) gone(err error) {
	if !m.serverGone {
		m.serverGone = true
		m.notes = append(m.notes, fmt.Sprintf("THE SERVER PROCESS %d WENT AWAY during the run (%v)", m.pid, err))
	}
}

// window is the measured window's length.
func (m *meter) window() time.Duration { return m.ended.Sub(m.began) }

// serverCPU is the server's CPU time over the window; ok is false when
// there is no server figure.
func (m *meter) serverCPU() (time.Duration, bool) {
	if m.pid == 0 || m.serverGone {
		return 0, false
	}
	return m.srvCPU1 - m.srvCPU0, true
}

// fill writes the meter's figures into r.
func (m *meter) fill(r *Report) {
	w := m.window().Seconds()
	r.WindowS = round(w, 3)
	toolCPU := (m.toolCPU1 - m.toolCPU0).Seconds()
	r.Tool.CPUS = round(toolCPU, 3)
	r.Tool.CPUPct = round(100*ratio(toolCPU, w), 1)
	if mem, err := procMem(m.root, os.Getpid()); err == nil {
		r.Tool.RSSKB = mem.RSS
	}
	if cpu, ok := m.serverCPU(); ok {
		r.Server = &ServerStats{
			PID:           m.pid,
			CPUS:          round(cpu.Seconds(), 3),
			CPUPct:        round(100*ratio(cpu.Seconds(), w), 1),
			RSSBaselineKB: m.baseline.RSS,
			RSSStartKB:    m.startMem.RSS,
			RSSEndKB:      m.endMem.RSS,
			RSSPeakKB:     m.peak.Load(),
			HWMKB:         m.endMem.HWM,
			MaxOpenFiles:  m.maxOpenFiles,
		}
		if len(m.marks) > 0 {
			r.Server.RSSMarksKB = m.marks
		}
	}
	r.Notes = append(r.Notes, m.notes...)
}

// perUnit adds the server's and the tool's CPU µs per unit of work (n
// units in the window) to r.PerUnit under "<prefix>server_cpu_us_per_<unit>".
func (m *meter) perUnit(r *Report, unit string, n float64) {
	if n <= 0 {
		return
	}
	if cpu, ok := m.serverCPU(); ok {
		r.PerUnit["server_cpu_us_per_"+unit] = round(float64(cpu.Microseconds())/n, 3)
	}
	r.PerUnit["tool_cpu_us_per_"+unit] = round(float64((m.toolCPU1-m.toolCPU0).Microseconds())/n, 3)
}

// mark records the server's RSS now under name (e.g. "before_sockets").
func (m *meter) mark(name string) {
	if m.pid == 0 || m.serverGone {
		return
	}
	if mem, err := procMem(m.root, m.pid); err == nil {
		m.marks[name] = mem.RSS
		if mem.RSS > m.peak.Load() {
			m.peak.Store(mem.RSS)
		}
	}
}

// perKB adds the growth of the server's RSS from mark from ("" for the
// baseline) to mark to ("" for the window's end), per unit: kB per
// socket, per match.
func (m *meter) perKB(r *Report, unit string, n float64, from, to string) {
	if n <= 0 || m.pid == 0 || m.serverGone {
		return
	}
	a, b := m.baseline.RSS, m.endMem.RSS
	if from != "" {
		v, ok := m.marks[from]
		if !ok {
			return
		}
		a = v
	}
	if to != "" {
		v, ok := m.marks[to]
		if !ok {
			return
		}
		b = v
	}
	d := b - a
	r.PerUnit["server_kb_per_"+unit] = round(float64(d)/n, 2)
	if d < 0 && !m.shrankNoted {
		m.shrankNoted = true
		r.Notes = append(r.Notes, "the server's RSS shrank during the run (its Go runtime returned memory left from earlier load): per-unit memory is only meaningful on a freshly started server with many units")
	}
}

// sleepCtx sleeps for d or until ctx is done; false if ctx ended it.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// hooks are a scenario's part in runWindow.
type hooks struct {
	// arm is called shortly before the window opens, with the window's
	// start (nowNS time), for scenarios that stamp their messages.
	arm func(start int64)
	// start is called as the window opens, stop as it closes (before the
	// final CPU reading: stop should end the load quickly).
	start, stop func()
}

// armLead is how far ahead the window's start is announced to arm.
const armLead = 50 * time.Millisecond

// runWindow runs the warm-up and the measured window while the
// scenario's load runs. It returns false if ctx ended it early.
func (m *meter) runWindow(ctx context.Context, cfg *config, h hooks) bool {
	if cfg.warmup > 0 {
		m.log.printf("warming up for %v", cfg.warmup)
	}
	complete := sleepCtx(ctx, cfg.warmup)
	if complete {
		start := nowNS() + int64(armLead)
		if h.arm != nil {
			h.arm(start)
		}
		sleepCtx(context.Background(), time.Duration(start-nowNS()))
	}
	m.begin()
	if h.start != nil {
		h.start()
	}
	if complete {
		m.log.printf("measuring for %v", cfg.duration)
		complete = sleepCtx(ctx, cfg.duration)
	}
	if h.stop != nil {
		h.stop()
	}
	m.finish()
	if !complete {
		m.notes = append(m.notes, fmt.Sprintf("interrupted: the window lasted %.1f s instead of %v", m.window().Seconds(), cfg.duration))
	}
	return complete
}
