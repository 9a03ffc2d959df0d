package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/nk"
)

var update = flag.Bool("update", false, "rewrite sdk/lua/nakama.lua and sdk/docs/nk-api.md")

func serverFuncs() []*nk.Func { return nk.New(nk.Deps{}).Funcs() }

// readOutput returns the committed content of a generated file.
func readOutput(t *testing.T, path string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGenerated fails when a generated file differs from what the
// generator writes; -update rewrites it.
func TestGenerated(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range outputs() {
		full := filepath.Join(root, filepath.FromSlash(path))
		got, err := os.ReadFile(full)
		if err == nil && string(got) == want {
			continue
		}
		if !*update {
			t.Errorf("%s is stale (or missing): run go run ./sdk/lua/gen (or go test ./sdk/lua/gen -update)", path)
			continue
		}
		if err := os.WriteFile(full, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", path)
	}
}

var (
	nkFuncLine = regexp.MustCompile(`^function nk\.([A-Za-z0-9_]+)\((.*)\) end$`)
	paramLine  = regexp.MustCompile(`^---@param ([A-Za-z0-9_]+)(\??) `)
)

// annotatedFunc is an nk function as nakama.lua declares it.
type annotatedFunc struct {
	args     []string
	params   []string // name, with "?" when optional, of each @param
	nreturns int
}

// annotatedFuncs parses nakama.lua for its "function nk.<name>(" lines and
// the annotations right above them.
func annotatedFuncs(t *testing.T, src string) map[string]annotatedFunc {
	t.Helper()
	out := map[string]annotatedFunc{}
	var block []string
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "---") {
			block = append(block, line)
			continue
		}
		if m := nkFuncLine.FindStringSubmatch(line); m != nil {
			if _, dup := out[m[1]]; dup {
				t.Errorf("nk.%s is annotated twice", m[1])
			}
			f := annotatedFunc{}
			if m[2] != "" {
				f.args = strings.Split(m[2], ", ")
			}
			for _, b := range block {
				if p := paramLine.FindStringSubmatch(b); p != nil {
					f.params = append(f.params, p[1]+p[2])
				}
				if strings.HasPrefix(b, "---@return ") {
					f.nreturns++
				}
			}
			out[m[1]] = f
		} else if strings.HasPrefix(line, "function nk.") {
			t.Errorf("unexpected nk function line %q", line)
		}
		block = nil
	}
	return out
}

// TestAnnotatedFunctions checks that nakama.lua annotates exactly the nk
// functions the server registers, each with its parameters (in order,
// optional ones marked) and results.
func TestAnnotatedFunctions(t *testing.T) {
	annotated := annotatedFuncs(t, readOutput(t, luaPath))
	funcs := serverFuncs()
	registered := map[string]bool{}
	for _, f := range funcs {
		registered[f.Name] = true
		a, ok := annotated[f.Name]
		if !ok {
			t.Errorf("nk.%s is registered by the server but not annotated in %s", f.Name, luaPath)
			continue
		}
		var args, params []string
		for _, p := range f.Params {
			args = append(args, p.Name)
			if p.Optional {
				params = append(params, p.Name+"?")
			} else {
				params = append(params, p.Name)
			}
		}
		if !slices.Equal(a.args, args) {
			t.Errorf("nk.%s: annotated arguments %v, server's %v", f.Name, a.args, args)
		}
		if !slices.Equal(a.params, params) {
			t.Errorf("nk.%s: @param %v, server's %v", f.Name, a.params, params)
		}
		if a.nreturns != len(f.Results) {
			t.Errorf("nk.%s: %d @return, server's %d results", f.Name, a.nreturns, len(f.Results))
		}
	}
	for name := range annotated {
		if !registered[name] {
			t.Errorf("nk.%s is annotated in %s but the server does not register it", name, luaPath)
		}
	}
	if len(annotated) == 0 {
		t.Fatal("no nk function found in " + luaPath)
	}
}

// TestReferenceFunctions checks that nk-api.md has one section per nk
// function the server registers, and none for any other.
func TestReferenceFunctions(t *testing.T) {
	doc := readOutput(t, mdPath)
	heading := regexp.MustCompile(`(?m)^### nk\.([A-Za-z0-9_]+)$`)
	var got, want []string
	for _, m := range heading.FindAllStringSubmatch(doc, -1) {
		got = append(got, m[1])
	}
	for _, f := range serverFuncs() {
		want = append(want, f.Name)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s documents %v\nthe server registers %v", mdPath, got, want)
	}
}

