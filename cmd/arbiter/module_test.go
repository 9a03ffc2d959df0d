package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/api/admin"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/storage/sqlite"
	"github.com/arbiterhq/arbiter/vm/lua"
)

// adminServer runs the admin API over a module manager with the Lua engine
// and an SQLite store, as the server wires them.
func adminServer(t *testing.T) (*httptest.Server, *module.Manager) {
	t.Helper()
	store, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "arbiter.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := module.NewManager(nil, lua.New(lua.Config{PoolMin: 1, API: nk.New(nk.Deps{Node: "test"})}))
	t.Cleanup(m.Close)
	m.SetSources(t.TempDir(), store)
	if _, err := m.Reload(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(admin.New(admin.Deps{User: "ops", Password: "s3cret", Modules: m}))
	t.Cleanup(srv.Close)
	return srv, m
}

// runModule runs `arbiter module args...` and returns its exit code and
// outputs.
func runModule(env map[string]string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"module"}, args...), &stdout, &stderr, envOf(env))
	return code, stdout.String(), stderr.String()
}

func writeModule(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const rpcModule = `local nk = require("nakama")
nk.register_rpc(function(context, payload) return "%s" end, "%s")
`

func rpcSource(id, answer string) string {
	return strings.Replace(strings.Replace(rpcModule, "%s", answer, 1), "%s", id, 1)
}

func TestModuleCommands(t *testing.T) {
	srv, m := adminServer(t)
	creds := []string{"--server", srv.URL, "--admin-user", "ops", "--admin-password", "s3cret"}
	a := writeModule(t, "alpha.lua", rpcSource("alpha", "a1"))
	b := writeModule(t, "beta.lua", rpcSource("beta", "b1"))

	// push, flags before and after the files.
	code, out, errOut := runModule(nil, append(append([]string{"push", a}, creds...), b)...)
	if code != exitOK || errOut != "" {
		t.Fatalf("push: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "pushed "+a+" as alpha.lua") || !strings.Contains(out, "as beta.lua") || !strings.Contains(out, "modules version 3") {
		t.Fatalf("push output %q", out)
	}
	if got, err := m.CallRPC(context.Background(), "beta", nil, ""); err != nil || got != "b1" {
		t.Fatalf("pushed RPC answers %q %v", got, err)
	}

	// push --as, with the credentials from the environment.
	env := map[string]string{"ARBITER_SERVER": srv.URL, "ARBITER_ADMIN_USER": "ops", "ARBITER_ADMIN_PASSWORD": "s3cret"}
	if code, out, errOut = runModule(env, "push", "--as", "games/gamma.lua", a); code != exitOK || !strings.Contains(out, "as games/gamma.lua") {
		t.Fatalf("push --as: exit %d %q %q", code, out, errOut)
	}

	// ls.
	code, out, _ = runModule(env, "ls")
	if code != exitOK || !strings.HasPrefix(out, "modules version 4\n") {
		t.Fatalf("ls: exit %d %q", code, out)
	}
	for _, want := range []string{"PATH", "alpha.lua", "beta.lua", "games/gamma.lua", "uploaded"} {
		if !strings.Contains(out, want) {
			t.Fatalf("ls output lacks %q:\n%s", want, out)
		}
	}

	// A module that does not load: exit 1, one line with file and line.
	bad := writeModule(t, "bad.lua", "local x = \nreturn {")
	code, out, errOut = runModule(env, "push", bad)
	if code != exitFailed || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "arbiter: push "+bad+": bad.lua:2: ") {
		t.Fatalf("push of a broken module: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if m.Current().Version != 4 {
		t.Fatal("a broken push switched")
	}
	// ls shows the refused load.
	if _, out, _ = runModule(env, "ls"); !strings.Contains(out, "last load failed (upload, ") {
		t.Fatalf("ls after a refused push:\n%s", out)
	}

	// rm.
	if code, out, errOut = runModule(env, "rm", "beta.lua", "games/gamma.lua"); code != exitOK || !strings.Contains(out, "removed games/gamma.lua: modules version 6") {
		t.Fatalf("rm: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut = runModule(env, "rm", "beta.lua"); code != exitFailed || !strings.Contains(errOut, "404") {
		t.Fatalf("rm of a removed module: exit %d %q", code, errOut)
	}

	// reload.
	if code, out, _ = runModule(env, "reload"); code != exitOK || out != "reloaded: modules version 7\n" {
		t.Fatalf("reload: exit %d %q", code, out)
	}
}

func TestModuleCommandErrors(t *testing.T) {
	srv, _ := adminServer(t)
	file := writeModule(t, "a.lua", "return {}")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no command", nil, nil, exitConfig, "usage: arbiter module"},
		{"unknown command", []string{"frob"}, nil, exitConfig, `arbiter: module: unknown command "frob"`},
		{"push nothing", []string{"push"}, nil, exitConfig, "name at least one file"},
		{"as with two files", []string{"push", "--as", "x.lua", file, file}, nil, exitConfig, "--as names the path of one file"},
		{"rm nothing", []string{"rm"}, nil, exitConfig, "name at least one module path"},
		{"unknown flag", []string{"ls", "--nope"}, nil, exitConfig, "flag provided but not defined: -nope"},
		{"bad server", []string{"ls", "--server", "localhost:7350"}, nil, exitConfig, "invalid --server"},
		{"missing file", []string{"push", "/nonexistent/a.lua", "--server", srv.URL}, nil, exitFailed, "push /nonexistent/a.lua: open"},
		{"no credentials", []string{"ls", "--server", srv.URL}, nil, exitFailed, "refused the admin credentials (401"},
		{"wrong password", []string{"push", file, "--server", srv.URL, "--admin-user", "ops", "--admin-password", "nope"}, nil,
			exitFailed, "refused the admin credentials (401"},
		{"wrong password from env", []string{"ls"}, map[string]string{"ARBITER_SERVER": srv.URL, "ARBITER_ADMIN_USER": "ops", "ARBITER_ADMIN_PASSWORD": "x"},
			exitFailed, "refused the admin credentials"},
		{"unreachable", []string{"ls", "--server", "http://127.0.0.1:1"}, nil, exitFailed, "cannot reach the server at http://127.0.0.1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runModule(c.env, c.args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errOut, c.code, c.want)
			}
			if c.code == exitFailed && (strings.Count(errOut, "\n") != 1 || out != "") {
				t.Fatalf("stdout %q, stderr %q: want one line on stderr", out, errOut)
			}
		})
	}
	// Flags given on the command line win over the environment.
	env := map[string]string{"ARBITER_SERVER": "http://127.0.0.1:1", "ARBITER_ADMIN_USER": "ops", "ARBITER_ADMIN_PASSWORD": "s3cret"}
	if code, _, errOut := runModule(env, "ls", "--server", srv.URL); code != exitOK {
		t.Fatalf("--server over ARBITER_SERVER: exit %d %q", code, errOut)
	}
	if code, out, _ := runModule(nil, "help"); code != exitOK || !strings.Contains(out, "ARBITER_ADMIN_PASSWORD") {
		t.Fatalf("help: %d %q", code, out)
	}
}
