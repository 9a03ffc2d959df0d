package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// loadWatch loads the options of a command taking maxArgs arguments from
// args, env and (when not empty) a YAML file of yamlText, then validates
// the configuration as serve does.
func loadWatch(t *testing.T, maxArgs int, args []string, env map[string]string, yamlText string) (app.Config, []string, error) {
	t.Helper()
	if yamlText != "" {
		path := filepath.Join(t.TempDir(), "arbiter.yaml")
		if err := os.WriteFile(path, []byte(yamlText), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"--config", path}, args...)
	}
	cfg := app.Default()
	o := newOptions("arbiter test", &cfg)
	o.maxArgs = maxArgs
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	if err := o.load(args, lookup); err != nil {
		return cfg, o.args, err
	}
	return cfg, o.args, cfg.Validate()
}

func TestWatchFlag(t *testing.T) {
	const bad = "must be auto, true or false"
	tests := []struct {
		name    string
		maxArgs int
		args    []string
		env     map[string]string
		yaml    string
		want    string   // Config.Watch
		rest    []string // the command's arguments
		port    int      // when not 0, Config.Port
		modules string   // when not "", Config.Modules
		err     string   // a part of the error
	}{
		{name: "default", want: "auto"},
		{name: "bare", args: []string{"--watch"}, want: "true"},
		{name: "bare single dash", args: []string{"-watch"}, want: "true"},
		{name: "bare before a flag", args: []string{"--watch", "--port", "1"}, want: "true", port: 1},
		{name: "bare after a flag", args: []string{"--port", "1", "--watch"}, want: "true", port: 1},
		{name: "=auto", args: []string{"--watch=auto"}, want: "auto"},
		{name: "=true", args: []string{"--watch=true"}, want: "true"},
		{name: "=false", args: []string{"--watch=false"}, want: "false"},
		{name: "=1", args: []string{"--watch=1"}, want: "true"},
		{name: "=0", args: []string{"--watch=0"}, want: "false"},
		{name: "=TRUE", args: []string{"--watch=TRUE"}, want: "true"},
		{name: "=AUTO", args: []string{"--watch=AUTO"}, want: "auto"},
		{name: "spaced false", args: []string{"--watch", "false"}, want: "false"},
		{name: "spaced auto", args: []string{"--watch", "auto"}, want: "auto"},
		{name: "spaced 0", args: []string{"--watch", "0"}, want: "false"},
		{name: "=bad", args: []string{"--watch=maybe"}, err: `invalid watch "maybe": ` + bad},
		{name: "=empty", args: []string{"--watch="}, err: `invalid watch "": ` + bad},
		{name: "spaced bad", args: []string{"--watch", "maybe"}, err: `invalid watch "maybe": ` + bad},
		{name: "another flag's value", args: []string{"--modules", "--watch"}, want: "auto", modules: "--watch"},
		{name: "after --", maxArgs: 1, args: []string{"--", "--watch"}, want: "auto", rest: []string{"--watch"}},
		// A command that takes an argument: a bare --watch leaves it alone.
		{name: "bare before an argument", maxArgs: 1, args: []string{"--watch", "dir"}, want: "true", rest: []string{"dir"}},
		{name: "spaced value before an argument", maxArgs: 1, args: []string{"--watch", "false", "dir"}, want: "false", rest: []string{"dir"}},
		{name: "env 1", env: map[string]string{"ARBITER_WATCH": "1"}, want: "true"},
		{name: "env false", env: map[string]string{"ARBITER_WATCH": "false"}, want: "false"},
		{name: "env bad", env: map[string]string{"ARBITER_WATCH": "sometimes"}, err: `invalid watch "sometimes": ` + bad},
		{name: "yaml true", yaml: "watch: true\n", want: "true"},
		{name: "yaml false", yaml: "watch: false\n", want: "false"},
		{name: "yaml auto", yaml: "watch: auto\n", want: "auto"},
		{name: "yaml 0", yaml: "watch: 0\n", want: "false"},
		{name: "yaml bad", yaml: "watch: maybe\n", err: `invalid watch "maybe": ` + bad},
		{name: "bare flag over yaml and env", args: []string{"--watch"}, yaml: "watch: false\n",
			env: map[string]string{"ARBITER_WATCH": "false"}, want: "true"},
		{name: "env over yaml", yaml: "watch: false\n", env: map[string]string{"ARBITER_WATCH": "auto"}, want: "auto"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, rest, err := loadWatch(t, tc.maxArgs, tc.args, tc.env, tc.yaml)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Watch != tc.want {
				t.Errorf("watch = %q, want %q", cfg.Watch, tc.want)
			}
			if !slices.Equal(rest, tc.rest) {
				t.Errorf("arguments %q, want %q", rest, tc.rest)
			}
			if tc.port != 0 && cfg.Port != tc.port {
				t.Errorf("port = %d, want %d", cfg.Port, tc.port)
			}
			if tc.modules != "" && cfg.Modules != tc.modules {
				t.Errorf("modules = %q, want %q", cfg.Modules, tc.modules)
			}
		})
	}
}

// noEnv is an empty environment.
func noEnv(string) (string, bool) { return "", false }

// TestWatchFlagCommandLine checks what a user sees: serve refuses a bad
// value with the flag's name, and help shows the default.
func TestWatchFlagCommandLine(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"serve", "--watch=maybe"}, &stdout, &stderr, noEnv); code != exitConfig {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitConfig, stderr.String())
	}
	if want := `arbiter: invalid watch "maybe": must be auto, true or false`; !strings.Contains(stderr.String(), want) {
		t.Fatalf("stderr %q, want %q", stderr.String(), want)
	}
	stdout.Reset()
	if code := run([]string{"help"}, &stdout, &stderr, noEnv); code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	if want := `--watch	reload modules when their folder changes: auto (on with the embedded store), true or false; a bare --watch is true (default "auto")`; !strings.Contains(stdout.String(), want) {
		t.Fatalf("help lacks %q:\n%s", want, stdout.String())
	}
}
