package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// options binds every configuration field to one flag. Each flag has an
// environment twin (ARBITER_ and the flag name in upper case with '_' for
// '-') and a YAML key (the flag name with '_' for '-', nested maps joined by
// '_'). Precedence, from lowest: defaults, the YAML file, the environment,
// the command line. All three take the same text for a value: durations as
// Go durations or whole seconds, byte sizes as bytes or with a unit (4MiB).
type options struct {
	fs         *flag.FlagSet
	configPath string
	// maxArgs is how many arguments (non-flags) the command takes; they
	// may come between flags, and are in args after load.
	maxArgs int
	args    []string
}

// newOptions registers the flags of cfg, whose current values are the defaults.
func newOptions(name string, cfg *app.Config) *options {
	o := &options{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs := o.fs
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.configPath, "config", "", "YAML configuration file")
	fs.StringVar(&cfg.Address, "address", cfg.Address, "interface to listen on (empty: all)")
	fs.IntVar(&cfg.Port, "port", cfg.Port, "port for HTTP and WebSocket")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "folder of the embedded store")
	fs.StringVar(&cfg.Database, "database", cfg.Database, "postgres:// URL; empty selects the embedded SQLite store")
	fs.StringVar(&cfg.Modules, "modules", cfg.Modules, "folder of Lua and WASM modules")
	fs.Var(watchValue{&cfg.Watch}, "watch", "reload modules when their folder changes: auto (on with the embedded store), true or false; a bare --watch is true")
	fs.StringVar(&cfg.AdminUser, "admin-user", cfg.AdminUser, "admin API user (HTTP Basic); empty disables the admin API")
	fs.StringVar(&cfg.AdminPassword, "admin-password", cfg.AdminPassword, "admin API password; empty disables the admin API")
	fs.StringVar(&cfg.ServerKey, "server-key", cfg.ServerKey, "key clients authenticate with (HTTP Basic user)")
	fs.StringVar(&cfg.HTTPKey, "http-key", cfg.HTTPKey, "key for server-to-server RPC calls (?http_key=)")
	fs.StringVar(&cfg.SessionKey, "session-key", cfg.SessionKey, "HMAC key of session tokens")
	fs.StringVar(&cfg.RefreshKey, "refresh-key", cfg.RefreshKey, "HMAC key of refresh tokens")
	durationVar(fs, &cfg.TokenExpiry, "token-expiry", "lifetime of a session token (Go duration or seconds)")
	durationVar(fs, &cfg.RefreshExpiry, "refresh-expiry", "lifetime of a refresh token (Go duration or seconds)")
	durationVar(fs, &cfg.ShutdownGrace, "shutdown-grace", "time given to matches and requests on shutdown")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "text or json")
	fs.BoolVar(&cfg.Metrics, "metrics", cfg.Metrics, "serve Prometheus metrics at /metrics")
	fs.StringVar(&cfg.Node, "node", cfg.Node, "name of this server in match ids")
	fs.StringVar(&cfg.DebugAddress, "debug-address", cfg.DebugAddress, "serve Go's profiler (/debug/pprof/) on this private address (empty: off)")
	fs.Var(envValue{&cfg.Env}, "env", "KEY=VALUE pairs, comma-separated, given to modules as context.env")
	engineFlags(fs, cfg)
	return o
}

