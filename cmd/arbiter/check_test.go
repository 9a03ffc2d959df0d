package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	broken := t.TempDir()
	for name, text := range map[string]string{
		"ok.lua":     "return {}\n",
		"syntax.lua": "local x = 1\nlocal y = = 2\n",
		"boom.lua":   "error('boom at load')\n",
		"bad.wasm":   "not wasm",
	} {
		if err := os.WriteFile(filepath.Join(broken, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The sample Lua modules, copied: modules/ may also hold the
	// WebAssembly modules test/build-wasm.sh builds there (ignored by git),
	// which would add files, RPCs and match handlers.
	samples := t.TempDir()
	luaFiles, err := filepath.Glob(filepath.Join("..", "..", "modules", "*.lua"))
	if err != nil || len(luaFiles) == 0 {
		t.Fatalf("no sample modules in modules/ (%v)", err)
	}
	for _, f := range luaFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(samples, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
	}{
		{"sample modules", []string{"check", samples}, nil, exitOK,
			[]string{"ok: 3 files, RPCs: echo, find_match, match handlers: pingpong, tictactoe\n"}, nil},
		{"folder from --modules", []string{"check", "--modules", samples}, nil, exitOK, []string{"ok: 3 files"}, nil},
		{"folder from the environment", []string{"check"}, map[string]string{"ARBITER_MODULES": samples}, exitOK, []string{"ok: 3 files"}, nil},
		{"flags after the folder", []string{"check", samples, "--lua-pool-max", "2"}, nil, exitOK, []string{"ok: 3 files"}, nil},
		{"broken modules", []string{"check", broken}, nil, exitFailed, nil, []string{
			"syntax.lua:2: syntax error near '='\n",
			"boom.lua:1: boom at load\n",
			"bad.wasm: invalid magic number\n",
			"check failed: 3 of 4 files did not load\n",
		}},
		{"missing folder", []string{"check", filepath.Join(broken, "none")}, nil, exitFailed, nil, []string{"arbiter: check: modules folder: "}},
		{"two folders", []string{"check", samples, broken}, nil, exitConfig, nil, []string{`arbiter: unexpected argument "` + broken + `"`}},
		{"bad flag", []string{"check", "--nope"}, nil, exitConfig, nil, []string{"flag provided but not defined: -nope"}},
		{"help", []string{"check", "-h"}, nil, exitOK, []string{"usage: arbiter check [flags] [DIR]", "--lua-rpc-budget"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr, envOf(c.env))
			if code != c.code {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout.String(), stderr.String())
			}
			for _, want := range c.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if c.stdout == nil && stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if c.stderr == nil && stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
		})
	}
}
