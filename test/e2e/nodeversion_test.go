package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The oldest Node.js the tests run on is written in three places:
// minNode, test/e2e/package.json's engines and test/check-node.sh, which
// test/run and .ci/run call first so that an old node fails with one line.
func TestNodeMinimumAgrees(t *testing.T) {
	script, err := os.ReadFile("../check-node.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^min=(\d+)\.(\d+)\.(\d+)$`).FindStringSubmatch(string(script))
	if m == nil {
		t.Fatal("test/check-node.sh sets no min=X.Y.Z")
	}
	if got := fmt.Sprintf("%s.%s.%s", m[1], m[2], m[3]); got != fmt.Sprintf("%d.%d.%d", minNode[0], minNode[1], minNode[2]) {
		t.Errorf("test/check-node.sh min=%s, minNode %v", got, minNode)
	}
	var pkg struct {
		Engines struct{ Node string }
	}
	b, err := os.ReadFile("package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(">=%d.%d", minNode[0], minNode[1]); pkg.Engines.Node != want {
		t.Errorf("package.json engines.node = %q, want %q", pkg.Engines.Node, want)
	}
}

// fakeNode writes a node that reports version but runs the real node, so
// that test/check-node.sh's comparison runs as it would on that version.
func fakeNode(t *testing.T, real, version string) string {
	t.Helper()
	dir := t.TempDir()
	script := fmt.Sprintf(`#!/bin/sh
if [ "$1" = "--version" ]; then echo v%[2]s; exit 0; fi
if [ "$1" = "-e" ]; then
  shift; code=$1; shift
  exec %[1]q -e "Object.defineProperty(process.versions, 'node', {value: '%[2]s'}); $code" "$@"
fi
exec %[1]q "$@"
`, real, version)
	if err := os.WriteFile(filepath.Join(dir, "node"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckNode runs test/check-node.sh, and test/run, with nodes of
// several versions: an old one is refused in one line on stderr, before
// test/run does anything else.
func TestCheckNode(t *testing.T) {
	real, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIPPED: node is not installed; the fake nodes run the real one")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("SKIPPED: bash is not installed")
	}
	run := func(pathDir string, script string, env ...string) (int, string, string) {
		cmd := exec.Command(bash, script)
		cmd.Env = append(os.Environ(), "PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.Env = append(cmd.Env, env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.String(), stderr.String()
	}
	for _, c := range []struct {
		version string
		ok      bool
	}{
		{"18.19.0", false}, // Debian 12's
		{"20.13.1", false},
		{"20.14.0", true},
		{"21.0.0", true},
		{"22.12.0", true},
	} {
		t.Run(c.version, func(t *testing.T) {
			dir := fakeNode(t, real, c.version)
			code, stdout, stderr := run(dir, "../check-node.sh")
			if c.ok {
				if code != 0 || stdout != "" || stderr != "" {
					t.Fatalf("node %s refused: exit %d, stdout %q, stderr %q", c.version, code, stdout, stderr)
				}
				return
			}
			want := "node v" + c.version + " is too old: the tests need Node.js 20.14.0 or newer"
			if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, want) {
				t.Fatalf("node %s: exit %d, stderr %q; want exit 1 and one line starting %q", c.version, code, stderr, want)
			}
			// test/run stops there, before go vet.
			code, stdout, stderr = run(dir, "../run", "CI=")
			if code == 0 || !strings.Contains(stderr, want) || strings.Contains(stdout, "go vet") {
				t.Fatalf("test/run with node %s: exit %d, stdout %q, stderr %q; want it to stop at the node check", c.version, code, stdout, stderr)
			}
		})
	}
}
