package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/arbiterhq/arbiter/api/ws"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/vm/lua"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

// Config is everything the server is configured with. cmd/arbiter fills it
// from defaults, a YAML file, the environment and flags; tests fill it
// directly.
type Config struct {
	Address string // interface to listen on; empty means all
	Port    int    // 0 picks a free port (tests)

	DataDir  string // folder of the embedded SQLite store
	Database string // postgres:// URL; empty selects SQLite under DataDir
	Modules  string // folder of modules
	// Watch says whether changes to the modules folder reload the modules:
	// "auto" (on with the embedded SQLite store, the development setup; off
	// with PostgreSQL), "true" or "false".
	Watch string

	// AdminUser and AdminPassword are the credentials of the admin API
	// (HTTP Basic); with either empty the admin API is disabled.
	AdminUser     string
	AdminPassword string

	ServerKey     string
	HTTPKey       string
	SessionKey    string
	RefreshKey    string
	TokenExpiry   time.Duration
	RefreshExpiry time.Duration
	ShutdownGrace time.Duration

	LogLevel  string
	LogFormat string
	// Metrics serves Prometheus metrics at /metrics on the main port.
	Metrics bool
	// DebugAddress, when set, serves Go's profiler (/debug/pprof/) on that
	// address; keep it on a private interface.
	DebugAddress string

	// Node names this server in match ids ("<uuid>.<node>").
	Node string
	// Env is given to modules as context.env.
	Env map[string]string

	// Socket holds the realtime socket's limits; zero fields take defaults.
	Socket ws.Config
	// Match holds the authoritative match limits.
	Match match.Config
	// Matchmaker holds the matchmaker's settings.
	Matchmaker matchmaker.Config
	// Lua and WASM hold the VMs' limits; their API and logger are wired.
	Lua  lua.Config
	WASM wasm.Config

	// BcryptCost is the cost of email password hashes; 0 is bcrypt's
	// default (10). Tests lower it; production should not.
	BcryptCost int
}

// WatchAuto is the default of Config.Watch: watch the modules folder when the
// store is the embedded SQLite store.
const WatchAuto = "auto"

// Default returns the configuration `go run ./cmd/arbiter` starts with. The
// keys are Nakama's defaults, so its clients' examples work unchanged; a
// production deployment must set its own.
func Default() Config {
	return Config{
		Port:          7350,
		DataDir:       "./data",
		Modules:       "./modules",
		Watch:         WatchAuto,
		ServerKey:     "defaultkey",
		HTTPKey:       "defaulthttpkey",
		SessionKey:    "defaultencryptionkey",
		RefreshKey:    "defaultrefreshencryptionkey",
		TokenExpiry:   60 * time.Second,
		RefreshExpiry: time.Hour,
		ShutdownGrace: 10 * time.Second,
		LogLevel:      "info",
		LogFormat:     "text",
		Metrics:       true,
		Node:          "arbiter",
		Socket:        ws.DefaultConfig(),
		Match:         match.DefaultConfig(),
		Matchmaker:    matchmaker.DefaultConfig(),
		Lua: lua.Config{
			RPCBudget: lua.DefaultRPCBudget, PoolMax: lua.DefaultPoolMax,
			MatchMemoryLimit: lua.DefaultMatchMemoryLimit,
		},
		WASM: wasm.Config{MemoryLimitPages: 512, CallBudget: 2 * time.Second},
	}
}

// Validate returns the first problem with c as one line naming the setting.
func (c Config) Validate() error {
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("invalid port %d: must be 0-65535", c.Port)
	case c.Database == "" && c.DataDir == "":
		return fmt.Errorf("invalid data-dir: empty (needed by the embedded store when no database is set)")
	case c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://"):
		return fmt.Errorf("invalid database %q: must be a postgres:// URL, or empty for the embedded store", redact(c.Database))
	case c.ServerKey == "":
		return fmt.Errorf("invalid server-key: empty")
	case c.HTTPKey == "":
		return fmt.Errorf("invalid http-key: empty")
	case c.SessionKey == "":
		return fmt.Errorf("invalid session-key: empty")
	case c.RefreshKey == "":
		return fmt.Errorf("invalid refresh-key: empty")
	case c.TokenExpiry <= 0:
		return fmt.Errorf("invalid token-expiry %s: must be positive", c.TokenExpiry)
	case c.RefreshExpiry <= 0:
		return fmt.Errorf("invalid refresh-expiry %s: must be positive", c.RefreshExpiry)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("invalid shutdown-grace %s: must not be negative", c.ShutdownGrace)
	case c.Node == "" || strings.ContainsAny(c.Node, ". \t\n"):
		return fmt.Errorf("invalid node %q: must be a non-empty name without dots or spaces", c.Node)
	case c.Watch != WatchAuto && c.Watch != "true" && c.Watch != "false":
		return fmt.Errorf("invalid watch %q: must be auto, true or false", c.Watch)
	case c.AdminUser != "" && c.AdminPassword == "":
		return fmt.Errorf("invalid admin-password: empty while admin-user is set (set both to enable the admin API, or neither)")
	case c.AdminUser == "" && c.AdminPassword != "":
		return fmt.Errorf("invalid admin-user: empty while admin-password is set (set both to enable the admin API, or neither)")
	case strings.Contains(c.AdminUser, ":"):
		return fmt.Errorf("invalid admin-user: must not contain ':' (HTTP Basic)")
	}
	if err := c.validateLimits(); err != nil {
		return err
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("invalid log-format %q: must be text or json", c.LogFormat)
	}
	return nil
}

// redact hides a password in a URL-like string.
func redact(s string) string {
	at := strings.LastIndex(s, "@")
	scheme := strings.Index(s, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return s
	}
	creds := s[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return s[:scheme+3] + creds[:i] + ":***" + s[at:]
	}
	return s
}

// validateLimits checks the engine's limits.
func (c Config) validateLimits() error {
	switch {
	case c.Socket.MaxMessageBytes < 0:
		return fmt.Errorf("invalid socket-max-message-bytes %d: must not be negative", c.Socket.MaxMessageBytes)
	case c.Socket.PingPeriod > 0 && c.Socket.PongWait > 0 && c.Socket.PingPeriod >= c.Socket.PongWait:
		return fmt.Errorf("invalid socket-ping-period %s: must be less than socket-pong-wait %s", c.Socket.PingPeriod, c.Socket.PongWait)
	case c.Match.CallBudget < 0:
		return fmt.Errorf("invalid match-callback-budget %s: must not be negative", c.Match.CallBudget)
	case c.Match.MaxEmptySeconds < 0:
		return fmt.Errorf("invalid match-max-empty %d: must not be negative", c.Match.MaxEmptySeconds)
	case c.Matchmaker.Interval < 0:
		return fmt.Errorf("invalid matchmaker-interval %s: must not be negative", c.Matchmaker.Interval)
	case c.Matchmaker.MaxIntervals < 0 || c.Matchmaker.MaxTickets < 0:
		return fmt.Errorf("invalid matchmaker limits: must not be negative")
	case c.Lua.MatchMemoryLimit < 0:
		return fmt.Errorf("invalid lua-match-memory-limit %d: must not be negative", c.Lua.MatchMemoryLimit)
	}
	return nil
}
