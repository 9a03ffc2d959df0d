package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/arbiterhq/arbiter/runtime/module"
)

// CheckResult is what Check found in a modules folder.
type CheckResult struct {
	// Files are the module files found (paths relative to the folder).
	Files []string
	// RPCs and MatchModules are what the modules registered, when they all
	// loaded.
	RPCs         []string
	MatchModules []string
	// Errors are the files that failed, each a *module.LoadError naming the
	// file (and the line, when known). Empty when every file loaded.
	Errors []error
}

// Check loads the modules folder dir as the server would (both engines,
// every module's top-level code run) without serving anything: the engine
// runs over a throwaway embedded store in a temporary folder, and no
// network listener is opened. c gives the engines' limits; its store,
// modules folder and metrics settings are ignored. log receives the
// modules' own logs.
//
// The engines stop at the first file that fails, so Check loads again
// without each failed file until the rest loads, to report every file that
// fails by itself. A file that requires a failed module fails too; its
// error says so. The returned error is for a check that could not run (the
// folder cannot be read, the temporary store cannot be made).
func Check(ctx context.Context, c Config, dir string, log *slog.Logger) (CheckResult, error) {
	var res CheckResult
	if info, err := os.Stat(dir); err != nil {
		return res, fmt.Errorf("modules folder: %w", err)
	} else if !info.IsDir() {
		return res, fmt.Errorf("modules folder %s: not a folder", dir)
	}
	tmp, err := os.MkdirTemp("", "arbiter-check-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	c.Database, c.DataDir, c.Modules, c.Metrics = "", tmp, dir, false
	store, _, err := OpenStore(ctx, c)
	if err != nil {
		return res, err
	}
	a := &App{cfg: c, log: log, store: store, ownStore: true}
	defer a.closeStore()
	p, err := a.buildEngine(ctx)
	if err != nil {
		return res, err
	}
	defer func() {
		p.matches.Shutdown(ctx, 0) // matches top-level code may have created
		p.modules.Close()
		_ = p.wasm.Close(context.WithoutCancel(ctx))
	}()
	files, err := p.modules.ReadDir(dir)
	if err != nil {
		return res, fmt.Errorf("reading modules folder: %w", err)
	}
	for _, f := range files {
		res.Files = append(res.Files, f.Path)
	}
	var failed []string // names of the modules that failed
	for left := files; ; {
		set, err := p.modules.Load(ctx, left)
		if err == nil {
			if len(res.Errors) == 0 {
				res.RPCs, res.MatchModules = set.RPCs(), set.MatchModules()
			}
			return res, nil
		}
		var le *module.LoadError
		if !errors.As(err, &le) || !hasFile(left, le.Path) {
			res.Errors = append(res.Errors, err)
			return res, nil
		}
		res.Errors = append(res.Errors, explain(le, failed))
		left = without(left, le.Path)
		failed = append(failed, module.Name(le.Path))
	}
}

// explain rewords the error of a module that requires a module that failed.
func explain(le *module.LoadError, failed []string) error {
	msg := le.Err.Error()
	for _, name := range failed {
		if strings.Contains(msg, "module "+name+" not found") {
			return &module.LoadError{Path: le.Path, Line: le.Line,
				Err: fmt.Errorf("requires module %s, which failed to load (see its error)", name)}
		}
	}
	return le
}

func hasFile(files []module.File, path string) bool {
	for _, f := range files {
		if f.Path == path {
			return true
		}
	}
	return false
}

func without(files []module.File, path string) []module.File {
	out := make([]module.File, 0, len(files))
	for _, f := range files {
		if f.Path != path {
			out = append(out, f)
		}
	}
	return out
}
