package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// runMainEnv makes the test binary run main instead of the tests: the
// process tests start it as the server.
const runMainEnv = "ARBITER_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// lines collects a process's output and lets a test wait for a line.
type lines struct {
	mu   sync.Mutex
	text strings.Builder
	news chan struct{}
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// waitFor returns the first submatch of re in the output, failing when the
// process ends (done closed) or time runs out first.
func (l *lines) waitFor(t *testing.T, re *regexp.Regexp, done <-chan struct{}) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case <-l.news:
		case <-done:
			if m := re.FindStringSubmatch(l.String()); m != nil {
				return m[len(m)-1]
			}
			t.Fatalf("the server exited before logging %s; its log:\n%s", re, l.String())
		case <-timeout:
			t.Fatalf("timed out waiting for %s; the log:\n%s", re, l.String())
		}
	}
}

// serverProc is the arbiter binary (this test binary running main) started on
// a free port with a data dir of its own.
type serverProc struct {
	cmd  *exec.Cmd
	out  *lines
	done chan struct{}
	err  error // Wait's error, once done is closed
}

func startProcess(t *testing.T, env map[string]string, args ...string) *serverProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1",
		"ARBITER_ADDRESS=127.0.0.1", "ARBITER_PORT=0", "ARBITER_DATA_DIR="+t.TempDir(), "ARBITER_MODULES="+t.TempDir())
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, out: &lines{news: make(chan struct{}, 1)}, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.out.mu.Lock()
			p.out.text.WriteString(sc.Text() + "\n")
			p.out.mu.Unlock()
			select {
			case p.out.news <- struct{}{}:
			default:
			}
		}
	}()
	go func() {
		<-copied // Wait closes the pipe: read it all first
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exitCode waits for the process to exit within d and returns its code.
func (p *serverProc) exitCode(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("the server did not exit within %v; its log:\n%s", d, p.out.String())
	}
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &ee) && ee.Exited():
		return ee.ExitCode()
	}
	t.Fatalf("the server ended with %v; its log:\n%s", p.err, p.out.String())
	return -1
}

// TestProcessStopsOnSIGTERM starts the server, checks that it serves, sends
// SIGTERM and expects a prompt exit with code 0 and the shutdown logged.
func TestProcessStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	p := startProcess(t, map[string]string{"ARBITER_SHUTDOWN_GRACE": "5s"}, "serve")
	addr := p.out.waitFor(t, regexp.MustCompile(`msg="arbiter listening" address=(\S+)`), p.done)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthcheck", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("healthcheck on %s: %v", addr, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthcheck status %d", res.StatusCode)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code := p.exitCode(t, 15*time.Second); code != exitOK {
		t.Fatalf("exit code %d after SIGTERM, want 0; log:\n%s", code, p.out.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to exit after SIGTERM", d)
	}
	log := p.out.String()
	for _, want := range []string{`msg="arbiter shutting down"`, `msg="arbiter stopped"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(log, "arbiter failed") {
		t.Errorf("log reports a failure:\n%s", log)
	}
}

// TestProcessFailsOnLuaSyntaxError starts the server on a modules folder
// whose Lua file does not parse: it must exit with code 1 and name the
// file and line.
func TestProcessFailsOnLuaSyntaxError(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	modules := t.TempDir()
	if err := os.WriteFile(filepath.Join(modules, "ok.lua"), []byte("return {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(modules, "broken.lua"), []byte("local x = 1\n\nlocal y = = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startProcess(t, map[string]string{"ARBITER_MODULES": modules})
	if code := p.exitCode(t, 60*time.Second); code != exitFailed {
		t.Fatalf("exit code %d, want %d; log:\n%s", code, exitFailed, p.out.String())
	}
	log := p.out.String()
	for _, want := range []string{"arbiter failed", "broken.lua:3:", "syntax error"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "arbiter listening") {
		t.Errorf("the server listened despite the broken module:\n%s", log)
	}
}
