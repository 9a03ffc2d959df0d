package main

import (
	"github.com/arbiterhq/arbiter/api/ws"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/vm/lua"
	"github.com/arbiterhq/arbiter/vm/wasm"

	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// envOf returns an environment lookup over m.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// load runs the option loading of `arbiter serve` on args and env.
func load(args []string, env map[string]string) (app.Config, error) {
	cfg := app.Default()
	err := newOptions("arbiter serve", &cfg).load(args, envOf(env))
	return cfg, err
}

// writeYAML writes a configuration file in a temporary folder.
func writeYAML(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "arbiter.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	cfg, err := load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, app.Default()) {
		t.Fatalf("config without flags, env or file = %+v, want the defaults %+v", cfg, app.Default())
	}
	// Nakama's defaults, which its clients' examples assume.
	want := app.Config{
		Port: 7350, DataDir: "./data", Modules: "./modules", Watch: "auto",
		ServerKey: "defaultkey", HTTPKey: "defaulthttpkey",
		SessionKey: "defaultencryptionkey", RefreshKey: "defaultrefreshencryptionkey",
		TokenExpiry: 60 * time.Second, RefreshExpiry: time.Hour, ShutdownGrace: 10 * time.Second,
		LogLevel: "info", LogFormat: "text", Metrics: true,
	}
	got := cfg
	got.Node, got.Env, got.Socket, got.Match, got.Matchmaker, got.Lua, got.WASM = "", nil, ws.Config{}, match.Config{}, matchmaker.Config{}, lua.Config{}, wasm.Config{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("defaults = %+v, want %+v", got, want)
	}
	if cfg.Socket.MaxMessageBytes != 4096 || cfg.Matchmaker.Interval != 15*time.Second ||
		cfg.Matchmaker.MaxTickets != 3 || cfg.Match.InputQueueSize != 128 || cfg.Node == "" {
		t.Fatalf("engine defaults = %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
}

func TestYAML(t *testing.T) {
	path := writeYAML(t, `
# Flat keys with '_' or '-', nested maps joined with '_'.
address: 127.0.0.2
port: 7351
data-dir: /var/lib/arbiter
database: ""
server_key: yaml-server-key
http_key: 12345
token_expiry: 90
shutdown_grace: 1m30s
session:
  key: yaml-session-key
refresh:
  key: yaml-refresh-key
  expiry: 2h
log:
  level: debug
  format: json
`)
	cfg, err := load([]string{"--config", path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := app.Default()
	want.Address, want.Port, want.DataDir = "127.0.0.2", 7351, "/var/lib/arbiter"
	want.ServerKey, want.HTTPKey = "yaml-server-key", "12345"
	want.SessionKey, want.RefreshKey = "yaml-session-key", "yaml-refresh-key"
	want.TokenExpiry, want.RefreshExpiry, want.ShutdownGrace = 90*time.Second, 2*time.Hour, 90*time.Second
	want.LogLevel, want.LogFormat = "debug", "json"
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("config from YAML =\n %+v\nwant\n %+v", cfg, want)
	}

	t.Run("empty file", func(t *testing.T) {
		cfg, err := load([]string{"--config", writeYAML(t, "# nothing\n")}, nil)
		if err != nil || !reflect.DeepEqual(cfg, app.Default()) {
			t.Fatalf("empty file: %+v, %v", cfg, err)
		}
	})
	t.Run("file named by ARBITER_CONFIG", func(t *testing.T) {
		cfg, err := load(nil, map[string]string{"ARBITER_CONFIG": writeYAML(t, "port: 7399\n")})
		if err != nil || cfg.Port != 7399 {
			t.Fatalf("port = %d, %v; want 7399", cfg.Port, err)
		}
	})
	t.Run("--config wins over ARBITER_CONFIG", func(t *testing.T) {
		cfg, err := load([]string{"--config", writeYAML(t, "port: 7398\n")}, map[string]string{"ARBITER_CONFIG": writeYAML(t, "port: 7399\n")})
		if err != nil || cfg.Port != 7398 {
			t.Fatalf("port = %d, %v; want 7398", cfg.Port, err)
		}
	})
}

func TestEnv(t *testing.T) {
	cfg, err := load(nil, map[string]string{
		"ARBITER_PORT":           "7352",
		"ARBITER_SERVER_KEY":     "env-key",
		"ARBITER_DATA_DIR":       "/srv/arbiter",
		"ARBITER_TOKEN_EXPIRY":   "2m",
		"ARBITER_REFRESH_KEY":    "env-refresh",
		"ARBITER_LOG_LEVEL":      "warn",
		"ARBITER_UNRELATED":      "ignored",
		"ARBITER_SERVER_KEYS":    "ignored too",
		"arbiter_port":           "1", // names are case-sensitive
		"ARBITER_SHUTDOWN_GRACE": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := app.Default()
	want.Port, want.ServerKey, want.DataDir = 7352, "env-key", "/srv/arbiter"
	want.TokenExpiry, want.RefreshKey, want.LogLevel, want.ShutdownGrace = 2*time.Minute, "env-refresh", "warn", 0
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("config from env =\n %+v\nwant\n %+v", cfg, want)
	}
}

func TestFlags(t *testing.T) {
	cfg, err := load([]string{"--port=7353", "-server-key", "flag-key", "--token-expiry", "45", "--log-format=json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := app.Default()
	want.Port, want.ServerKey, want.TokenExpiry, want.LogFormat = 7353, "flag-key", 45*time.Second, "json"
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("config from flags =\n %+v\nwant\n %+v", cfg, want)
	}
}

// TestPrecedence checks flag > env > YAML > default for every combination
// of sources, on a number, a string and a duration.
func TestPrecedence(t *testing.T) {
	type source struct {
		name string
		port string
		key  string
		exp  string
	}
	var (
		yamlSrc = source{"yaml", "7361", "yaml-key", "61s"}
		envSrc  = source{"env", "7362", "env-key", "62s"}
		flagSrc = source{"flag", "7363", "flag-key", "63s"}
	)
	for mask := range 8 {
		useYAML, useEnv, useFlag := mask&1 != 0, mask&2 != 0, mask&4 != 0
		want := source{"default", "7350", "defaultkey", "1m0s"}
		var names []string
		var args []string
		env := map[string]string{}
		if useYAML {
			names = append(names, "yaml")
			want = yamlSrc
		}
		if useEnv {
			names = append(names, "env")
			env["ARBITER_PORT"], env["ARBITER_SERVER_KEY"], env["ARBITER_TOKEN_EXPIRY"] = envSrc.port, envSrc.key, envSrc.exp
			want = envSrc
		}
		if useFlag {
			names = append(names, "flag")
			args = append(args, "--port", flagSrc.port, "--server-key", flagSrc.key, "--token-expiry", flagSrc.exp)
			want = flagSrc
		}
		name := strings.Join(names, "+")
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			if useYAML {
				args = append(args, "--config", writeYAML(t, "port: "+yamlSrc.port+"\nserver_key: "+yamlSrc.key+"\ntoken_expiry: "+yamlSrc.exp+"\n"))
			}
			cfg, err := load(args, env)
			if err != nil {
				t.Fatal(err)
			}
			got := [3]string{strconv.Itoa(cfg.Port), cfg.ServerKey, cfg.TokenExpiry.String()}
			wantExp, _ := time.ParseDuration(want.exp)
			if got != [3]string{want.port, want.key, wantExp.String()} {
				t.Fatalf("port, server key, token expiry = %v, want those of %s: %v", got, want.name, want)
			}
		})
	}
}

// TestRunConfigErrors checks that a bad configuration ends run with exit
// code 2 and one line on stderr that names the problem.
func TestRunConfigErrors(t *testing.T) {
	yaml := func(text string) func(t *testing.T) []string {
		return func(t *testing.T) []string { return []string{"--config", writeYAML(t, text)} }
	}
	flags := func(args ...string) func(*testing.T) []string { return func(*testing.T) []string { return args } }
	cases := []struct {
		name string
		args func(t *testing.T) []string
		env  map[string]string
		want string // a part of the line
	}{
		{"port not a number", flags("--port", "abc"), nil, `invalid value "abc" for flag -port`},
		{"port too large", flags("--port", "70000"), nil, "invalid port 70000: must be 0-65535"},
		{"port negative", flags("--port=-1"), nil, "invalid port -1"},
		{"unknown flag", flags("--nope"), nil, "flag provided but not defined: -nope"},
		{"flag without value", flags("--port"), nil, "flag needs an argument: -port"},
		{"stray argument", flags("--port", "7350", "extra"), nil, `unexpected argument "extra"`},
		{"token expiry zero", flags("--token-expiry", "0"), nil, "invalid token-expiry 0s: must be positive"},
		{"token expiry not a duration", flags("--token-expiry", "soon"), nil, "want a duration such as 30s or 5m"},
		{"refresh expiry negative", flags("--refresh-expiry", "-5s"), nil, "invalid refresh-expiry -5s: must be positive"},
		{"shutdown grace negative", flags("--shutdown-grace", "-1s"), nil, "invalid shutdown-grace -1s"},
		{"log level", flags("--log-level", "loud"), nil, `invalid log-level "loud"`},
		{"log format", flags("--log-format", "xml"), nil, `invalid log-format "xml"`},
		{"empty server key", flags("--server-key="), nil, "invalid server-key: empty"},
		{"empty session key", flags("--session-key="), nil, "invalid session-key: empty"},
		{"empty data dir", flags("--data-dir="), nil, "invalid data-dir: empty"},
		{"watch not a boolean", flags("--watch", "sometimes"), nil, `invalid watch "sometimes": must be auto, true or false`},
		{"admin user without password", flags("--admin-user", "ops"), nil, "invalid admin-password: empty while admin-user is set"},
		{"admin password without user", nil, map[string]string{"ARBITER_ADMIN_PASSWORD": "hunter2"}, "invalid admin-user: empty while admin-password is set"},
		{"database not postgres", flags("--database", "mysql://root:hunter2@db/arbiter"), nil, `invalid database "mysql://root:***@db/arbiter"`},
		{"env port", nil, map[string]string{"ARBITER_PORT": "abc"}, `invalid ARBITER_PORT "abc"`},
		{"env duration", nil, map[string]string{"ARBITER_REFRESH_EXPIRY": "later"}, `invalid ARBITER_REFRESH_EXPIRY "later"`},
		{"env empty key", nil, map[string]string{"ARBITER_HTTP_KEY": ""}, "invalid http-key: empty"},
		{"yaml unknown key", yaml("port: 7350\nnope: 1\n"), nil, `unknown key "nope"`},
		{"yaml unknown nested key", yaml("log:\n  colour: blue\n"), nil, `unknown key "log_colour"`},
		{"yaml config key", yaml("config: other.yaml\n"), nil, `unknown key "config"`},
		{"yaml bad value", yaml("port: abc\n"), nil, `invalid port "abc"`},
		{"yaml bad duration", yaml("token_expiry: 1.5\n"), nil, `invalid token_expiry "1.5"`},
		{"yaml list", yaml("server_key: [a, b]\n"), nil, `key "server_key": lists are not supported`},
		{"size without a number", flags("--lua-match-memory-limit", "lots"), nil, `invalid value "lots" for flag -lua-match-memory-limit: want a size such as 4MiB`},
		{"size with an unknown unit", flags("--socket-outbound-bytes=4M"), nil, `invalid value "4M" for flag -socket-outbound-bytes: want a size such as 4MiB`},
		{"size negative", flags("--lua-match-memory-limit=-1"), nil, "must not be negative"},
		{"env size", nil, map[string]string{"ARBITER_LUA_MATCH_MEMORY_LIMIT": "4 megs"}, `invalid ARBITER_LUA_MATCH_MEMORY_LIMIT "4 megs": want a size such as 4MiB`},
		{"yaml size", yaml("socket:\n  max_message_bytes: 1.5KiB\n"), nil, `invalid socket_max_message_bytes "1.5KiB": want a size such as 4MiB`},
		{"yaml syntax", yaml("port: 7350\n  bad indent: [\n"), nil, "yaml:"},
		{"yaml not a map", yaml("- port\n"), nil, "yaml:"},
		{"yaml missing file", flags("--config", "/nonexistent/arbiter.yaml"), nil, "config file: open /nonexistent/arbiter.yaml"},
		{"valid yaml, bad flag", func(t *testing.T) []string {
			return []string{"--config", writeYAML(t, "port: 7350\n"), "--log-level", "chatty"}
		}, nil, `invalid log-level "chatty"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			if c.args != nil {
				args = c.args(t)
			}
			for _, cmd := range []string{"serve", "migrate"} {
				var stdout, stderr bytes.Buffer
				code := run(append([]string{cmd}, args...), &stdout, &stderr, envOf(c.env))
				line := stderr.String()
				if code != exitConfig {
					t.Fatalf("%s: exit code %d, want %d (stderr %q)", cmd, code, exitConfig, line)
				}
				if !strings.HasPrefix(line, "arbiter: ") || strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
					t.Fatalf("%s: stderr = %q, want one line starting with \"arbiter: \"", cmd, line)
				}
				if !strings.Contains(line, c.want) {
					t.Fatalf("%s: stderr = %q, want it to contain %q", cmd, line, c.want)
				}
				if strings.Contains(line, "hunter2") {
					t.Fatalf("%s: stderr shows a password: %q", cmd, line)
				}
				if stdout.Len() != 0 {
					t.Fatalf("%s: stdout = %q, want nothing", cmd, stdout.String())
				}
			}
		})
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"frobnicate"}, &stdout, &stderr, envOf(nil)); code != exitConfig {
		t.Fatalf("exit code %d, want %d", code, exitConfig)
	}
	if got := stderr.String(); got != "arbiter: unknown command \"frobnicate\" (want serve, migrate, check, module or help)\n" {
		t.Fatalf("stderr = %q", got)
	}
}

func TestRunHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"serve", "-help"}, {"migrate", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr, envOf(nil)); code != exitOK {
				t.Fatalf("exit code %d, want 0 (stderr %q)", code, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{"--port", "$ARBITER_PORT", "--server-key", `(default "defaultkey")`, "--token-expiry", `(default "1m0s")`} {
				if !strings.Contains(out, want) {
					t.Errorf("usage lacks %q:\n%s", want, out)
				}
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
		})
	}
}

func TestRunMigrate(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	env := envOf(map[string]string{"ARBITER_DATA_DIR": dir, "ARBITER_LOG_FORMAT": "json"})
	for range 2 { // migrating twice is harmless
		stderr.Reset()
		if code := run([]string{"migrate"}, &stdout, &stderr, env); code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), `"msg":"migrations applied"`) {
			t.Fatalf("stderr = %q, want a JSON log line saying the migrations were applied", stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "arbiter.db")); err != nil {
		t.Fatalf("no database in the data dir: %v", err)
	}
}

func TestRunMigrateFails(t *testing.T) {
	// The data dir is a file, so the store cannot be opened: exit code 1.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"migrate", "--data-dir", file}, &stdout, &stderr, envOf(nil)); code != exitFailed {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitFailed, stderr.String())
	}
	if !strings.Contains(stderr.String(), "arbiter failed") {
		t.Fatalf("stderr = %q, want the failure logged", stderr.String())
	}
}
