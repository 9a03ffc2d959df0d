package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/arbiterhq/arbiter/api/admin"
)

// moduleUsage describes `arbiter module`.
const moduleUsage = `usage: arbiter module <command> [flags] [arguments]

Manages the modules of a running server through its admin API.

commands:
  push FILE...    upload module files (each under its base name, or --as PATH)
  ls              list the modules of the current set
  rm PATH...      delete uploaded modules
  reload          reload the modules folder and the uploaded modules

flags (anywhere on the line):
`

// moduleOptions are the flags of `arbiter module`.
type moduleOptions struct {
	server, user, password, as string
	timeout                    time.Duration
}

// moduleCommand runs `arbiter module ...` and returns the exit code.
func moduleCommand(args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	var o moduleOptions
	fs := flag.NewFlagSet("arbiter module", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.server, "server", "http://127.0.0.1:7350", "URL of the server")
	fs.StringVar(&o.user, "admin-user", "", "admin API user")
	fs.StringVar(&o.password, "admin-password", "", "admin API password")
	fs.StringVar(&o.as, "as", "", "push: the path of the module in the set (one file only)")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "time one request may take")
	usage := func(w io.Writer) {
		fmt.Fprint(w, moduleUsage)
		fs.VisitAll(func(f *flag.Flag) {
			env := ""
			if f.Name == "server" || f.Name == "admin-user" || f.Name == "admin-password" {
				env = " [$" + envName(f.Name) + "]"
			}
			fmt.Fprintf(w, "  --%s\t%s (default %q)%s\n", f.Name, f.Usage, f.DefValue, env)
		})
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "arbiter: %s\n", oneLine(fmt.Sprintf(format, a...)))
		return code
	}
	// Flags may come before, between and after the arguments.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage(stdout)
				return exitOK
			}
			return fail(exitConfig, "module: %v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"server", "admin-user", "admin-password"} {
		if v, ok := env(envName(name)); ok && !set[name] {
			_ = fs.Set(name, v)
		}
	}
	if len(pos) == 0 {
		usage(stderr)
		return exitConfig
	}
	cmd, operands := pos[0], pos[1:]
	if cmd == "help" {
		usage(stdout)
		return exitOK
	}
	if _, err := url.ParseRequestURI(o.server); err != nil || !strings.HasPrefix(o.server, "http") {
		return fail(exitConfig, "module: invalid --server %q: want a URL such as http://127.0.0.1:7350", o.server)
	}
	c := &adminClient{base: strings.TrimRight(o.server, "/"), user: o.user, password: o.password,
		http: &http.Client{Timeout: o.timeout}}
	ctx := context.Background()
	switch cmd {
	case "push":
		if len(operands) == 0 {
			return fail(exitConfig, "module push: name at least one file")
		}
		if o.as != "" && len(operands) > 1 {
			return fail(exitConfig, "module push: --as names the path of one file, not %d", len(operands))
		}
		for _, file := range operands {
			data, err := os.ReadFile(file)
			if err != nil {
				return fail(exitFailed, "push %s: %v", file, err)
			}
			p := o.as
			if p == "" {
				p = filepath.Base(file)
			}
			var res admin.Result
			if err := c.do(ctx, http.MethodPut, modulePath(p), data, &res); err != nil {
				return fail(exitFailed, "push %s: %v", file, err)
			}
			fmt.Fprintf(stdout, "pushed %s as %s (%d bytes): modules version %d\n", file, p, res.Size, res.Version)
		}
	case "ls", "list":
		if len(operands) > 0 {
			return fail(exitConfig, "module ls: unexpected argument %q", operands[0])
		}
		var l admin.Listing
		if err := c.do(ctx, http.MethodGet, "/admin/modules", nil, &l); err != nil {
			return fail(exitFailed, "ls: %v", err)
		}
		printListing(stdout, l)
	case "rm", "delete":
		if len(operands) == 0 {
			return fail(exitConfig, "module rm: name at least one module path")
		}
		for _, p := range operands {
			var res admin.Result
			if err := c.do(ctx, http.MethodDelete, modulePath(p), nil, &res); err != nil {
				return fail(exitFailed, "rm %s: %v", p, err)
			}
			fmt.Fprintf(stdout, "removed %s: modules version %d\n", p, res.Version)
		}
	case "reload":
		if len(operands) > 0 {
			return fail(exitConfig, "module reload: unexpected argument %q", operands[0])
		}
		var res admin.Result
		if err := c.do(ctx, http.MethodPost, "/admin/modules/reload", nil, &res); err != nil {
			return fail(exitFailed, "reload: %v", err)
		}
		fmt.Fprintf(stdout, "reloaded: modules version %d\n", res.Version)
	default:
		return fail(exitConfig, "module: unknown command %q (want push, ls, rm or reload)", cmd)
	}
	return exitOK
}

// modulePath is the admin API path of a module, each element escaped.
func modulePath(p string) string {
	els := strings.Split(strings.TrimLeft(filepath.ToSlash(p), "/"), "/")
	for i, el := range els {
		els[i] = url.PathEscape(el)
	}
	return "/admin/modules/" + strings.Join(els, "/")
}

func printListing(w io.Writer, l admin.Listing) {
	fmt.Fprintf(w, "modules version %d\n", l.Version)
	if len(l.Modules) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PATH\tSOURCE\tSIZE\tUPDATED\tSHA-256")
		for _, m := range l.Modules {
			updated := "-"
			if !m.Updated.IsZero() {
				updated = m.Updated.UTC().Format(time.RFC3339)
			}
			hash := m.Hash
			if len(hash) > 12 {
				hash = hash[:12]
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", m.Path, m.Source, m.Size, updated, hash)
		}
		_ = tw.Flush()
	}
	if lr := l.LastReload; lr != nil && !lr.OK {
		fmt.Fprintf(w, "last load failed (%s, %s): %s\n", lr.Trigger, lr.Time.UTC().Format(time.RFC3339), lr.Error)
	}
}

// adminClient calls the admin API.
type adminClient struct {
	base, user, password string
	http                 *http.Client
}

// do sends a request and decodes the JSON answer into out; a failed request
// is an error with the server's message.
func (c *adminClient) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	if c.user != "" || c.password != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	res, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("cannot reach the server at %s: %v", c.base, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("reading the answer: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		var eb admin.ErrorBody
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		switch res.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("the server refused the admin credentials (401 %s): set --admin-user and --admin-password, or ARBITER_ADMIN_USER and ARBITER_ADMIN_PASSWORD", msg)
		case http.StatusNotFound:
			return fmt.Errorf("404: %s", msg)
		case http.StatusBadRequest:
			return errors.New(msg) // a module that does not load: file:line: message
		}
		return fmt.Errorf("%s (%d)", msg, res.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the answer is not the admin API's (is %s an Arbiter server?): %v", c.base, err)
	}
	return nil
}
