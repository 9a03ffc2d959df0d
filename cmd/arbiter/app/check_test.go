package app

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/module"
)

// writeModules writes files (name → content) into a new folder.
func writeModules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sampleModules copies the repository's sample Lua modules (modules/*.lua)
// into a new folder. modules/ may also hold the WebAssembly modules
// test/build-wasm.sh builds there (modules/.gitignore ignores them), whose
// files, RPCs and match handlers the checks below do not expect.
func sampleModules(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "modules", "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample modules in modules/ (%v)", err)
	}
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckSampleModules(t *testing.T) {
	res, err := Check(t.Context(), Default(), sampleModules(t), discard())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if !slices.Equal(res.RPCs, []string{"echo", "find_match"}) || !slices.Equal(res.MatchModules, []string{"pingpong", "tictactoe"}) ||
		len(res.Files) != 3 {
		t.Fatalf("result = %+v", res)
	}
}

// emptyWASM is a valid WebAssembly module with nothing in it: not an
// Arbiter module.
const emptyWASM = "\x00asm\x01\x00\x00\x00"

func TestCheckBrokenModules(t *testing.T) {
	dir := writeModules(t, map[string]string{
		"good.lua":          "local nk = require('nakama')\nnk.register_rpc(function() return 'ok' end, 'fine')\n",
		"syntax.lua":        "local x = 1\nlocal y = = 2\n",
		"boom.lua":          "local nk = require('nakama')\n\nlocal function f()\n  error('boom at load')\nend\nf()\n",
		"needs_boom.lua":    "local b = require('boom')\nreturn {}\n",
		"games/bad.wasm":    "not a wasm file",
		"games/notabi.wasm": emptyWASM,
	})
	res, err := Check(t.Context(), Default(), dir, discard())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*module.LoadError{}
	for _, e := range res.Errors {
		var le *module.LoadError
		if !errors.As(e, &le) {
			t.Fatalf("error %v is not a LoadError", e)
		}
		got[le.Path] = le
	}
	want := []struct {
		path string
		line int
		msg  string
	}{
		{"syntax.lua", 2, "near '='"},
		{"boom.lua", 4, "boom at load"},
		{"needs_boom.lua", 1, "requires module boom, which failed to load"},
		{"games/bad.wasm", 0, "invalid magic number"},
		{"games/notabi.wasm", 0, "not an Arbiter module"},
	}
	for _, w := range want {
		le := got[w.path]
		if le == nil {
			t.Errorf("no error for %s; errors: %v", w.path, res.Errors)
			continue
		}
		if le.Line != w.line || !strings.Contains(le.Err.Error(), w.msg) {
			t.Errorf("%s: line %d, %q; want line %d, %q", w.path, le.Line, le.Err, w.line, w.msg)
		}
	}
	if len(res.Errors) != len(want) || len(res.Files) != 6 {
		t.Errorf("%d errors in %d files: %v", len(res.Errors), len(res.Files), res.Errors)
	}
	if res.RPCs != nil {
		t.Errorf("RPCs %v reported for a folder that failed", res.RPCs)
	}
}

func TestCheckMissingFolder(t *testing.T) {
	if _, err := Check(t.Context(), Default(), filepath.Join(t.TempDir(), "none"), discard()); err == nil {
		t.Fatal("no error for a missing folder")
	}
	file := filepath.Join(t.TempDir(), "f.lua")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(t.Context(), Default(), file, discard()); err == nil {
		t.Fatal("no error for a file")
	}
}
