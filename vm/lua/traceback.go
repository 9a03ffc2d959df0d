package lua

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua names a traceback's frames by their caller. The frame Go
// called (the callback: match_loop, an RPC) has no caller, so it is
// labelled "main chunk", and a module's real top-level code, which require
// (a Go function) runs, is labelled "function <m.lua:0>". Lua labels them
// the other way round; fixTraceback makes the traceback say what Lua 5.1
// says: "in function <m.lua:10>" for a function called from Go (named by
// where it is defined, as Lua does when it has no name), and "in main
// chunk" only for a module's top-level code.
const (
	mainChunk     = " in main chunk"
	tailCallFrame = "\t(tailcall): ?"
)

// fixTraceback rewrites the frame labels of err's traceback; fn is the
// function the protected call ran (nil if unknown).
func (v *vm) fixTraceback(err error, fn *lua.LFunction) {
	var ae *lua.ApiError
	if !errors.As(err, &ae) || ae.StackTrace == "" {
		return
	}
	ae.StackTrace = v.relabel(ae.StackTrace, fn)
}

// relabel returns trace with its frames labelled as Lua labels them.
func (v *vm) relabel(trace string, fn *lua.LFunction) string {
	if !strings.Contains(trace, mainChunk) && !strings.Contains(trace, ":0>") {
		return trace
	}
	lines := strings.Split(trace, "\n")
	for i, l := range lines {
		if strings.HasSuffix(l, ":0>") {
			// "in function <m.lua:0>": a chunk run by require.
			if j := strings.LastIndex(l, " in function <"); j >= 0 {
				lines[i] = l[:j] + mainChunk
			}
			continue
		}
		where, ok := strings.CutSuffix(l, mainChunk)
		if !ok {
			continue
		}
		tail := i+1 < len(lines) && lines[i+1] == tailCallFrame
		lines[i] = where + v.frameLabel(strings.TrimSpace(where), fn, tail)
	}
	return strings.Join(lines, "\n")
}

// frameLabel labels the frame at where ("m.lua:13:") that gopher-lua calls
// the main chunk: the frame of fn, the function Go called, or, when fn
// made a tail call (tail), of the function found around where's line.
func (v *vm) frameLabel(where string, fn *lua.LFunction, tail bool) string {
	var proto *lua.FunctionProto
	if fn != nil && !fn.IsG && fn.Proto != nil && !tail {
		proto = fn.Proto
	} else if path, after, ok := cutPosition(where); ok {
		num, _, _ := strings.Cut(after, ":")
		if line, err := strconv.Atoi(num); err == nil && v.prog != nil {
			if c := v.prog.byPath[path]; c != nil {
				proto = enclosing(c.proto, line)
			}
		}
	}
	switch {
	case proto == nil:
		return " in ?"
	case proto.LineDefined == 0:
		return mainChunk
	}
	return fmt.Sprintf(" in function <%s:%d>", proto.SourceName, proto.LineDefined)
}

// enclosing returns the innermost function of chunk whose lines hold line,
// chunk itself when none does.
func enclosing(chunk *lua.FunctionProto, line int) *lua.FunctionProto {
	p := chunk
	for {
		var inner *lua.FunctionProto
		for _, f := range p.FunctionPrototypes {
			if f.LineDefined <= line && line <= f.LastLineDefined {
				inner = f
				break
			}
		}
		if inner == nil {
			return p
		}
		p = inner
	}
}
