package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Bounds. Every scenario is finite in time and in what it creates; these
// are the largest values the flags accept.
const (
	maxDuration    = 10 * time.Minute
	maxWarmup      = time.Minute
	maxClients     = 1024  // auth: concurrent HTTP clients
	maxSockets     = 20000 // rpc, idle, and matches × players
	maxMatches     = 10000
	maxPlayers     = 64
	maxRate        = 100.0 // messages per second per player
	maxTick        = 60    // the match engine's own bound
	maxMsgBytes    = 2048  // the server takes frames up to 4096 bytes
	maxPayload     = 2048
	maxSocketRate  = 100000.0 // rpc -max-rate
	maxConcurrency = 256
	maxTimeout     = time.Minute
	// serverInputQueue is the server's default per-match input queue:
	// more messages than this in one tick are dropped by the server.
	serverInputQueue = 128
)

var scenarios = []string{"auth", "rpc", "match", "match-idle", "idle"}

// config is the parsed command line.
type config struct {
	scenario    string
	addr        string
	serverKey   string
	format      string
	duration    time.Duration
	warmup      time.Duration
	pid         int
	jsonOut     bool
	quiet       bool
	timeout     time.Duration
	concurrency int

	clients int // auth

	sockets int // rpc, idle
	rpcID   string
	payload string
	maxRate float64 // rpc: calls per second per socket, 0 = unpaced

	matches  int // match, match-idle
	players  int
	rate     float64
	tick     int
	msgBytes int

	writeModule string
	printModule bool
}

func (c *config) protobuf() bool { return c.format == "protobuf" }

// idleMatch reports whether the match scenario sends nothing.
func (c *config) idleMatch() bool { return c.scenario == "match-idle" || c.rate == 0 }

// seconds is a duration flag that also takes whole seconds ("10").
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s seconds) Set(v string) error {
	d, err := parseSeconds(v)
	if err != nil {
		return err
	}
	*s.d = d
	return nil
}

