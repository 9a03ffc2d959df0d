// Package testlog holds a log buffer for tests: a bytes.Buffer that a
// logger (or a child process) may write to from many goroutines while the
// test reads it, and helpers to find lines and JSON records in it.
//
// It imports nothing from this repository, so that any package's tests
// may use it.
package testlog

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// Buffer is a bytes.Buffer safe for concurrent writers. The zero value is
// an empty buffer ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the lines written so far that contain s.
func (b *Buffer) Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// JSON returns the lines of a JSON log (slog.JSONHandler) logged with
// message msg, raw and decoded. It fails tb on a line that is not JSON.
func (b *Buffer) JSON(tb testing.TB, msg string) (raw []string, recs []map[string]any) {
	tb.Helper()
	for _, line := range strings.Split(b.String(), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		if r["msg"] == msg {
			raw, recs = append(raw, line), append(recs, r)
		}
	}
	return raw, recs
}

// Records returns the records of a JSON log logged with message msg.
func (b *Buffer) Records(tb testing.TB, msg string) []map[string]any {
	tb.Helper()
	_, recs := b.JSON(tb, msg)
	return recs
}