// TestLuaCompiles checks that nakama.lua is valid Lua (a meta file is) and
// that running it returns a table of exactly the server's nk functions.
func TestLuaCompiles(t *testing.T) {
	src := readOutput(t, luaPath)
	if _, err := parse.Parse(strings.NewReader(src), luaPath); err != nil {
		t.Fatalf("%s does not parse as Lua: %v", luaPath, err)
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	fn, err := L.LoadString(src)
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatalf("running %s: %v", luaPath, err)
	}
	mod, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("%s returns %s, want the nk table", luaPath, L.Get(-1).Type())
	}
	var got, want []string
	mod.ForEach(func(k, v lua.LValue) {
		if v.Type() != lua.LTFunction {
			t.Errorf("nk.%s is a %s", k, v.Type())
		}
		got = append(got, k.String())
	})
	for _, f := range serverFuncs() {
		want = append(want, f.Name)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s returns %v, want %v", luaPath, got, want)
	}
}

// TestTypeOverrides checks that every precise type given to a parameter or
// result names one that exists and fits its nk type.
func TestTypeOverrides(t *testing.T) {
	funcs := serverFuncs()
	byName := map[string]*nk.Func{}
	for _, f := range funcs {
		byName[f.Name] = f
	}
	check := func(kind, key, typ string, lookup func(f *nk.Func, name string) (nk.Type, bool)) {
		fn, name, _ := strings.Cut(key, ".")
		found := false
		for _, f := range funcs {
			if fn != "*" && f.Name != fn {
				continue
			}
			nt, ok := lookup(f, name)
			if !ok {
				continue
			}
			found = true
			if !fits(nt, typ) {
				t.Errorf("%s %s: %s does not fit the nk type %s", kind, key, typ, nt)
			}
		}
		if !found {
			t.Errorf("%s %s names no %s of an nk function", kind, key, kind)
		}
	}
	for key, typ := range paramTypes {
		check("parameter", key, typ, func(f *nk.Func, name string) (nk.Type, bool) {
			for _, p := range f.Params {
				if p.Name == name {
					return p.Type, true
				}
			}
			return 0, false
		})
	}
	for key, typ := range resultTypes {
		check("result", key, typ, func(f *nk.Func, name string) (nk.Type, bool) {
			for _, r := range f.Results {
				if r.Name == name {
					return r.Type, true
				}
			}
			return 0, false
		})
	}
}

// fits reports whether a LuaLS type is a more precise form of an nk type.
func fits(nt nk.Type, typ string) bool {
	tables := map[string]bool{}
	for _, c := range classes() {
		tables[c.Name] = true
	}
	funcs := map[string]bool{}
	for _, a := range aliases() {
		if strings.HasPrefix(a.Type, "fun(") {
			funcs[a.Name] = true
		}
	}
	isList := strings.HasSuffix(typ, "[]")
	isMap := strings.HasPrefix(typ, "table<string, ")
	switch nt {
	case nk.TypeFunction:
		return funcs[typ] || strings.HasPrefix(typ, "fun(")
	case nk.TypeList:
		return isList
	case nk.TypeMap:
		return isMap || tables[typ]
	case nk.TypeTable:
		return isList || isMap || tables[typ]
	}
	return false
}

// TestLuaTypes checks that every nk type has a LuaLS type.
func TestLuaTypes(t *testing.T) {
	for ty := nk.TypeAny; ty <= nk.TypeFunction; ty++ {
		if luaTypes[ty] == "" {
			t.Errorf("nk type %d (%s) has no LuaLS type", ty, ty)
		}
	}
}

// TestCodeNames checks that the reference names every status code a
// module may raise.
func TestCodeNames(t *testing.T) {
	for i, c := range codeNames {
		if c.Code != runtime.Code(i+1) {
			t.Fatalf("codeNames[%d] is code %d, want %d", i, c.Code, i+1)
		}
	}
	if codeNames[len(codeNames)-1].Code != runtime.Unauthenticated {
		t.Errorf("codeNames stops before UNAUTHENTICATED")
	}
}

// TestGroups checks that every function is in a section of the reference
// and that no section's prefix is dead.
func TestGroups(t *testing.T) {
	funcs := serverFuncs()
	n := 0
	for _, g := range groups(funcs) {
		n += len(g.Funcs)
		if g.Title == "Other functions" {
			t.Logf("functions in no section (add a prefix to groupDefs): %v", g.Funcs)
		}
	}
	if n != len(funcs) {
		t.Errorf("the sections hold %d functions, the server has %d", n, len(funcs))
	}
	for _, g := range groupDefs() {
		for _, p := range g.Prefixes {
			used := false
			for _, f := range funcs {
				used = used || strings.HasPrefix(f.Name, p)
			}
			if !used {
				t.Errorf("section %s: prefix %q matches no function", g.Title, p)
			}
		}
	}
}
