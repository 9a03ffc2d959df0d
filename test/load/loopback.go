package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// checkLoopback accepts only a target on this machine: an address in
// 127.0.0.0/8, ::1, or the name localhost (whose addresses must all be
// loopback). The tool creates thousands of accounts and sockets; pointed
// at someone else's server that is an attack, not a measurement.
// lookup resolves "localhost"; nil means the system resolver.
func checkLoopback(addr string, lookup func(string) ([]net.IP, error)) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: want host:port, e.g. 127.0.0.1:7350 (%v)", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("-addr %q: bad port %q", addr, port)
	}
	refuse := func(why string) error {
		return fmt.Errorf("-addr %q: refusing a non-loopback target (%s): the load tool only runs against a server on this machine: 127.0.0.0/8, ::1 or localhost", addr, why)
	}
	if strings.EqualFold(host, "localhost") {
		if lookup == nil {
			lookup = func(h string) ([]net.IP, error) {
				return net.DefaultResolver.LookupIP(context.Background(), "ip", h)
			}
		}
		ips, err := lookup(host)
		if err != nil {
			return fmt.Errorf("-addr %q: resolving localhost: %v", addr, err)
		}
		if len(ips) == 0 {
			return refuse("localhost has no address")
		}
		for _, ip := range ips {
			if !ip.IsLoopback() {
				return refuse("localhost resolves to " + ip.String())
			}
		}
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return refuse("host names other than localhost are not resolved")
	}
	if !ip.IsLoopback() {
		return refuse(ip.String() + " is not a loopback address")
	}
	return nil
}
