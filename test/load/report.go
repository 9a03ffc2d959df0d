package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Report is the result of one run. With -json it is printed as one JSON
// object; its field names are the interface for scripts (and for the
// tables of sdk/docs/performance.md), so change them with care.
type Report struct {
	Scenario string         `json:"scenario"`
	Addr     string         `json:"addr"`
	Format   string         `json:"format"`
	Params   map[string]any `json:"params"`
	WarmupS  float64        `json:"warmup_s"`
	WindowS  float64        `json:"window_s"` // the measured window, as it really lasted

	Counts map[string]int64   `json:"counts"`
	Rates  map[string]float64 `json:"rates,omitempty"`
	// Latency is in milliseconds; LatencyOf says what was timed.
	Latency   *Latency `json:"latency_ms,omitempty"`
	LatencyOf string   `json:"latency_of,omitempty"`

	Server *ServerStats `json:"server,omitempty"`
	Tool   ToolStats    `json:"tool"`

	// PerUnit holds derived costs: server CPU µs per operation, kB of
	// server memory per socket or match, …
	PerUnit map[string]float64 `json:"per_unit,omitempty"`
	Errors  map[string]int64   `json:"errors,omitempty"`
	Notes   []string           `json:"notes,omitempty"`
}

// Latency summarizes a histogram, in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// ServerStats are the server process's figures over the window.
type ServerStats struct {
	PID    int     `json:"pid"`
	CPUS   float64 `json:"cpu_s"`   // utime + stime spent in the window
	CPUPct float64 `json:"cpu_pct"` // of one core
	// RSS in kB: before the load was set up (baseline), when the window
	// started and ended, the largest seen while sampling, and the process's
	// own peak since it started (VmHWM).
	RSSBaselineKB int64 `json:"rss_baseline_kb"`
	RSSStartKB    int64 `json:"rss_start_kb"`
	RSSEndKB      int64 `json:"rss_end_kb"`
	RSSPeakKB     int64 `json:"rss_peak_kb"`
	HWMKB         int64 `json:"rss_hwm_kb"`
	// RSSMarksKB is the RSS at named points of the setup: before_sockets
	// (every device authenticated, no socket open yet), before_matches.
	RSSMarksKB   map[string]int64 `json:"rss_marks_kb,omitempty"`
	MaxOpenFiles uint64           `json:"max_open_files,omitempty"`
}

// ToolStats are the load tool's own figures.
type ToolStats struct {
	CPUS         float64 `json:"cpu_s"`
	CPUPct       float64 `json:"cpu_pct"`
	RSSKB        int64   `json:"rss_kb"`
	MaxOpenFiles uint64  `json:"max_open_files,omitempty"`
}

// latencyOf summarizes h (nanoseconds) in milliseconds.
func latencyOf(h *Histogram) *Latency {
	if h.Count() == 0 {
		return nil
	}
	ms := func(ns int64) float64 { return round(float64(ns)/1e6, 3) }
	return &Latency{
		Count: h.Count(),
		Mean:  round(h.Mean()/1e6, 3),
		Min:   ms(h.Min()),
		P50:   ms(h.Quantile(0.50)),
		P95:   ms(h.Quantile(0.95)),
		P99:   ms(h.Quantile(0.99)),
		Max:   ms(h.Max()),
	}
}

// round rounds x to d decimals (NaN and infinities become 0, which JSON
// cannot carry).
func round(x float64, d int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// writeJSON prints r as one JSON object and a newline.
func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// writeText prints r as a readable summary.
func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	line := func(label, text string) {
		if text != "" {
			fmt.Fprintf(&b, "%-10s %s\n", label, text)
		}
	}
	fmt.Fprintf(&b, "load %s -> %s (%s): %.1f s measured after %.1f s warm-up\n",
		r.Scenario, r.Addr, r.Format, r.WindowS, r.WarmupS)
	line("params", kvAny(r.Params))
	line("counts", kvInt(r.Counts))
	line("rates", kvFloat(r.Rates))
	if l := r.Latency; l != nil {
		line("latency", fmt.Sprintf("%s, ms: n=%d mean=%s min=%s p50=%s p95=%s p99=%s max=%s",
			r.LatencyOf, l.Count, num(l.Mean), num(l.Min), num(l.P50), num(l.P95), num(l.P99), num(l.Max)))
	}
	if s := r.Server; s != nil {
		marks := ""
		for _, k := range markOrder(s.RSSMarksKB) {
			marks += fmt.Sprintf(", %s %s", strings.ReplaceAll(k, "_", " "), mb(s.RSSMarksKB[k]))
		}
		line("server", fmt.Sprintf("pid %d: cpu %s s (%s %% of a core); rss MB: %s before load%s, %s at window start, %s at end, %s peak sampled, %s process peak",
			s.PID, num(s.CPUS), num(s.CPUPct), mb(s.RSSBaselineKB), marks, mb(s.RSSStartKB), mb(s.RSSEndKB), mb(s.RSSPeakKB), mb(s.HWMKB)))
	} else {
		line("server", "no figures (process not found; pass -pid)")
	}
	line("tool", fmt.Sprintf("cpu %s s (%s %% of a core); rss %s MB", num(r.Tool.CPUS), num(r.Tool.CPUPct), mb(r.Tool.RSSKB)))
	line("per unit", kvFloat(r.PerUnit))
	if len(r.Errors) > 0 {
		keys := sortedKeys(r.Errors)
		for i, k := range keys {
			label := ""
			if i == 0 {
				label = "errors"
			}
			fmt.Fprintf(&b, "%-10s %d × %s\n", label, r.Errors[k], k)
		}
	}
	for i, n := range r.Notes {
		label := ""
		if i == 0 {
			label = "notes"
		}
		fmt.Fprintf(&b, "%-10s %s\n", label, n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markOrder lists the RSS marks in the order the setup passes them.
func markOrder(m map[string]int64) []string {
	var out []string
	for _, k := range []string{"before_sockets", "before_matches"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range sortedKeys(m) {
		if k != "before_sockets" && k != "before_matches" {
			out = append(out, k)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func kvInt(m map[string]int64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+strconv.FormatInt(m[k], 10))
	}
	return strings.Join(parts, " ")
}

func kvFloat(m map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+num(m[k]))
	}
	return strings.Join(parts, " ")
}

func kvAny(m map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		var s string
		switch x := v.(type) {
		case string:
			s = strconv.Quote(x)
		case float64:
			s = num(x)
		default:
			s = fmt.Sprint(x)
		}
		parts = append(parts, k+"="+s)
	}
	return strings.Join(parts, " ")
}

// num prints a float with at most 3 decimals and no trailing zeros.
func num(x float64) string {
	return strconv.FormatFloat(round(x, 3), 'f', -1, 64)
}

// mb prints kB as MB with one decimal.
func mb(kb int64) string {
	return strconv.FormatFloat(float64(kb)/1024, 'f', 1, 64)
}
