package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// checkCommand runs `arbiter check [flags] [DIR]`: it loads the modules
// folder DIR (default --modules) with both engines, on a throwaway store and
// without serving, and reports each module that fails with its file and
// line. Exit code 0 when every module loads, 1 when one does not, 2 for a
// wrong command line.
func checkCommand(args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	cfg := app.Default()
	opts := newOptions("arbiter check", &cfg)
	opts.maxArgs = 1
	if err := opts.load(args, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: arbiter check [flags] [DIR]\n\nLoads the modules folder DIR (default: --modules) as the server would, without\nserving, and reports every module that fails to load with its file and line.\nThe engines' limits (--lua-*, --wasm-*) apply; the store is a throwaway one.")
			opts.usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "arbiter: %s\n", oneLine(err.Error()))
		return exitConfig
	}
	dir := cfg.Modules
	if len(opts.args) > 0 {
		dir = opts.args[0]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The engine's log would repeat each failure the result reports; the
	// check's output is the result alone.
	log := slog.New(slog.DiscardHandler)
	res, err := app.Check(ctx, cfg, dir, log)
	if err != nil {
		fmt.Fprintf(stderr, "arbiter: check: %s\n", oneLine(err.Error()))
		return exitFailed
	}
	if len(res.Errors) > 0 {
		for _, e := range res.Errors {
			fmt.Fprintln(stderr, oneLine(e.Error()))
		}
		fmt.Fprintf(stderr, "check failed: %d of %d files did not load\n", len(res.Errors), len(res.Files))
		return exitFailed
	}
	fmt.Fprintf(stdout, "ok: %d files, RPCs: %s, match handlers: %s\n", len(res.Files), list(res.RPCs), list(res.MatchModules))
	return exitOK
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
