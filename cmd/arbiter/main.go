// Command arbiter runs the Arbiter game server.
//
//	arbiter [serve] [flags]          run the server (the default)
//	arbiter migrate [flags]          apply the store's schema migrations and exit
//	arbiter check [flags] [DIR]      load a modules folder (default --modules) without
//	                                 serving, and report every module that fails
//	arbiter module push FILE...      upload modules to a running server
//	arbiter module ls                list a running server's modules
//	arbiter module rm PATH...        delete uploaded modules
//	arbiter module reload            reload a running server's modules
//	arbiter help                     list the flags
//
// Every flag of serve and migrate has an ARBITER_* environment twin and a
// key in the YAML file named by --config; see `arbiter help`. The module
// commands talk to the admin API (--server, --admin-user, --admin-password,
// with the environment twins ARBITER_SERVER, ARBITER_ADMIN_USER and
// ARBITER_ADMIN_PASSWORD); see `arbiter module help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}

func run(args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "migrate":
	case "module":
		return moduleCommand(args, stdout, stderr, env)
	case "check":
		return checkCommand(args, stdout, stderr, env)
	case "help":
		cfg := app.Default()
		fmt.Fprintln(stdout, "usage: arbiter [serve|migrate] [flags]\n       arbiter check [flags] [DIR]\n       arbiter module push|ls|rm|reload ... (see arbiter module help)")
		newOptions("arbiter", &cfg).usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "arbiter: unknown command %q (want serve, migrate, check, module or help)\n", cmd)
		return exitConfig
	}
	cfg := app.Default()
	opts := newOptions("arbiter "+cmd, &cfg)
	if err := opts.load(args, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			opts.usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "arbiter: %s\n", oneLine(err.Error()))
		return exitConfig
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "arbiter: %s\n", oneLine(err.Error()))
		return exitConfig
	}
	log := app.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if cmd == "migrate" {
		err = migrate(ctx, cfg)
		if err == nil {
			log.Info("migrations applied")
		}
	} else {
		err = app.Run(ctx, cfg, log)
	}
	if err != nil {
		log.Error("arbiter failed", "error", err)
		return exitFailed
	}
	return exitOK
}

// oneLine joins the lines of a message (the YAML parser writes one line per
// problem), so that a configuration error is always one line on stderr.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " ")
}

func migrate(ctx context.Context, cfg app.Config) error {
	store, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	return store.Migrate(ctx)
}
