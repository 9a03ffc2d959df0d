// Package wasmbuild gives tests the WebAssembly tic-tac-toe modules of the
// guest SDKs (tictactoe_rust.wasm, tictactoe_as.wasm, tictactoe_go.wasm):
// from the folder $ARBITER_WASM_MODULES names when it is set (test/run
// builds them there once for every package), else built by
// test/build-wasm.sh into a temporary folder, once per test binary.
//
// A missing toolchain skips the calling test with a message naming what to
// install, except when CI=true, where it is a failure. A build that fails
// for another reason is always a failure.
package wasmbuild

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
)

// EnvVar names the folder of prebuilt modules.
const EnvVar = "ARBITER_WASM_MODULES"

// Modules maps the match handler of each WebAssembly tic-tac-toe to its
// file.
var Modules = map[string]string{
	"tictactoe_rust": "tictactoe_rust.wasm",
	"tictactoe_as":   "tictactoe_as.wasm",
	"tictactoe_go":   "tictactoe_go.wasm",
}

// missingToolchain is test/build-wasm.sh's exit status for a missing
// toolchain.
const missingToolchain = 3

var build struct {
	once    sync.Once
	dir     string
	temp    bool
	missing string // why the modules are not available (a toolchain, a file)
	err     error  // a build that failed
}

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Dir returns the folder holding the three modules, building them first if
// needed. It skips or fails tb when they are not available.
func Dir(tb testing.TB) string {
	tb.Helper()
	build.once.Do(prepare)
	switch {
	case build.err != nil:
		tb.Fatalf("building the WebAssembly modules: %v", build.err)
	case build.missing != "" && os.Getenv("CI") == "true":
		tb.Fatalf("the WebAssembly modules are required in CI: %s", build.missing)
	case build.missing != "":
		tb.Skipf("SKIP: the WebAssembly modules are not available: %s (with CI=true this fails)", build.missing)
	}
	return build.dir
}

func prepare() {
	if dir := os.Getenv(EnvVar); dir != "" {
		build.dir = dir
		for _, f := range Modules {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				build.missing = EnvVar + "=" + dir + " has no " + f
				return
			}
		}
		return
	}
	dir, err := os.MkdirTemp("", "arbiter-wasm-modules")
	if err != nil {
		build.err = err
		return
	}
	build.dir, build.temp = dir, true
	cmd := exec.Command("bash", filepath.Join(Root(), "test", "build-wasm.sh"), dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == missingToolchain:
		build.missing = strings.TrimSpace(string(out))
		if i := strings.LastIndex(build.missing, "build-wasm: "); i >= 0 {
			build.missing = build.missing[i+len("build-wasm: "):]
		}
	case err != nil:
		build.err = errors.New(err.Error() + "\n" + string(out))
	}
}

// Remove deletes the modules built into a temporary folder, if any. Call it
// from TestMain after the tests ran.
func Remove() {
	if build.temp {
		os.RemoveAll(build.dir)
	}
}
