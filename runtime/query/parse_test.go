package query

import (
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		q      string
		offset int
		msg    string // a part of the message
	}{
		{`label.mode:"unterminated`, 11, "unterminated quoted phrase"},
		{`"abc`, 0, "unterminated quoted phrase"},
		{`label.name:"abc\"`, 11, "unterminated quoted phrase"},
		{`label.name:"abc\`, 11, "unterminated quoted phrase"},
		{`label.mode:`, 10, `missing value after "label.mode:"`},
		{`label.mode:   `, 10, `missing value after "label.mode:"`},
		{`:value`, 0, "missing field name before ':'"},
		{`a:b:c`, 3, "missing field name before ':'"},
		{`+`, 0, "missing clause after '+'"},
		{`-`, 0, "missing clause after '-'"},
		{`a:b +`, 4, "missing clause after '+'"},
		{`++a:b`, 1, "expected a clause but found '+'"},
		{`+-a:b`, 1, "expected a clause but found '-'"},
		{`label.level:>`, 13, "expected a number or a quoted date after '>'"},
		{`label.level:>abc`, 13, `expected a number or a quoted date after '>' but found "abc"`},
		{`label.level:>=`, 14, "expected a number or a quoted date after '>'"},
		{`label.level:<=x`, 14, "expected a number or a quoted date after '<'"},
		{`label.level:>>5`, 13, "expected a number or a quoted date"},
		{`label.level:>.5`, 13, `found ".5"`},
		{`label.level:>5abc`, 13, `found "5abc"`},
		{`label.level:>1e3`, 13, `found "1e3"`},
		{`label.level:>-`, 14, "expected a number after '-'"},
		{`label.level:>-x`, 14, "expected a number after '-'"},
		{`label.level:<"not a date"`, 13, `invalid date "not a date"`},
		{`label.level:<"2024-13-01"`, 13, "invalid date"},
		{`label.level:1` + strings.Repeat("0", 400), 12, "out of range"},
		{`label.mode:/[a-/`, 11, "invalid regular expression /[a-/"},
		{`label.mode:/(a/`, 11, "missing closing )"},
		{`label.mode:/a)|(b/`, 11, "invalid regular expression"},
		{`label.mode:/a{2,1}/`, 11, "invalid regular expression"},
		{`label.mode:/`, 11, "regular expression is never closed"},
		{`label.mode:/^free/`, 11, "regular expression is never closed"},
		{`label.mode:a^x`, 12, `invalid boost "x"`},
		{`label.mode:a^1^2`, 12, `invalid boost "1^2"`},
		{`label.mode:a^NaN`, 12, "invalid boost"},
		{`label.mode:a^Inf`, 12, "invalid boost"},
		{`label.mode:a^-`, 12, "invalid boost"},
		{`label.mode:a~3`, 12, `invalid fuzziness "3"`},
		{`label.mode:a~x`, 12, "invalid fuzziness"},
		{`label.mode:a~-1`, 12, "invalid fuzziness"},
		{`label.mode:a~NaN`, 12, "invalid fuzziness"},
		{`label.mode:a~1~1`, 12, "invalid fuzziness"},
		{`foo~9`, 3, "invalid fuzziness"},
		{`label.mode:"a"~1`, 14, "fuzziness '~' cannot follow a quoted phrase"},
		{`"a"~1`, 3, "fuzziness '~' cannot follow a quoted phrase"},
		{`label.mode:a\`, 12, "escapes nothing"},
		{`\`, 0, "escapes nothing"},
		{`label.mode:-foo`, 12, `expected a number after '-' (escape a leading '-' of a term as \-) but found "foo"`},
		{`label.mode:=5`, 11, "expected a value after \"label.mode:\" but found '='"},
		{`label.mode:^2`, 11, "expected a value"},
		{`label.mode:~1`, 11, "expected a value"},
		{`>5`, 0, "expected a clause but found '>'"},
		{`<5`, 0, "expected a clause but found '<'"},
		{`=`, 0, "expected a clause but found '='"},
		{`^2`, 0, "expected a clause but found '^'"},
		{`~1`, 0, "expected a clause but found '~'"},
		{`label.mode:a label.level:>`, 26, "expected a number or a quoted date"},
		{`label.level:>5~1`, 14, "expected a clause but found '~'"},
	} {
		q, err := Parse(c.q)
		if err == nil {
			t.Errorf("Parse(%q) = %v, nil; want an error", c.q, q)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T, want *ParseError", c.q, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "error parsing query string: ") || !strings.Contains(msg, c.msg) {
			t.Errorf("Parse(%q) error %q, want one containing %q", c.q, msg, c.msg)
		}
		if pe.Offset != c.offset || pe.Query != c.q {
			t.Errorf("Parse(%q) error at %d in %q, want at %d", c.q, pe.Offset, pe.Query, c.offset)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse(`+label.mode:`)
	want := `error parsing query string: missing value after "label.mode:" at offset 11`
	if err == nil || err.Error() != want {
		t.Fatalf("Parse error = %v, want %q", err, want)
	}
}

func TestIsMatchAll(t *testing.T) {
	for q, want := range map[string]bool{
		"":                   true,
		"  \t":               true,
		"*":                  true,
		" * ":                true,
		"**":                 true,
		"+*":                 true,
		"* foo":              true,
		"+* foo":             true,
		"*^2":                true,
		`\*`:                 false, // a bare literal "*" term: never matches
		"foo":                false,
		"* -a:b":             false,
		"a:b":                false,
		"a:*":                false,
		"-a:b":               false,
		"+* a:b":             false,
		"+foo *":             false,
		"label.mode:x *":     false,
		"* label.mode:x *^2": false,
	} {
		p, err := Parse(q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", q, err)
		}
		if got := p.IsMatchAll(); got != want {
			t.Errorf("Parse(%q).IsMatchAll() = %v, want %v", q, got, want)
		}
		if p.String() != q {
			t.Errorf("Parse(%q).String() = %q", q, p.String())
		}
	}
	var nilQuery *Query
	if !MatchAll().IsMatchAll() || !nilQuery.IsMatchAll() {
		t.Error("MatchAll() or nil is not match-all")
	}
	doc := mustDoc(t, "label", testLabel)
	for _, q := range []*Query{MatchAll(), nilQuery} {
		if ok, score := q.Match(doc); !ok || score != 1 {
			t.Errorf("%v.Match = %v, %v; want true, 1", q, ok, score)
		}
		if ok, _ := q.Match(Document{}); !ok {
			t.Errorf("%v.Match(empty) = false", q)
		}
	}
	if nilQuery.String() != "" || MatchAll().String() != "" {
		t.Error("String of nil or MatchAll is not empty")
	}
}

// TestMatchDoesNotAllocate checks the hot path of every kind of clause.
func TestMatchDoesNotAllocate(t *testing.T) {
	doc := mustDoc(t, "label", testLabel)
	for _, s := range []string{
		`+label.mode:freeforall label.level:>10 -label.tags:green`,
		`label.mode:free*orall label.mode:/free.*/ label.unicode:hallo~1`,
		`label.start:>"2024-01-01" label.level:12 label.name:"Foo Bar: the game"`,
		`label.mode:` + strings.Repeat("x", 70) + `~2`, // too long for the stack buffer, but rejected by length
		`* -label.nope:1`,
	} {
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if n := testing.AllocsPerRun(100, func() { q.Match(doc) }); n != 0 {
			t.Errorf("Parse(%q).Match allocates %v times", s, n)
		}
	}
}

// TestConcurrentMatch shares one query and one document between
// goroutines; run with -race.
func TestConcurrentMatch(t *testing.T) {
	doc := mustDoc(t, "label", testLabel)
	q, err := Parse(`+label.mode:free* label.tags:/r.d/ label.unicode:hallo~1 label.level:>=12^2`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if ok, score := q.Match(doc); !ok || score != 5 {
					t.Errorf("Match = %v, %v; want true, 5", ok, score)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int // the distance
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "ab", 2},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"héllo", "hello", 1},
		{"ab", "ba", 2},
		{"abc", "abc", 0},
		{strings.Repeat("a", 80), strings.Repeat("a", 79) + "b", 1},
	} {
		for k := 0; k <= 3; k++ {
			want := c.want <= k
			if got := within([]rune(c.a), c.b, k); got != want {
				t.Errorf("within(%q, %q, %d) = %v, want %v", c.a, c.b, k, got, want)
			}
			if got := within([]rune(c.b), c.a, k); got != want {
				t.Errorf("within(%q, %q, %d) = %v, want %v", c.b, c.a, k, got, want)
			}
		}
	}
}

// distance is the textbook Levenshtein distance, to check within against.
func distance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func TestWithinRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		w := make([]rune, rng.IntN(9))
		for i := range w {
			w[i] = []rune("abcé")[rng.IntN(4)]
		}
		return w
	}
	for range 20000 {
		a, b, k := word(), word(), rng.IntN(4)
		if got, want := within(a, string(b), k), distance(a, b) <= k; got != want {
			t.Fatalf("within(%q, %q, %d) = %v, want %v", string(a), string(b), k, got, want)
		}
	}
}

func TestWildcardMatchString(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"a*", "a", true},
		{"a*", "", false},
		{"*a", "bba", true},
		{"*a*b", "xaxxb", true},
		{"*a*b", "xaxxbx", false},
		{"a*b*c", "abbbbbbbbc", true},
		{"a*b*c", "acb", false},
		{"?", "é", true},
		{"?", "ab", false},
		{"??", "é", false},
		{"*é?", "xxéz", true},
		{"a?c", "abc", true},
		{"*?*?*", "a", false},
		{"*?*?*", "ab", true},
	} {
		var wild []int
		for i := 0; i < len(c.pat); i++ {
			if c.pat[i] == '*' || c.pat[i] == '?' {
				wild = append(wild, i)
			}
		}
		m := newWildcard(c.pat, wild).(*wildcardMatcher)
		if got := m.matchString(c.s); got != c.want {
			t.Errorf("wildcard %q matches %q = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}
