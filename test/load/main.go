// Command load drives a server that speaks Nakama's client protocol (REST
// under /v2 and the realtime socket /ws) and reports throughput, latency
// and what the load cost the server in CPU time and memory.
//
//	go run ./test/load -scenario rpc -addr 127.0.0.1:7350
//
// Scenarios: auth (device authentication over REST), rpc (socket RPCs in
// a closed loop), match and match-idle (authoritative matches of the
// loadecho module, which this tool ships: -write-module DIR), idle (open
// sockets doing nothing). It only talks the wire protocol, never imports
// the server, and only targets this machine. See README.md.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

//go:embed loadecho.lua
var loadechoModule []byte

// moduleFile is the module's file name: Lua module names are file names,
// and the match is created by that name.
const moduleFile = "loadecho.lua"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its streams; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 2
	}
	if cfg.printModule {
		_, _ = stdout.Write(loadechoModule)
		return 0
	}
	log := &logger{w: stderr, quiet: cfg.quiet}
	if cfg.writeModule != "" {
		path, err := writeModule(cfg.writeModule)
		if err != nil {
			fmt.Fprintf(stderr, "load: %v\n", err)
			return 1
		}
		log.printf("wrote %s", path)
		if cfg.scenario == "" {
			return 0
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second interrupt kills the tool
	}()
	rep, err := runScenario(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 1
	}
	if cfg.jsonOut {
		err = writeJSON(stdout, rep)
	} else {
		err = writeText(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 1
	}
	return 0
}

// writeModule writes the loadecho module into dir (created if needed).
func writeModule(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, moduleFile)
	return path, os.WriteFile(path, loadechoModule, 0o644)
}
