package nk

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// logLines returns a Call logging as JSON into buf, from a module in a match.
func logCall(buf *bytes.Buffer) *Call {
	return &Call{
		Ctx:     context.Background(),
		Module:  "games.chess",
		Context: &runtime.CallContext{MatchID: "m.node1", TraceID: "t1"},
		Logger:  slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogger(t *testing.T) {
	e := bare()
	var buf bytes.Buffer
	c := logCall(&buf)
	levels := map[string]string{"logger_debug": "DEBUG", "logger_info": "INFO", "logger_warn": "WARN", "logger_error": "ERROR"}
	for name := range levels {
		out, err := e.tryCall(c, name, "hello "+name)
		if err != nil || out[0] != "hello "+name {
			t.Fatalf("%s = %v, %v", name, out, err)
		}
	}
	lines := decodeLines(t, &buf)
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		name := strings.TrimPrefix(l["msg"].(string), "hello ")
		if l["level"] != levels[name] || l[runtime.LogModule] != "games.chess" ||
			l[runtime.LogMatch] != "m.node1" || l[runtime.LogTrace] != "t1" {
			t.Errorf("line = %v", l)
		}
	}
	e.wantErr(t, "bad argument #1 to logger_info (expects message string)", "logger_info", "")
	// Numbers are coerced to strings, as Lua's CheckString does.
	if out := e.call(t, "logger_info", int64(42)); out[0] != "42" {
		t.Fatalf("number message = %v", out[0])
	}
}

func TestEvent(t *testing.T) {
	e := bare()
	var buf bytes.Buffer
	c := logCall(&buf)
	if _, err := e.tryCall(c, "event", "purchase", obj("item", "sword"), 1700000000.5, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tryCall(c, "event", "purchase"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tryCall(c, "event", "login", []any{}); err != nil {
		t.Fatal(err)
	}
	counts := e.api.Events().Snapshot()
	if counts["purchase"] != 2 || counts["login"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	l := decodeLines(t, &buf)[0]
	props, _ := l["properties"].(map[string]any)
	if l["msg"] != "event" || l["event"] != "purchase" || props["item"] != "sword" || l["external"] != true ||
		l["timestamp"] != "2023-11-14T22:13:20.5Z" || l[runtime.LogModule] != "games.chess" {
		t.Fatalf("line = %v", l)
	}
	e.wantErr(t, "bad argument #1 to event (expects name string)", "event", "")
	e.wantErr(t, "bad argument #2 to event (properties keys must be strings)", "event", "n", []any{"x"})
	e.wantErr(t, "bad argument #2 to event (properties values must be strings)", "event", "n", obj("k", int64(1)))
	e.wantErr(t, "bad argument #3 to event (timestamp must be numeric UTC seconds when provided)", "event", "n", nil, "now")
}

func TestEventNamesBounded(t *testing.T) {
	ev := newEvents()
	for i := range MaxEventNames + 10 {
		ev.Add(FormatNumber(int64(i)))
	}
	snap := ev.Snapshot()
	if len(snap) != MaxEventNames+1 || snap[OtherEvents] != 10 {
		t.Fatalf("%d names, other %d", len(snap), snap[OtherEvents])
	}
}
