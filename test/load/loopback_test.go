package main

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	lookup := func(ips ...string) func(string) ([]net.IP, error) {
		return func(string) ([]net.IP, error) {
			var out []net.IP
			for _, s := range ips {
				out = append(out, net.ParseIP(s))
			}
			return out, nil
		}
	}
	tests := []struct {
		addr   string
		lookup func(string) ([]net.IP, error)
		err    string
	}{
		{"127.0.0.1:7350", nil, ""},
		{"127.1.2.3:7350", nil, ""},
		{"[::1]:7350", nil, ""},
		{"[::ffff:127.0.0.1]:7350", nil, ""},
		{"localhost:7350", lookup("127.0.0.1", "::1"), ""},
		{"LocalHost:7350", lookup("127.0.0.1"), ""},
		{"localhost:7350", lookup("127.0.0.1", "10.0.0.5"), "localhost resolves to 10.0.0.5"},
		{"localhost:7350", func(string) ([]net.IP, error) { return nil, errors.New("boom") }, "resolving localhost"},
		{"10.0.0.1:7350", nil, "refusing a non-loopback target"},
		{"0.0.0.0:7350", nil, "refusing"},
		{"[::]:7350", nil, "refusing"},
		{"192.168.1.10:7350", nil, "refusing"},
		{"example.com:7350", nil, "host names other than localhost"},
		{"127.0.0.1", nil, "want host:port"},
		{"127.0.0.1:0", nil, "bad port"},
		{"127.0.0.1:99999", nil, "bad port"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := checkLoopback(tt.addr, tt.lookup)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want one about %q", err, tt.err)
			}
		})
	}
}
