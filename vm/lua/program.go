package lua

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/arbiterhq/arbiter/runtime/module"
)

// compiled is one module, compiled once per load. Its FunctionProto is
// immutable and shared by every VM of the load; each VM makes its own
// function from it.
type compiled struct {
	name  string
	path  string
	proto *lua.FunctionProto
}

// program is a load's compiled modules.
type program struct {
	byName map[string]*compiled
	byPath map[string]*compiled
	order  []*compiled // by name: the order top-level code runs in
}

// compile compiles every file; the first that fails is a LoadError with its
// line.
func compile(files []module.File) (*program, error) {
	p := &program{byName: map[string]*compiled{}, byPath: map[string]*compiled{}}
	for _, f := range files {
		proto, err := compileFile(f)
		if err != nil {
			return nil, err
		}
		c := &compiled{name: f.Name, path: f.Path, proto: proto}
		p.byName[c.name], p.byPath[c.path] = c, c
		p.order = append(p.order, c)
	}
	sort.Slice(p.order, func(i, j int) bool { return p.order[i].name < p.order[j].name })
	return p, nil
}

func compileFile(f module.File) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bytes.NewReader(f.Data), f.Path)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) {
			line := pe.Pos.Line
			if line == parse.EOF {
				line = bytes.Count(f.Data, []byte("\n")) + 1
			}
			return nil, &module.LoadError{Path: f.Path, Line: line, Err: syntaxError(pe)}
		}
		return nil, &module.LoadError{Path: f.Path, Err: err}
	}
	proto, err := lua.Compile(chunk, f.Path)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, &module.LoadError{Path: f.Path, Line: ce.Line, Err: errors.New(ce.Message)}
		}
		return nil, &module.LoadError{Path: f.Path, Err: err}
	}
	return proto, nil
}

func syntaxError(pe *parse.Error) error {
	if pe.Pos.Line == parse.EOF {
		return fmt.Errorf("%s at end of file", pe.Message)
	}
	return fmt.Errorf("%s near '%s'", pe.Message, pe.Token)
}

// loadError turns an error of a module's top-level code into a LoadError
// naming the file and line at fault, found in the message's position prefix
// or else in the traceback; path is the module that was running.
func (p *program) loadError(err error, path string) error {
	var le *module.LoadError
	if errors.As(err, &le) {
		return err
	}
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return &module.LoadError{Path: path, Err: err}
	}
	msg := errorMessage(ae)
	if c, line, rest, ok := p.position(msg); ok {
		return &module.LoadError{Path: c.path, Line: line, Err: errors.New(rest)}
	}
	for _, l := range strings.Split(ae.StackTrace, "\n") {
		if c, line, _, ok := p.position(strings.TrimSpace(l)); ok {
			return &module.LoadError{Path: c.path, Line: line, Err: errors.New(msg)}
		}
	}
	return &module.LoadError{Path: path, Err: errors.New(msg)}
}

// position parses "<path>:<line>: rest" where path is a module's.
func (p *program) position(msg string) (c *compiled, line int, rest string, ok bool) {
	path, after, found := cutPosition(msg)
	if !found {
		return nil, 0, "", false
	}
	c = p.byPath[path]
	if c == nil {
		return nil, 0, "", false
	}
	num, rest, _ := strings.Cut(after, ":")
	line, err := strconv.Atoi(num)
	if err != nil {
		return nil, 0, "", false
	}
	return c, line, strings.TrimSpace(rest), true
}

// cutPosition splits "path:12: rest" into "path" and "12: rest".
func cutPosition(msg string) (path, after string, ok bool) {
	for i := 0; i < len(msg); i++ {
		if msg[i] != ':' {
			continue
		}
		j := i + 1
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(msg) && msg[j] == ':' {
			return msg[:i], msg[i+1:], true
		}
	}
	return "", "", false
}

// moduleOf returns the module a function was compiled from, or nil.
func (p *program) moduleOf(fn *lua.LFunction) *compiled {
	if fn == nil || fn.Proto == nil {
		return nil
	}
	return p.byPath[fn.Proto.SourceName]
}
