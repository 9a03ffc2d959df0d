package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// A check of the annotation syntax of nakama.lua, since lua-language-server
// itself is not available to the tests: every "---@" line is parsed with
// the LuaCATS grammar of the annotations the generator writes (meta, class,
// field, param, return, alias and "---|" alias values), every type with the
// grammar of LuaLS type expressions (names, string literals, unions, "?",
// arrays, table<K, V>, { k: T } tables, fun(...): ... and parentheses), and
// every type name must be a built-in type or a class or alias of the file.

var builtinTypes = map[string]bool{
	"nil": true, "any": true, "boolean": true, "string": true, "number": true, "integer": true,
	"function": true, "table": true, "thread": true, "userdata": true, "lightuserdata": true,
}

type token struct {
	kind string // "name", "string" or the symbol itself
	text string
}

var tokenRE = regexp.MustCompile(`^(?:([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*")|([|?,:()<>{}\[\]]))`)

// tokenize splits s into tokens up to the end or a " # " comment, and
// returns the comment (without "#").
func tokenize(s string) (toks []token, comment string, hasComment bool, err error) {
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return toks, "", false, nil
		}
		if s[0] == '#' {
			return toks, strings.TrimSpace(s[1:]), true, nil
		}
		m := tokenRE.FindStringSubmatch(s)
		if m == nil {
			return nil, "", false, fmt.Errorf("unexpected %q", s)
		}
		switch {
		case m[1] != "":
			toks = append(toks, token{"name", m[1]})
		case m[2] != "":
			toks = append(toks, token{"string", m[2]})
		default:
			toks = append(toks, token{m[3], m[3]})
		}
		s = s[len(m[0]):]
	}
}

// typeParser parses LuaLS type expressions from tokens.
type typeParser struct {
	toks  []token
	i     int
	names []string // the type names used
}

func (p *typeParser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{}
}

func (p *typeParser) next() token { t := p.peek(); p.i++; return t }

func (p *typeParser) expect(kind string) error {
	if t := p.next(); t.kind != kind {
		return fmt.Errorf("want %q, got %q", kind, t.text)
	}
	return nil
}

// typ parses unit ('|' unit)* '?'?.
func (p *typeParser) typ() error {
	for {
		if err := p.unit(); err != nil {
			return err
		}
		if p.peek().kind != "|" {
			break
		}
		p.next()
	}
	if p.peek().kind == "?" {
		p.next()
	}
	return nil
}

func (p *typeParser) unit() error {
	t := p.next()
	switch {
	case t.kind == "name" && t.text == "fun" && p.peek().kind == "(":
		if err := p.funType(); err != nil {
			return err
		}
	case t.kind == "name" && t.text == "table" && p.peek().kind == "<":
		p.next()
		if err := p.typ(); err != nil {
			return err
		}
		if err := p.expect(","); err != nil {
			return err
		}
		if err := p.typ(); err != nil {
			return err
		}
		if err := p.expect(">"); err != nil {
			return err
		}
	case t.kind == "{":
		if err := p.tableType(); err != nil {
			return err
		}
	case t.kind == "(":
		if err := p.typ(); err != nil {
			return err
		}
		if err := p.expect(")"); err != nil {
			return err
		}
	case t.kind == "string":
	case t.kind == "name":
		p.names = append(p.names, t.text)
	default:
		return fmt.Errorf("want a type, got %q", t.text)
	}
	for p.peek().kind == "[" {
		p.next()
		if err := p.expect("]"); err != nil {
			return err
		}
	}
	return nil
}

