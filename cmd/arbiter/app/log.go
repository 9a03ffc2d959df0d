package app

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("invalid log-level %q: must be debug, info, warn or error", s)
}

// NewLogger returns the logger c asks for, writing to w. Its lines carry
// the log fields of the context they are logged with (see
// runtime.NewLogHandler): trace_id, session_id, user_id, match_id, module
// and rpc_id.
func NewLogger(c Config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(runtime.NewLogHandler(h))
}
