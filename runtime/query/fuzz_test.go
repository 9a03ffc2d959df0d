package query

import (
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds are the seed corpus of FuzzParse: valid queries of every kind
// and malformed ones.
var fuzzSeeds = []string{
	``, ` `, `*`, `+*`, `* -label.mode:x`,
	`label.mode:freeforall`, `+label.mode:freeforall label.level:>10`,
	`-label.tags:red label.open:T`, `label.level:12^2`, `label.level:>=-3.5`,
	`label.start:>"2024-01-01T00:00:00Z"`, `label.day:<="2024-03-01"`,
	`label.name:"Foo Bar: the game"`, `label.quote:"say \"hi\""`,
	`label.mode:free*`, `label.mode:f?ee*`, `label.mode:*`, `label.path:a\/b\*`,
	`label.mode:/free.*/`, `label.level_str:/\d+/`, `label.mode:/\^a$/`,
	`label.mode:freeforal~`, `label.mode:freforal~2^3`, `foo`, `"bar"`, `12`,
	`label.a\:b:x\ y`, `label.mode: x`, `a:b:c`, `+`, `-`, `:x`, `label.mode:`,
	`label.mode:"open`, `label.level:>`, `label.level:>x`, `label.level:<"nope"`,
	`label.mode:/[a-/`, `label.mode:/`, `label.mode:a^x`, `label.mode:a~3`,
	`label.mode:a\`, `label.mode:-x`, `>5`, `^`, `~`, `=`, "a:\xff\xfe", "é:é~1",
}

// fuzzDocs are the documents FuzzParse evaluates every query against.
func fuzzDocs(t testing.TB) []Document {
	props, err := FromMap("properties", map[string]any{"region": "eu", "rank": 5.0})
	if err != nil {
		t.Fatal(err)
	}
	return []Document{mustDoc(t, "label", testLabel), props, {}}
}

// FuzzParse parses arbitrary input and evaluates what parses against a few
// documents: nothing may panic, errors must be *ParseError values with the
// Nakama prefix and an offset inside the query, and a match-all query must
// match everything.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	docs := fuzzDocs(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			checkFuzzError(t, s, err)
			return
		}
		for _, doc := range docs {
			ok, score := q.Match(doc)
			if !ok && score != 0 {
				t.Fatalf("Parse(%q).Match = false, %v", s, score)
			}
			if q.IsMatchAll() && !ok {
				t.Fatalf("Parse(%q) is match-all but does not match", s)
			}
		}
		if q.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, q.String())
		}
	})
}

func checkFuzzError(t *testing.T, s string, err error) {
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q) error %T, want *ParseError", s, err)
	}
	if !strings.HasPrefix(err.Error(), "error parsing query string: ") {
		t.Fatalf("Parse(%q) error %q lacks the prefix", s, err)
	}
	if pe.Offset < 0 || pe.Offset > len(s) {
		t.Fatalf("Parse(%q) error offset %d out of range", s, pe.Offset)
	}
}
