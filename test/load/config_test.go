package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		err   string
		check func(t *testing.T, c *config)
	}{
		{"rpc defaults", []string{"-scenario", "rpc"}, "", func(t *testing.T, c *config) {
			if c.addr != "127.0.0.1:7350" || c.serverKey != "defaultkey" || c.format != "json" ||
				c.sockets != 64 || c.rpcID != "echo" || c.duration != 10*time.Second || c.warmup != 2*time.Second {
				t.Fatalf("%+v", c)
			}
		}},
		{"idle default sockets", []string{"-scenario", "idle"}, "", func(t *testing.T, c *config) {
			if c.sockets != 1000 {
				t.Fatalf("sockets = %d", c.sockets)
			}
		}},
		{"seconds", []string{"-scenario", "auth", "-duration", "7", "-warmup", "0.5"}, "", func(t *testing.T, c *config) {
			if c.duration != 7*time.Second || c.warmup != 500*time.Millisecond {
				t.Fatalf("duration %v warmup %v", c.duration, c.warmup)
			}
		}},
		{"go durations", []string{"-scenario", "auth", "-duration", "1m30s", "-warmup", "0s"}, "", func(t *testing.T, c *config) {
			if c.duration != 90*time.Second || c.warmup != 0 {
				t.Fatalf("duration %v warmup %v", c.duration, c.warmup)
			}
		}},
		{"match-idle", []string{"-scenario", "match-idle"}, "", func(t *testing.T, c *config) {
			if !c.idleMatch() || c.rate != 0 {
				t.Fatalf("rate %v", c.rate)
			}
		}},
		{"match rate 0 is idle", []string{"-scenario", "match", "-rate", "0"}, "", func(t *testing.T, c *config) {
			if !c.idleMatch() {
				t.Fatal("not idle")
			}
		}},
		{"protobuf", []string{"-scenario", "rpc", "-format", "protobuf"}, "", func(t *testing.T, c *config) {
			if !c.protobuf() {
				t.Fatal("not protobuf")
			}
		}},
		{"print module needs no scenario", []string{"-print-module"}, "", nil},
		{"write module needs no scenario", []string{"-write-module", "/tmp/x"}, "", nil},
		{"no scenario", nil, `-scenario ""`, nil},
		{"unknown scenario", []string{"-scenario", "chaos"}, "want one of", nil},
		{"bad format", []string{"-scenario", "rpc", "-format", "xml"}, "-format", nil},
		{"too long", []string{"-scenario", "rpc", "-duration", "11m"}, "-duration", nil},
		{"too short", []string{"-scenario", "rpc", "-duration", "0.5"}, "-duration", nil},
		{"warmup too long", []string{"-scenario", "rpc", "-warmup", "2m"}, "-warmup", nil},
		{"bad duration", []string{"-scenario", "rpc", "-duration", "soon"}, "want a duration", nil},
		{"too many clients", []string{"-scenario", "auth", "-clients", "5000"}, "-clients", nil},
		{"too many sockets", []string{"-scenario", "idle", "-sockets", "20001"}, "-sockets", nil},
		{"negative sockets", []string{"-scenario", "rpc", "-sockets", "-1"}, "-sockets", nil},
		{"big payload", []string{"-scenario", "rpc", "-payload", strings.Repeat("x", 3000)}, "-payload", nil},
		{"max rate bounds", []string{"-scenario", "rpc", "-max-rate", "-1"}, "-max-rate", nil},
		{"empty rpc id", []string{"-scenario", "rpc", "-rpc-id", ""}, "-rpc-id", nil},
		{"too many players in all", []string{"-scenario", "match", "-matches", "2000", "-players", "11"}, "sockets", nil},
		{"tick bounds", []string{"-scenario", "match", "-tick", "61"}, "-tick", nil},
		{"rate bounds", []string{"-scenario", "match", "-rate", "101"}, "-rate", nil},
		{"msg bytes bounds", []string{"-scenario", "match", "-msg-bytes", "5000"}, "-msg-bytes", nil},
		{"match-idle with rate", []string{"-scenario", "match-idle", "-rate", "5"}, "leave -rate out", nil},
		{"stray argument", []string{"-scenario", "rpc", "now"}, "unexpected arguments", nil},
		{"several errors at once", []string{"-scenario", "match", "-tick", "0", "-players", "0"}, "-players 0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one about %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"-scenario", "-write-module", "-tick", "loopback only"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestWarnings(t *testing.T) {
	c, err := parseFlags([]string{"-scenario", "match", "-players", "64", "-rate", "100", "-tick", "10"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if w := c.warnings(); len(w) != 1 || !strings.Contains(w[0], "input queue") {
		t.Fatalf("warnings = %q", w)
	}
	c, _ = parseFlags([]string{"-scenario", "match"}, io.Discard)
	if w := c.warnings(); len(w) != 0 {
		t.Fatalf("warnings = %q", w)
	}
}