// engineFlags registers the limits of sockets, matches, the matchmaker and
// the VMs.
func engineFlags(fs *flag.FlagSet, cfg *app.Config) {
	s := &cfg.Socket
	byteSizeVar(fs, &s.MaxMessageBytes, "socket-max-message-bytes", "largest socket frame a client may send")
	fs.IntVar(&s.OutboundQueue, "socket-outbound-queue", s.OutboundQueue, "frames queued to a client before it is cut off as too slow")
	byteSizeVar(fs, &s.OutboundBytes, "socket-outbound-bytes", "bytes queued to a client before it is cut off as too slow")
	fs.Float64Var(&s.RateLimit, "socket-rate-limit", s.RateLimit, "messages per second a socket may send (negative: no limit)")
	fs.IntVar(&s.RateBurst, "socket-rate-burst", s.RateBurst, "burst of messages above the rate limit")
	durationVar(fs, &s.PingPeriod, "socket-ping-period", "interval of the server's pings")
	durationVar(fs, &s.PongWait, "socket-pong-wait", "time a silent client is given to answer a ping")
	durationVar(fs, &s.WriteWait, "socket-write-wait", "time one socket write may take")
	fs.IntVar(&s.MaxSocketsPerSession, "socket-max-per-session", s.MaxSocketsPerSession, "sockets one session token may open at once (negative: no cap)")
	fs.BoolVar(&s.SingleSocket, "single-socket", s.SingleSocket, "a user's new socket closes their older ones")
	m := &cfg.Match
	durationVar(fs, &m.CallBudget, "match-callback-budget", "CPU time a match callback may take before its match ends")
	fs.IntVar(&m.InputQueueSize, "match-input-queue", m.InputQueueSize, "client messages a match queues per tick; more are dropped")
	fs.IntVar(&m.MaxEmptySeconds, "match-max-empty", m.MaxEmptySeconds, "seconds an empty match lives on (0: forever)")
	mm := &cfg.Matchmaker
	durationVar(fs, &mm.Interval, "matchmaker-interval", "how often the matchmaker forms matches")
	fs.IntVar(&mm.MaxIntervals, "matchmaker-max-intervals", mm.MaxIntervals, "intervals a ticket waits for a full match before taking any size in range")
	fs.IntVar(&mm.MaxTickets, "matchmaker-max-tickets", mm.MaxTickets, "matchmaker tickets a session may hold")
	fs.BoolVar(&mm.RevPrecision, "matchmaker-rev-precision", mm.RevPrecision, "every member's query must match every other member")
	l := &cfg.Lua
	durationVar(fs, &l.RPCBudget, "lua-rpc-budget", "CPU time a Lua RPC or hook may take")
	fs.IntVar(&l.PoolMax, "lua-pool-max", l.PoolMax, "Lua VMs serving RPCs at once")
	byteSizeVar(fs, &l.MatchMemoryLimit, "lua-match-memory-limit", "bytes a Lua match may hold before it ends (0: no limit)")
	w := &cfg.WASM
	fs.Var(uint32Value{&w.MemoryLimitPages}, "wasm-memory-pages", "64 KiB pages a WASM instance may grow to")
	durationVar(fs, &w.CallBudget, "wasm-rpc-budget", "CPU time a WASM RPC or hook may take")
}

// load sets the configuration from args, the YAML file named by --config
// and the environment (looked up with env).
func (o *options) load(args []string, env func(string) (string, bool)) error {
	for rest := o.watchArgs(args); ; {
		if err := o.fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errors.New(strings.TrimSpace(err.Error()))
		}
		if o.fs.NArg() == 0 {
			break
		}
		if len(o.args) == o.maxArgs {
			// Parsing stops at the first non-flag; silently ignoring the
			// rest would hide a mistake such as `arbiter serve --port 1
			// migrate`.
			return fmt.Errorf("unexpected argument %q", o.fs.Arg(0))
		}
		o.args = append(o.args, o.fs.Arg(0))
		rest = o.fs.Args()[1:]
	}
	onCommandLine := map[string]bool{}
	o.fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	path := o.configPath
	if path == "" {
		path, _ = env("ARBITER_CONFIG")
	}
	if path != "" {
		if err := o.loadYAML(path, onCommandLine); err != nil {
			return err
		}
	}
	var err error
	o.fs.VisitAll(func(f *flag.Flag) {
		if err != nil || onCommandLine[f.Name] || f.Name == "config" {
			return
		}
		name := envName(f.Name)
		if v, ok := env(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("invalid %s %q: %v", name, v, e)
			}
		}
	})
	return err
}

func (o *options) loadYAML(path string, skip map[string]bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("config file %s: %v", path, err)
	}
	flat := map[string]string{}
	if err := flatten("", doc, flat); err != nil {
		return fmt.Errorf("config file %s: %v", path, err)
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		f := o.fs.Lookup(name)
		if f == nil || name == "config" {
			return fmt.Errorf("config file %s: unknown key %q", path, k)
		}
		if skip[name] {
			continue
		}
		if err := f.Value.Set(flat[k]); err != nil {
			return fmt.Errorf("config file %s: invalid %s %q: %v", path, k, flat[k], err)
		}
	}
	return nil
}