// parseSeconds reads a Go duration ("90s", "1m30s") or a number of
// seconds ("10", "2.5").
func parseSeconds(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f > maxDuration.Seconds()*10 {
			return 0, fmt.Errorf("%q: out of range", v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration (10s, 1m) or seconds", v)
	}
	return d, nil
}

// parseFlags reads and checks the command line.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{duration: 10 * time.Second, warmup: 2 * time.Second, timeout: 10 * time.Second}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./test/load -scenario %s [flags]\n", strings.Join(scenarios, "|"))
		fmt.Fprintf(stderr, "       go run ./test/load -write-module DIR | -print-module\n\n")
		fmt.Fprintf(stderr, "Drives a Nakama-protocol server on this machine and reports throughput, latency\n")
		fmt.Fprintf(stderr, "and the server's CPU and memory. See test/load/README.md.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.scenario, "scenario", "", "what to run: "+strings.Join(scenarios, ", "))
	fs.StringVar(&c.addr, "addr", "127.0.0.1:7350", "server host:port; loopback only (127.0.0.0/8, ::1, localhost)")
	fs.StringVar(&c.serverKey, "server-key", "defaultkey", "server key for device authentication")
	fs.StringVar(&c.format, "format", "json", "socket format: json or protobuf")
	fs.Var(seconds{&c.duration}, "duration", "length of the measured window (Go duration or seconds; max 10m)")
	fs.Var(seconds{&c.warmup}, "warmup", "load before the measured window starts (max 1m)")
	fs.IntVar(&c.pid, "pid", 0, "server process id for CPU and memory figures (default: the process listening on -addr's port)")
	fs.BoolVar(&c.jsonOut, "json", false, "print one JSON object instead of the readable summary")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress lines on stderr")
	fs.Var(seconds{&c.timeout}, "timeout", "limit for one request, handshake or reply (max 1m)")
	fs.IntVar(&c.concurrency, "concurrency", 32, "parallel authentications and connections while setting up (max 256)")
	fs.IntVar(&c.clients, "clients", 16, "auth: concurrent clients, each in a closed loop (max 1024)")
	fs.IntVar(&c.sockets, "sockets", 0, "rpc: sockets in a closed loop (default 64); idle: sockets held open (default 1000); max 20000")
	fs.StringVar(&c.rpcID, "rpc-id", "echo", "rpc: the RPC to call on the socket")
	fs.StringVar(&c.payload, "payload", `{"ping":"pong"}`, "rpc: the RPC payload (max 2048 bytes)")
	fs.Float64Var(&c.maxRate, "max-rate", 0, "rpc: at most this many calls per second per socket (0: none, a pure closed loop; Arbiter closes a socket sending over 1000 messages a second)")
	fs.IntVar(&c.matches, "matches", 10, "match: authoritative matches (max 10000)")
	fs.IntVar(&c.players, "players", 4, "match: players per match (max 64; matches × players ≤ 20000)")
	fs.Float64Var(&c.rate, "rate", 10, "match: messages per second each player sends (max 100; 0 = idle, as -scenario match-idle)")
	fs.IntVar(&c.tick, "tick", 10, "match: tick rate passed to the match module (1..60)")
	fs.IntVar(&c.msgBytes, "msg-bytes", 0, "match: pad each message's data to this many bytes (max 2048; the timestamp needs ~20)")
	fs.StringVar(&c.writeModule, "write-module", "", "write the loadecho Lua module into this folder (then run the scenario, if one is given)")
	fs.BoolVar(&c.printModule, "print-module", false, "print the loadecho Lua module and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.sockets == 0 {
		switch c.scenario {
		case "idle":
			c.sockets = 1000
		default:
			c.sockets = 64
		}
	}
	if c.scenario == "match-idle" && set["rate"] && c.rate != 0 {
		return nil, errors.New("-scenario match-idle sends nothing: leave -rate out")
	}
	if c.scenario == "match-idle" {
		c.rate = 0
	}
	if c.printModule || (c.writeModule != "" && c.scenario == "") {
		return c, nil
	}
	return c, c.validate()
}

// validate checks every value against its bounds.
func (c *config) validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	known := false
	for _, s := range scenarios {
		known = known || s == c.scenario
	}
	if !known {
		bad("-scenario %q: want one of %s", c.scenario, strings.Join(scenarios, ", "))
	}
	if c.format != "json" && c.format != "protobuf" {
		bad("-format %q: want json or protobuf", c.format)
	}
	if c.duration < time.Second || c.duration > maxDuration {
		bad("-duration %v: want 1s to %v", c.duration, maxDuration)
	}
	if c.warmup < 0 || c.warmup > maxWarmup {
		bad("-warmup %v: want 0 to %v", c.warmup, maxWarmup)
	}
	if c.timeout < 100*time.Millisecond || c.timeout > maxTimeout {
		bad("-timeout %v: want 100ms to %v", c.timeout, maxTimeout)
	}
	if c.pid < 0 {
		bad("-pid %d: want a process id", c.pid)
	}
	if c.concurrency < 1 || c.concurrency > maxConcurrency {
		bad("-concurrency %d: want 1 to %d", c.concurrency, maxConcurrency)
	}
	if c.serverKey == "" {
		bad("-server-key: must not be empty")
	}
	switch c.scenario {
	case "auth":
		if c.clients < 1 || c.clients > maxClients {
			bad("-clients %d: want 1 to %d", c.clients, maxClients)
		}
	case "rpc", "idle":
		if c.sockets < 1 || c.sockets > maxSockets {
			bad("-sockets %d: want 1 to %d", c.sockets, maxSockets)
		}
		if c.scenario == "rpc" {
			if c.rpcID == "" {
				bad("-rpc-id: must not be empty")
			}
			if len(c.payload) > maxPayload {
				bad("-payload: %d bytes, want at most %d", len(c.payload), maxPayload)
			}
			if c.maxRate < 0 || c.maxRate > maxSocketRate {
				bad("-max-rate %v: want 0 to %v", c.maxRate, maxSocketRate)
			}
		}
	case "match", "match-idle":
		if c.matches < 1 || c.matches > maxMatches {
			bad("-matches %d: want 1 to %d", c.matches, maxMatches)
		}
		if c.players < 1 || c.players > maxPlayers {
			bad("-players %d: want 1 to %d", c.players, maxPlayers)
		}
		if c.matches*c.players > maxSockets {
			bad("-matches × -players = %d sockets: want at most %d", c.matches*c.players, maxSockets)
		}
		if c.rate < 0 || c.rate > maxRate {
			bad("-rate %v: want 0 to %v", c.rate, maxRate)
		}
		if c.tick < 1 || c.tick > maxTick {
			bad("-tick %d: want 1 to %d", c.tick, maxTick)
		}
		if c.msgBytes < 0 || c.msgBytes > maxMsgBytes {
			bad("-msg-bytes %d: want 0 to %d", c.msgBytes, maxMsgBytes)
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// warnings returns advice about settings the server will not keep up with
// by design (not errors: measuring that is legitimate).
func (c *config) warnings() []string {
	var w []string
	if (c.scenario == "match") && !c.idleMatch() {
		perTick := float64(c.players) * c.rate / float64(c.tick)
		if perTick > serverInputQueue {
			w = append(w, fmt.Sprintf("%.0f messages per match per tick (players × rate ÷ tick) exceed the server's default input queue of %d: expect drops", perTick, serverInputQueue))
		}
	}
	return w
}