// funType parses "(a: T, b?: U): R, S" after "fun".
func (p *typeParser) funType() error {
	p.next() // (
	if p.peek().kind != ")" {
		for {
			if err := p.expect("name"); err != nil {
				return err
			}
			if p.peek().kind == "?" {
				p.next()
			}
			if err := p.expect(":"); err != nil {
				return err
			}
			if err := p.typ(); err != nil {
				return err
			}
			if p.peek().kind != "," {
				break
			}
			p.next()
		}
	}
	if err := p.expect(")"); err != nil {
		return err
	}
	if p.peek().kind != ":" {
		return nil
	}
	p.next()
	for {
		if err := p.typ(); err != nil {
			return err
		}
		if p.peek().kind != "," {
			return nil
		}
		p.next()
	}
}

// tableType parses "k: T, l?: U }" after "{".
func (p *typeParser) tableType() error {
	for p.peek().kind != "}" {
		if err := p.expect("name"); err != nil {
			return err
		}
		if p.peek().kind == "?" {
			p.next()
		}
		if err := p.expect(":"); err != nil {
			return err
		}
		if err := p.typ(); err != nil {
			return err
		}
		if p.peek().kind == "," {
			p.next()
		}
	}
	return p.expect("}")
}

// annotation is one parsed "---@" line.
type annotation struct {
	line  int
	tag   string
	name  string   // class, alias, field or param name
	types []string // type names used
	bare  bool     // an alias whose values follow on "---|" lines
}

// parseAnnotation parses the text after "---@".
func parseAnnotation(text string) (annotation, error) {
	tag, rest, _ := strings.Cut(text, " ")
	a := annotation{tag: tag}
	toks, comment, hasComment, err := tokenize(rest)
	if err != nil {
		return a, err
	}
	if hasComment && comment == "" {
		return a, fmt.Errorf("empty comment")
	}
	if comment != "" && strings.ContainsAny(comment[:1], `"'[`) {
		// LuaLS reads such a description as a Lua string literal.
		return a, fmt.Errorf("description starts with %q", comment[:1])
	}
	p := &typeParser{toks: toks}
	optionalName := func() error {
		n := p.next()
		if n.kind != "name" {
			return fmt.Errorf("want a name, got %q", n.text)
		}
		a.name = n.text
		if p.peek().kind == "?" {
			p.next()
		}
		return nil
	}
	switch tag {
	case "meta":
		if len(toks) > 1 || (len(toks) == 1 && toks[0].kind != "name") {
			return a, fmt.Errorf("bad meta name")
		}
		p.i = len(toks)
	case "class":
		if err := optionalName(); err != nil {
			return a, err
		}
		if p.peek().kind == ":" {
			p.next()
			for {
				if err := p.expect("name"); err != nil {
					return a, err
				}
				p.names = append(p.names, p.toks[p.i-1].text)
				if p.peek().kind != "," {
					break
				}
				p.next()
			}
		}
	case "field", "param":
		if err := optionalName(); err != nil {
			return a, err
		}
		if err := p.typ(); err != nil {
			return a, err
		}
	case "return":
		if err := p.typ(); err != nil {
			return a, err
		}
		if err := p.expect("name"); err != nil {
			return a, fmt.Errorf("return without a name: %v", err)
		}
	case "alias":
		if err := optionalName(); err != nil {
			return a, err
		}
		a.bare = p.i == len(toks)
		if !a.bare {
			if err := p.typ(); err != nil {
				return a, err
			}
		}
	default:
		return a, fmt.Errorf("unknown annotation @%s", tag)
	}
	if p.i != len(toks) {
		return a, fmt.Errorf("unexpected %q after the annotation (a description needs \" # \")", toks[p.i].text)
	}
	a.types = p.names
	return a, nil
}