// flatten turns nested YAML maps into keys joined by '_'.
func flatten(prefix string, m map[string]any, out map[string]string) error {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "_" + k
		}
		switch v := v.(type) {
		case map[string]any:
			if key == "env" {
				pairs := make([]string, 0, len(v))
				for ek, ev := range v {
					pairs = append(pairs, ek+"="+fmt.Sprint(ev))
				}
				sort.Strings(pairs)
				out[key] = strings.Join(pairs, ",")
				continue
			}
			if err := flatten(key, v, out); err != nil {
				return err
			}
		case []any:
			return fmt.Errorf("key %q: lists are not supported", key)
		case nil:
			out[key] = ""
		default:
			out[key] = fmt.Sprint(v)
		}
	}
	return nil
}

func envName(flagName string) string {
	return "ARBITER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// usage writes the flags with their environment twins.
func (o *options) usage(w io.Writer) {
	o.fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s\t%s%s [$%s]\n", f.Name, f.Usage, def, envName(f.Name))
	})
}

// durationValue is a time.Duration flag that also takes whole seconds.
type durationValue struct{ d *time.Duration }

func durationVar(fs *flag.FlagSet, d *time.Duration, name, usage string) {
	fs.Var(durationValue{d}, name, usage)
}

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*v.d = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 30s or 5m")
	}
	*v.d = d
	return nil
}

// envValue is a map flag of KEY=VALUE pairs separated by commas.
type envValue struct{ m *map[string]string }

func (v envValue) String() string {
	if v.m == nil || len(*v.m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(*v.m))
	for k := range *v.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + (*v.m)[k]
	}
	return strings.Join(parts, ",")
}

func (v envValue) Set(s string) error {
	if *v.m == nil {
		*v.m = map[string]string{}
	}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, val, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q", pair)
		}
		(*v.m)[k] = val
	}
	return nil
}

// uint32Value is a uint32 flag.
type uint32Value struct{ p *uint32 }

func (v uint32Value) String() string {
	if v.p == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*v.p), 10)
}

func (v uint32Value) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return errors.New("want a whole number")
	}
	*v.p = uint32(n)
	return nil
}

// watchValue is the --watch flag: auto, true or false. It is a boolean flag,
// so a bare --watch means true; --watch=VALUE takes auto and the spellings
// of strconv.ParseBool (1, 0, TRUE, ...), stored as "true" or "false".
// Other values are kept as given, for Config.Validate to refuse with the
// same message whether they came from a flag, the environment or YAML.
type watchValue struct{ s *string }

func (v watchValue) String() string {
	if v.s == nil {
		return ""
	}
	return *v.s
}

func (v watchValue) Set(s string) error {
	*v.s = normalizeWatch(s)
	return nil
}

// IsBoolFlag makes a bare --watch mean --watch=true.
func (v watchValue) IsBoolFlag() bool { return true }

// normalizeWatch returns the canonical form of a watch value: "auto",
// "true" or "false", or s itself when it is none of them.
func normalizeWatch(s string) string {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, app.WatchAuto) {
		return app.WatchAuto
	}
	if b, err := strconv.ParseBool(t); err == nil {
		return strconv.FormatBool(b)
	}
	return s
}

// isWatchWord reports whether s is a valid watch value.
func isWatchWord(s string) bool {
	n := normalizeWatch(s)
	return n == app.WatchAuto || n == "true" || n == "false"
}

// watchArgs rewrites "--watch VALUE" as "--watch=VALUE", as --watch took a
// value before it became a boolean flag: so "--watch false" still turns
// watching off rather than on with a stray argument. The next argument is
// taken when it is a watch value, or, for a command that takes no
// arguments, when it is any word that is not a flag (so "--watch maybe"
// is refused as a bad watch value). Otherwise a bare --watch means true.
// The values of other flags ("--modules --watch") are skipped over.
func (o *options) watchArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for k := 0; k < len(args); k++ {
		a := args[k]
		out = append(out, a)
		if a == "--" {
			return append(out, args[k+1:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			continue // an argument, or "-"
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue // the value is attached
		}
		f := o.fs.Lookup(name)
		if f == nil || k+1 == len(args) {
			continue
		}
		next := args[k+1]
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			if name == "watch" && !strings.HasPrefix(next, "-") && (isWatchWord(next) || o.maxArgs == 0) {
				out[len(out)-1] = a + "=" + next
				k++
			}
			continue
		}
		out = append(out, next) // the flag's value, whatever it looks like
		k++
	}
	return out
}
