package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestScenarios runs every scenario briefly against a running server:
//
//	ARBITER_LOAD_ADDR=127.0.0.1:7350 go test ./test/load -run TestScenarios -v
//
// The server must load the loadecho module (go run ./test/load
// -write-module DIR) next to modules/lobby.lua (for the echo RPC).
func TestScenarios(t *testing.T) {
	addr := os.Getenv("ARBITER_LOAD_ADDR")
	if addr == "" {
		t.Skip("set ARBITER_LOAD_ADDR=127.0.0.1:7350 to run the scenarios against a running server (with the loadecho module; see test/load/README.md)")
	}
	common := []string{"-addr", addr, "-duration", "2s", "-warmup", "500ms", "-quiet"}
	if key := os.Getenv("ARBITER_LOAD_SERVER_KEY"); key != "" {
		common = append(common, "-server-key", key)
	}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, r *Report)
	}{
		{"auth", []string{"-scenario", "auth", "-clients", "4"}, func(t *testing.T, r *Report) {
			want(t, r, "requests", r.Counts["requests"] > 0)
			want(t, r, "no errors", r.Counts["errors"] == 0 && len(r.Errors) == 0)
			want(t, r, "created", r.Counts["created"] == r.Counts["requests"])
			want(t, r, "latency", r.Latency != nil && r.Latency.P99 >= r.Latency.P50)
		}},
		// Paced under Arbiter's default limit of 1000 messages a second
		// per socket, which a fast machine exceeds with few sockets.
		{"rpc json", []string{"-scenario", "rpc", "-sockets", "8", "-max-rate", "500"}, checkRPC},
		{"rpc protobuf", []string{"-scenario", "rpc", "-sockets", "8", "-max-rate", "500", "-format", "protobuf"}, checkRPC},
		{"idle", []string{"-scenario", "idle", "-sockets", "50"}, func(t *testing.T, r *Report) {
			want(t, r, "sockets", r.Counts["sockets"] == 50)
			want(t, r, "none lost", r.Counts["sockets_lost"] == 0 && len(r.Errors) == 0)
		}},
		{"match json", []string{"-scenario", "match", "-matches", "3", "-players", "3", "-rate", "10", "-tick", "20"}, checkMatch},
		{"match protobuf", []string{"-scenario", "match", "-matches", "3", "-players", "3", "-rate", "10", "-format", "protobuf", "-msg-bytes", "100"}, checkMatch},
		{"match-idle", []string{"-scenario", "match-idle", "-matches", "5", "-players", "2", "-tick", "5"}, func(t *testing.T, r *Report) {
			want(t, r, "matches", r.Counts["matches"] == 5 && r.Counts["players"] == 10)
			want(t, r, "ticks", r.Counts["ticks"] > 0)
			want(t, r, "nothing sent", r.Counts["sent"] == 0)
			want(t, r, "none lost", r.Counts["sockets_lost"] == 0 && len(r.Errors) == 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(append(tt.args, common...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			r, err := runScenario(context.Background(), cfg, &logger{w: io.Discard, quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			_ = writeText(&b, r)
			t.Log("\n" + b.String())
			if r.WindowS < 1.9 {
				t.Errorf("window %v s, want about 2", r.WindowS)
			}
			tt.check(t, r)
		})
	}
}

func checkRPC(t *testing.T, r *Report) {
	want(t, r, "rpcs", r.Counts["rpcs"] > 0)
	want(t, r, "no errors", r.Counts["errors"] == 0 && len(r.Errors) == 0)
	want(t, r, "echo", r.Counts["echo_mismatches"] == 0)
	want(t, r, "none lost", r.Counts["sockets_lost"] == 0)
	want(t, r, "latency", r.Latency != nil && r.Latency.Count == uint64(r.Counts["rpcs"]))
}

func checkMatch(t *testing.T, r *Report) {
	c := r.Counts
	want(t, r, "sent", c["sent"] > 0)
	want(t, r, "expected = sent × players per match", c["expected"] == c["sent"]*3)
	want(t, r, "every delivery", c["delivered"] == c["expected"])
	want(t, r, "in order", c["out_of_order"] == 0)
	want(t, r, "none lost", c["sockets_lost"] == 0 && len(r.Errors) == 0)
	want(t, r, "latency", r.Latency != nil && r.Latency.Count == uint64(c["delivered"]))
}

func want(t *testing.T, r *Report, what string, ok bool) {
	t.Helper()
	if !ok {
		t.Errorf("%s: counts %v, errors %v, notes %q", what, r.Counts, r.Errors, r.Notes)
	}
}