// TestAnnotationSyntax parses every annotation of nakama.lua.
func TestAnnotationSyntax(t *testing.T) {
	src := readOutput(t, luaPath)
	lines := strings.Split(src, "\n")
	if lines[0] != "---@meta nakama" {
		t.Errorf("first line %q, want ---@meta nakama", lines[0])
	}
	defined := map[string]int{}
	var all []annotation
	var fields map[string]bool
	inAlias := false // the previous line opened an alias with values, or was one
	for i, line := range lines {
		n := i + 1
		switch {
		case strings.HasPrefix(line, "---|"):
			if !inAlias {
				t.Errorf("line %d: alias value outside an alias", n)
			}
			toks, comment, _, err := tokenize(line[len("---|"):])
			if err != nil || len(toks) != 1 || toks[0].kind != "string" {
				t.Errorf("line %d: bad alias value %q", n, line)
			}
			if comment != "" && strings.ContainsAny(comment[:1], `"'[`) {
				t.Errorf("line %d: description starts with %q", n, comment[:1])
			}
			continue
		case strings.HasPrefix(line, "---@"):
			a, err := parseAnnotation(line[len("---@"):])
			if err != nil {
				t.Errorf("line %d: %q: %v", n, line, err)
				continue
			}
			a.line = n
			all = append(all, a)
			inAlias = a.bare
			switch a.tag {
			case "class", "alias":
				if prev, dup := defined[a.name]; dup {
					t.Errorf("line %d: %s already defined on line %d", n, a.name, prev)
				}
				defined[a.name] = n
				fields = map[string]bool{}
			case "field":
				if fields == nil {
					t.Errorf("line %d: field outside a class", n)
				} else if fields[a.name] {
					t.Errorf("line %d: field %s twice", n, a.name)
				}
				if fields != nil {
					fields[a.name] = true
				}
			}
			continue
		}
		inAlias = false
		if !strings.HasPrefix(line, "---") {
			fields = nil
		}
	}
	for _, a := range all {
		for _, name := range a.types {
			if !builtinTypes[name] && defined[name] == 0 {
				t.Errorf("line %d: unknown type %s", a.line, name)
			}
		}
	}
	checkAnnotationTargets(t, lines)
}

// checkAnnotationTargets checks that @param and @return blocks annotate a
// function declared right below them, whose parameters they name in order.
func checkAnnotationTargets(t *testing.T, lines []string) {
	fnLine := regexp.MustCompile(`^function [A-Za-z_][A-Za-z0-9_.]*\((.*)\) end$`)
	var params []string
	open := false
	for i, line := range lines {
		if a, ok := strings.CutPrefix(line, "---@param "); ok {
			name, _, _ := strings.Cut(a, " ")
			params = append(params, strings.TrimSuffix(name, "?"))
			open = true
			continue
		}
		if strings.HasPrefix(line, "---@return ") {
			open = true
			continue
		}
		if strings.HasPrefix(line, "---") {
			continue
		}
		if m := fnLine.FindStringSubmatch(line); m != nil {
			var args []string
			if m[1] != "" {
				args = strings.Split(m[1], ", ")
			}
			if strings.Join(args, ",") != strings.Join(params, ",") {
				t.Errorf("line %d: @param %v, function arguments %v", i+1, params, args)
			}
		} else if open {
			t.Errorf("line %d: @param/@return not followed by a function", i+1)
		}
		params, open = nil, false
	}
}

// TestAnnotationParser checks the checker on lines it must refuse.
func TestAnnotationParser(t *testing.T) {
	good := []string{
		"param x? integer # The x.",
		"param fn fun(a: string, b?: integer): string?, any",
		"field f (a|b)[] # Doc.",
		"field t { id: string }[]",
		"field m table<string, string|number>",
		"return nk_match|nil match # A match.",
		"alias nk_x fun(context: nk_context)",
		"alias nk_y",
		"class a: b, c",
		"meta nakama",
	}
	for _, s := range good {
		if _, err := parseAnnotation(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{
		"param x integer The x.",      // description without #
		"return string # no name",     // return without a name
		"param x table<string> # Doc", // table<K, V> needs two types
		"field f fun(a): string",      // fun parameter without a type
		"param x integer # \"quoted\"",
		"field t { id string }",
		"field t string[",
		"retrun string x",
		"param x",
	}
	for _, s := range bad {
		if _, err := parseAnnotation(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
