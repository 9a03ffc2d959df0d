package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func sampleReport() *Report {
	return &Report{
		Scenario: "rpc", Addr: "127.0.0.1:7350", Format: "json",
		Params:  map[string]any{"sockets": 64, "rpc_id": "echo"},
		WarmupS: 2, WindowS: 10.004,
		Counts:    map[string]int64{"rpcs": 120000, "errors": 0},
		Rates:     map[string]float64{"rpc_per_s": 11995.2},
		Latency:   &Latency{Count: 120000, Mean: 5.25, Min: 0.1, P50: 4.9, P95: 9.75, P99: 15.125, Max: 40},
		LatencyOf: "rpc round trip",
		Server: &ServerStats{PID: 99, CPUS: 8.5, CPUPct: 85, RSSBaselineKB: 20480, RSSStartKB: 30720,
			RSSEndKB: 31744, RSSPeakKB: 32768, HWMKB: 40960,
			RSSMarksKB: map[string]int64{"before_matches": 26624, "before_sockets": 25600, "zz": 1024}},
		Tool:    ToolStats{CPUS: 5, CPUPct: 50, RSSKB: 15360},
		PerUnit: map[string]float64{"server_cpu_us_per_rpc": 70.833, "server_kb_per_socket": 176},
		Errors:  map[string]int64{"timeout: no reply in time": 2, "closed by server: 1008 \"x\"": 1},
		Notes:   []string{"first note", "second note"},
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := writeText(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	want := `load rpc -> 127.0.0.1:7350 (json): 10.0 s measured after 2.0 s warm-up
params     rpc_id="echo" sockets=64
counts     errors=0 rpcs=120000
rates      rpc_per_s=11995.2
latency    rpc round trip, ms: n=120000 mean=5.25 min=0.1 p50=4.9 p95=9.75 p99=15.125 max=40
server     pid 99: cpu 8.5 s (85 % of a core); rss MB: 20.0 before load, before sockets 25.0, before matches 26.0, zz 1.0, 30.0 at window start, 31.0 at end, 32.0 peak sampled, 40.0 process peak
tool       cpu 5 s (50 % of a core); rss 15.0 MB
per unit   server_cpu_us_per_rpc=70.833 server_kb_per_socket=176
errors     1 × closed by server: 1008 "x"
           2 × timeout: no reply in time
notes      first note
           second note
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteTextWithoutServer(t *testing.T) {
	r := sampleReport()
	r.Server, r.Latency, r.Errors, r.Notes, r.Rates = nil, nil, nil, nil, nil
	var b strings.Builder
	if err := writeText(&b, r); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.Contains(s, "server     no figures (process not found; pass -pid)") {
		t.Fatalf("missing server line:\n%s", s)
	}
	for _, absent := range []string{"latency", "errors", "notes", "rates"} {
		if strings.Contains(s, "\n"+absent+" ") {
			t.Errorf("empty %s printed:\n%s", absent, s)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	if err := writeJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("want one JSON object on one line, got %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"scenario", "addr", "format", "params", "warmup_s", "window_s", "counts", "rates", "latency_ms", "latency_of", "server", "tool", "per_unit", "errors", "notes"} {
		if _, ok := m[key]; !ok {
			t.Errorf("no %q in %s", key, out)
		}
	}
	lat := m["latency_ms"].(map[string]any)
	for _, key := range []string{"count", "mean", "min", "p50", "p95", "p99", "max"} {
		if _, ok := lat[key]; !ok {
			t.Errorf("no latency_ms.%s", key)
		}
	}
	srv := m["server"].(map[string]any)
	for _, key := range []string{"pid", "cpu_s", "cpu_pct", "rss_baseline_kb", "rss_start_kb", "rss_end_kb", "rss_peak_kb", "rss_hwm_kb", "rss_marks_kb"} {
		if _, ok := srv[key]; !ok {
			t.Errorf("no server.%s", key)
		}
	}
	if strings.Contains(out, `\u003c`) || !strings.Contains(out, `"closed by server: 1008 \"x\""`) {
		t.Errorf("escaping: %s", out)
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{{0, "0"}, {1.5, "1.5"}, {2.0004, "2"}, {1234567.891, "1234567.891"}, {-0.25, "-0.25"}}
	for _, tt := range tests {
		if got := num(tt.x); got != tt.want {
			t.Errorf("num(%v) = %q, want %q", tt.x, got, tt.want)
		}
	}
	if mb(1536) != "1.5" {
		t.Errorf("mb(1536) = %q", mb(1536))
	}
	if ratio(1, 0) != 0 || ratio(3, 2) != 1.5 {
		t.Error("ratio")
	}
}
