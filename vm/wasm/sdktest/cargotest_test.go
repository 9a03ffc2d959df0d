package sdktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCargoUnitTests runs the Rust SDK's own tests (cargo test: the codec
// and JSON unit tests, tests/calls.rs driving the exports through the fake
// host of arbiter::testing, and the doc tests) natively, so that go test
// covers them too, as astest does for the AssemblyScript SDK.
func TestCargoUnitTests(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: cargo test is slow; not in -short")
	}
	cargo, rustc, missing := rustToolchain()
	switch {
	case missing != "" && os.Getenv("CI") == "true":
		t.Fatalf("the Rust toolchain is required in CI: %s", missing)
	case missing != "":
		t.Skipf("SKIP: cannot run the Rust SDK tests: %s", missing)
	}
	cmd := exec.Command(cargo, "test", "--offline")
	cmd.Dir = sdkRust
	cmd.Env = append(os.Environ(), "RUSTC="+rustc,
		"RUSTDOC="+filepath.Join(filepath.Dir(rustc), "rustdoc"),
		"CARGO_TARGET_DIR="+filepath.Join(t.TempDir(), "target"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cargo test in %s: %v\n%s", sdkRust, err, out)
	}
	// Every suite must have run and passed: "test result: ok. N passed".
	if n := strings.Count(string(out), "test result: ok."); n < 3 {
		t.Fatalf("cargo test ran %d suites, want the library's, tests/calls.rs and the doc tests:\n%s", n, out)
	}
	if !strings.Contains(string(out), "tests/calls.rs") {
		t.Fatalf("cargo test did not run tests/calls.rs:\n%s", out)
	}
}
