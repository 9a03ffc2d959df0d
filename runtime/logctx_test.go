package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestWithLogFieldsMerges(t *testing.T) {
	ctx := WithLogFields(context.Background(), LogFields{SessionID: "s1", UserID: "u1"})
	ctx = WithTraceID(ctx, "t1")
	ctx = WithLogFields(ctx, LogFields{UserID: "u2", RPCID: "echo"})
	want := LogFields{TraceID: "t1", SessionID: "s1", UserID: "u2", RPCID: "echo"}
	if got := LogFieldsOf(ctx); got != want {
		t.Fatalf("fields = %+v, want %+v", got, want)
	}
	var none context.Context // a nil context carries nothing
	if TraceIDOf(ctx) != "t1" || TraceIDOf(context.Background()) != "" || TraceIDOf(none) != "" {
		t.Fatal("TraceIDOf")
	}
	if (LogFieldsOf(context.Background()) != LogFields{}) {
		t.Fatal("fields of a bare context")
	}
}

// jsonLogger logs JSON through NewLogHandler into buf.
func jsonLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(NewLogHandler(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// lines decodes buf's JSON lines; a key that appears twice in a line fails.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		for k := range m {
			if strings.Count(l, `"`+k+`":`) != 1 {
				t.Errorf("key %q appears more than once: %s", k, l)
			}
		}
		out = append(out, m)
	}
	return out
}

func TestLogHandlerAddsContextFields(t *testing.T) {
	var buf bytes.Buffer
	log := jsonLogger(&buf)
	ctx := WithLogFields(context.Background(), LogFields{TraceID: "t1", SessionID: "s1", UserID: "u1",
		MatchID: "m1.node", Module: "game", RPCID: "echo"})
	log.InfoContext(ctx, "all")
	log.InfoContext(ctx, "own key wins", LogMatch, "m2.node")            // the record's own value
	log.With(LogModule, "other").InfoContext(ctx, "logger key wins")     // the logger's own value
	log.WithGroup("g").InfoContext(ctx, "grouped", "k", "v")             // no fields inside a group
	log.Info("no context")                                               // nothing added
	log.InfoContext(context.Background(), "bare context", LogTrace, "x") // nothing added
	got := lines(t, &buf)
	if len(got) != 6 {
		t.Fatalf("%d lines:\n%s", len(got), buf.String())
	}
	for k, v := range map[string]string{LogTrace: "t1", LogSession: "s1", LogUser: "u1", LogMatch: "m1.node", LogModule: "game", LogRPC: "echo"} {
		if got[0][k] != v {
			t.Errorf("line 1: %s = %v, want %q", k, got[0][k], v)
		}
	}
	if got[1][LogMatch] != "m2.node" || got[1][LogTrace] != "t1" {
		t.Errorf("line 2 = %v", got[1])
	}
	if got[2][LogModule] != "other" || got[2][LogTrace] != "t1" {
		t.Errorf("line 3 = %v", got[2])
	}
	if _, ok := got[3][LogTrace]; ok {
		t.Errorf("line 4 (grouped) = %v", got[3])
	}
	if len(got[4]) != 3 || len(got[5]) != 4 {
		t.Errorf("lines 5 and 6 = %v, %v", got[4], got[5])
	}
	if NewLogHandler(log.Handler()) != log.Handler() {
		t.Error("NewLogHandler wraps a handler it made")
	}
}

func TestTraceIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewTraceID()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || seen[id] {
			t.Fatalf("trace id %q (duplicate: %v)", id, seen[id])
		}
		seen[id] = true
		if !ValidTraceID(id) {
			t.Fatalf("%q not valid", id)
		}
	}
	for s, want := range map[string]bool{
		"abc": true, "A-b_c.9": true, "": false, strings.Repeat("a", 65): false,
		"a b": false, "a\nb": false, `a"b`: false, "a=b": false,
	} {
		if ValidTraceID(s) != want {
			t.Errorf("ValidTraceID(%q) = %v", s, !want)
		}
	}
	for h, want := range map[string]string{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01": "4bf92f3577b34da6a3ce929d0e0e4736",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01": "",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01": "",
		"00-4bf92f3577b34da6a3ce929d0e0e4736":                     "",
		"":                                                        "",
	} {
		if got := TraceIDFromTraceparent(h); got != want {
			t.Errorf("TraceIDFromTraceparent(%q) = %q, want %q", h, got, want)
		}
	}
}

func BenchmarkLogHandlerDisabled(b *testing.B) {
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil)))
	ctx := WithTraceID(context.Background(), "t1")
	b.ReportAllocs()
	for b.Loop() {
		log.DebugContext(ctx, "not logged")
	}
}
