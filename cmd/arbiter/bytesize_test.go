package main

import (
	"strings"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string // a part of the error; empty for none
	}{
		{"0", 0, ""},
		{"4194304", 4194304, ""},
		{"+12", 12, ""},
		{"4MiB", 4 << 20, ""},
		{"4 MiB", 4 << 20, ""},
		{" 4mib ", 4 << 20, ""},
		{"4096KiB", 4 << 20, ""},
		{"512KiB", 512 << 10, ""},
		{"2GiB", 2 << 30, ""},
		{"100B", 100, ""},
		{"1KB", 1000, ""},
		{"4MB", 4000000, ""},
		{"3gb", 3000000000, ""},
		{"8Gib", 8 << 30, ""},
		{"", 0, "want a size such as 4MiB"},
		{"MiB", 0, "want a size such as 4MiB"},
		{"lots", 0, "want a size such as 4MiB"},
		{"4M", 0, "units: B, KB, MB, GB"},
		{"4 TiB", 0, "want a size such as 4MiB"},
		{"1.5MiB", 0, "want a size such as 4MiB"},
		{"4MiB4", 0, "want a size such as 4MiB"},
		{"0x10", 0, "want a size such as 4MiB"},
		{"-1", 0, "must not be negative"},
		{"-4MiB", 0, "must not be negative"},
		{"99999999999999999999", 0, "too large"},
		{"9000000000GiB", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := parseByteSize(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseByteSize(%q) = %d, %v; want an error with %q", tt.in, got, err, tt.err)
		}
	}
}

func TestFormatByteSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1000, "1000"},
		{1024, "1KiB"},
		{4096, "4KiB"},
		{1536, "1536"},
		{1 << 20, "1MiB"},
		{4 << 20, "4MiB"},
		{1536 << 10, "1536KiB"},
		{3 << 30, "3GiB"},
		{1 << 40, "1024GiB"},
		{-1, "-1"},
	}
	for _, tt := range tests {
		if got := formatByteSize(tt.in); got != tt.want {
			t.Errorf("formatByteSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in >= 0 {
			if back, err := parseByteSize(tt.want); err != nil || back != tt.in {
				t.Errorf("parseByteSize(formatByteSize(%d)) = %d, %v", tt.in, back, err)
			}
		}
	}
}

// TestByteSizeSources checks that a flag, the environment and the YAML
// file take the same sizes.
func TestByteSizeSources(t *testing.T) {
	cfg, err := load([]string{"--lua-match-memory-limit", "8MiB", "--config", writeYAML(t, "socket:\n  outbound_bytes: 2 MiB\n  max_message_bytes: 8192\n")},
		map[string]string{"ARBITER_SOCKET_MAX_MESSAGE_BYTES": "16KiB"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lua.MatchMemoryLimit != 8<<20 || cfg.Socket.OutboundBytes != 2<<20 || cfg.Socket.MaxMessageBytes != 16<<10 {
		t.Fatalf("lua match memory %d, socket outbound %d, max message %d; want 8MiB, 2MiB, 16KiB",
			cfg.Lua.MatchMemoryLimit, cfg.Socket.OutboundBytes, cfg.Socket.MaxMessageBytes)
	}
	cfg, err = load([]string{"--config", writeYAML(t, "lua_match_memory_limit: 1048576\n")}, nil)
	if err != nil || cfg.Lua.MatchMemoryLimit != 1<<20 {
		t.Fatalf("YAML integer: %d, %v; want 1MiB", cfg.Lua.MatchMemoryLimit, err)
	}
}
