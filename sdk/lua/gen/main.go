// Command gen writes the LuaLS annotations of the Lua runtime
// (sdk/lua/nakama.lua) and the nk API reference (sdk/docs/nk-api.md) from
// the server's nk function descriptions, nk.New(nk.Deps{}).Funcs(), and the
// fixed shapes in shapes.go (context, presences, match handler, dispatcher,
// storage objects, ...).
//
//	go run ./sdk/lua/gen
//
// run anywhere inside the repository. The tests of this package fail when
// either file differs from what the generator writes
// (go test ./sdk/lua/gen -update rewrites them too), when an annotated nk
// function is not one the server registers or the reverse, and when a shape
// differs from the tables the server really builds.
package main

//go:generate go run .

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/arbiterhq/arbiter/runtime/nk"
)

// The generated files, relative to the repository root.
const (
	luaPath = "sdk/lua/nakama.lua"
	mdPath  = "sdk/docs/nk-api.md"
)

// outputs returns each generated file's path (relative to the root) and
// content.
func outputs() map[string]string {
	funcs := nk.New(nk.Deps{}).Funcs()
	return map[string]string{luaPath: luaFile(funcs), mdPath: mdFile(funcs)}
}

func main() {
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for path, content := range outputs() {
		full := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}

// repoRoot finds the repository root: the nearest directory up from the
// working directory whose go.mod is Arbiter's.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(mod, []byte("module github.com/arbiterhq/arbiter\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the Arbiter repository (no go.mod of github.com/arbiterhq/arbiter above the working directory)")
		}
		dir = parent
	}
}
