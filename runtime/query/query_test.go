package query

import (
	"testing"
)

// testLabel is a match label with every kind of value.
const testLabel = `{
	"mode": "freeforall",
	"level": 12,
	"level_str": "12",
	"five": "5",
	"tags": ["red", "blue"],
	"open": true,
	"closed": false,
	"name": "Foo Bar: the game",
	"region": {"code": "eu-west", "slots": [1, 5, 9]},
	"start": "2024-03-01T12:00:00Z",
	"day": "2024-03-01",
	"skill": -3.5,
	"ratio": 0.25,
	"big": 1e21,
	"nothing": null,
	"empty": "",
	"path": "a/b*c?d",
	"mixed": [3, "x", {"deep": "y"}],
	"unicode": "héllo",
	"quote": "say \"hi\""
}`

func mustDoc(t testing.TB, prefix, obj string) Document {
	t.Helper()
	d, err := NewDocument(prefix, []byte(obj))
	if err != nil {
		t.Fatalf("NewDocument(%q): %v", obj, err)
	}
	return d
}

type matchCase struct {
	q     string
	ok    bool
	score float64
}

// checkMatches parses each case's query and matches it against doc.
func checkMatches(t *testing.T, doc Document, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		q, err := Parse(c.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		ok, score := q.Match(doc)
		if ok != c.ok || score != c.score {
			t.Errorf("Parse(%q).Match = %v, %v; want %v, %v", c.q, ok, score, c.ok, c.score)
		}
	}
}

func TestMatchTerms(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.mode:freeforall`, true, 1},
		{`label.mode:FreeForAll`, false, 0},
		{`label.mode:free`, false, 0},
		{`label.mode:freeforall2`, false, 0},
		{`+label.mode:freeforall`, true, 1},
		{`-label.mode:freeforall`, false, 0},
		{`-label.mode:team`, true, 1},
		{`label.region.code:eu-west`, true, 1},
		{`label.region:eu-west`, false, 0},
		{`label.mixed.deep:y`, true, 1},
		{`label.mixed:x`, true, 1},
		{`label.nothing:null`, false, 0},
		{`label.missing:x`, false, 0},
		{`-label.missing:x`, true, 1},
		{`mode:freeforall`, false, 0},
		{`label.mode: freeforall`, true, 1},
		{`label.mode :freeforall`, true, 1},
		{`+ label.mode:freeforall`, true, 1},
		{"label.mode:freeforall\tlabel.level:12\nlabel.open:T", true, 3},
		{`label.unicode:héllo`, true, 1},
	})
}

func TestMatchNumbers(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.level:12`, true, 1},
		{`label.level:12.0`, true, 1},
		{`label.level:012`, true, 1},
		{`label.level:13`, false, 0},
		{`label.level:1`, false, 0},
		{`label.level_str:12`, true, 1},
		{`label.level_str:12.0`, false, 0},
		{`label.five:5`, true, 1},
		{`label.skill:-3.5`, true, 1},
		{`label.skill:- 3.5`, true, 1},
		{`label.skill:3.5`, false, 0},
		{`label.ratio:0.25`, true, 1},
		{`label.ratio:.25`, false, 0}, // ".25" is a term, not a number
		{`label.big:1000000000000000000000`, true, 1},
		{`label.mixed:3`, true, 1},
		{`label.open:1`, false, 0},
	})
}

func TestMatchRanges(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.level:>11`, true, 1},
		{`label.level:>12`, false, 0},
		{`label.level:>=12`, true, 1},
		{`label.level:>= 12`, true, 1},
		{`label.level:<12`, false, 0},
		{`label.level:<=12`, true, 1},
		{`label.level:<13`, true, 1},
		{`label.level:>12.0001`, false, 0},
		{`label.level:<12.5`, true, 1},
		{`label.skill:<-3`, true, 1},
		{`label.skill:>-3.5`, false, 0},
		{`label.skill:>=-3.5`, true, 1},
		{`label.skill:<=-4`, false, 0},
		{`label.ratio:<0.3`, true, 1},
		{`label.ratio:>0.`, true, 1},
		{`label.big:>=1000000000000000000000`, true, 1},
		{`+label.level:>11 +label.level:<13`, true, 2},
		{`+label.level:>12 +label.level:<13`, false, 0},
		{`label.level_str:>1`, false, 0},
		{`label.missing:>1`, false, 0},
		{`label.start:>0`, false, 0},
		{`label.region.slots:5`, true, 1},
		{`label.region.slots:>8`, true, 1},
		{`label.region.slots:>9`, false, 0},
		{`label.region.slots:<1`, false, 0},
		{`label.region.slots:<=1`, true, 1},
		{`+label.region.slots:>1 +label.region.slots:<5`, true, 2}, // each clause tests every value
		{`+label.region.slots:>=1 +label.region.slots:<5`, true, 2},
	})
}

func TestMatchArraysBooleansDates(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.tags:red`, true, 1},
		{`label.tags:blue`, true, 1},
		{`label.tags:green`, false, 0},
		{`+label.tags:red +label.tags:blue`, true, 2},
		{`label.tags:red label.tags:blue label.tags:green`, true, 2},
		{`label.open:T`, true, 1},
		{`label.open:true`, false, 0},
		{`label.open:F`, false, 0},
		{`label.closed:F`, true, 1},
		{`label.start:>"2024-01-01T00:00:00Z"`, true, 1},
		{`label.start:<"2024-01-01T00:00:00Z"`, false, 0},
		{`label.start:>="2024-03-01T12:00:00Z"`, true, 1},
		{`label.start:>"2024-03-01T12:00:00Z"`, false, 0},
		{`label.start:<="2024-03-01T12:00:00Z"`, true, 1},
		{`label.start:<"2024-03-01T12:00:00Z"`, false, 0},
		{`label.start:>"2024-03-01T12:00:00.000000001Z"`, false, 0},
		{`label.start:>"2024-03-01T13:00:00+02:00"`, true, 1},
		{`label.start:>"2024-03-01"`, true, 1},
		{`label.start:<"2024-03-01 12:00:01"`, true, 1},
		{`label.day:>="2024-03-01"`, true, 1},
		{`label.day:<"2024-03-01T00:00:01"`, true, 1},
		{`label.day:"2024-03-01"`, false, 0}, // dates are not keywords
		{`label.day:2024*`, false, 0},
		{`label.level:>"2020-01-01"`, false, 0},
		{`label.mode:>"2020-01-01"`, false, 0},
	})
}

func TestMatchPhrasesAndEscapes(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.name:"Foo Bar: the game"`, true, 1},
		{`label.name:"Foo Bar"`, false, 0},
		{`label.name:"foo bar: the game"`, false, 0},
		{`label.name:Foo\ Bar\:\ the\ game`, true, 1},
		{`label.name:Foo`, false, 0},
		{`label.quote:"say \"hi\""`, true, 1},
		{`label.quote:say\ "hi"`, true, 1},
		{`label.empty:""`, true, 1},
		{`label.path:"a/b*c?d"`, true, 1},
		{`label.path:a\/b\*c\?d`, true, 1},
		{`label.path:a/b*`, true, 1},
		{`label.path:a/b\*`, false, 0},
		{`label.mode:"free*"`, false, 0},
		{`label.mode:"freeforall"`, true, 1},
		{`label.mode:"freeforall" label.level:12`, true, 2},
		{`label.mode:"freeforall"label.level:12`, true, 2},
		{`label\.mode:freeforall`, false, 0},          // '.' is not reserved: the backslash stays
		{`label.mode:\f\r\e\e\f\o\r\a\l\l`, false, 0}, // unreserved: backslashes kept
	})
}

func TestMatchWildcards(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.mode:free*`, true, 1},
		{`label.mode:*all`, true, 1},
		{`label.mode:f*f*all`, true, 1},
		{`label.mode:*for*`, true, 1},
		{`label.mode:freeforall*`, true, 1},
		{`label.mode:free?orall`, true, 1},
		{`label.mode:free??orall`, false, 0},
		{`label.mode:?reeforal?`, true, 1},
		{`label.mode:x*`, false, 0},
		{`label.mode:*x`, false, 0},
		{`label.mode:f*l*l*x`, false, 0},
		{`label.tags:r?d`, true, 1},
		{`label.tags:bl*`, true, 1},
		{`label.unicode:h?llo`, true, 1},
		{`label.unicode:h??llo`, false, 0},
		{`label.open:?`, true, 1},
		{`label.empty:*`, true, 1},
		{`label.mode:*`, true, 1},
		{`label.level:*`, true, 1},
		{`label.start:**`, true, 1},
		{`label.level:1*`, false, 0},
		{`label.missing:*`, false, 0},
		{`label.nothing:*`, false, 0},
		{`-label.nothing:*`, true, 1},
	})
}

func TestMatchRegexAndFuzzy(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`label.mode:/free.*/`, true, 1},
		{`label.mode:/free/`, false, 0},
		{`label.mode:/.*for.*/`, true, 1},
		{`label.mode:/\^free.*$/`, true, 1},
		{`label.mode:/free|freeforall/`, true, 1},
		{`label.region.code:/[a-z]+-[a-z]+/`, true, 1},
		{`label.tags:/r.d/`, true, 1},
		{`label.level:/1.*/`, false, 0},
		{`label.level_str:/\d+/`, true, 1},
		{`label.path:/a\/b.*/`, true, 1},
		{`label.name:/Foo\ Bar\:.*/`, true, 1},
		{`label.mode:freeforal~`, true, 1},
		{`label.mode:freeforal~1`, true, 1},
		{`label.mode:freforal~`, false, 0},
		{`label.mode:freforal~2`, true, 1},
		{`label.mode:freforal~2.9`, true, 1},
		{`label.mode:freeforall~0`, true, 1},
		{`label.mode:freeforal~0`, false, 0},
		{`label.mode:freeforalll~1`, true, 1},
		{`label.mode:frexforall~1`, true, 1},
		{`label.mode:efreforall~1`, false, 0}, // a transposition costs 2
		{`label.unicode:hello~1`, true, 1},
		{`label.tags:rad~1`, true, 1},
		{`label.tags:ra*~1`, false, 0}, // fuzzy terms are literal
		{`label.mode:freeforall~1^3`, true, 3},
		{`label.level_str:13~1`, true, 1},
		{`label.level:13~1`, false, 0}, // fuzzy matches keywords only
		{`label.open:X~`, true, 1},
	})
}

func TestMatchBooleanAndScores(t *testing.T) {
	checkMatches(t, mustDoc(t, "label", testLabel), []matchCase{
		{`+label.mode:freeforall label.level:>10`, true, 2},
		{`+label.mode:freeforall label.level:>20`, true, 1},
		{`+label.mode:team label.level:>10`, false, 0},
		{`label.mode:team label.level:>10`, true, 1},
		{`label.mode:team label.level:>20`, false, 0},
		{`label.mode:freeforall label.level:>10 label.tags:red`, true, 3},
		{`label.mode:freeforall -label.tags:red`, false, 0},
		{`label.mode:freeforall -label.tags:green`, true, 1},
		{`+label.mode:freeforall -label.tags:green label.open:T`, true, 2},
		{`-label.tags:green -label.mode:team`, true, 1},
		{`-label.tags:green -label.mode:freeforall`, false, 0},
		{`label.mode:freeforall^2`, true, 2},
		{`label.mode:freeforall^2.5 label.level:12^0.5`, true, 3},
		{`+label.mode:freeforall^3 label.tags:green^10`, true, 3},
		{`label.mode:freeforall^`, true, 1},
		{`label.mode:freeforall^0`, true, 0},
		{`label.level:12^2`, true, 2},
		{`label.level:>10^4`, true, 4},
		{`label.start:>"2024-01-01"^4`, true, 4},
		{`label.name:"Foo Bar: the game"^2`, true, 2},
		{`label.mode:/free.*/^2 label.mode:free*^3`, true, 5},
		{`-label.mode:team^5`, true, 1},
		{`freeforall`, false, 0},
		{`"freeforall"`, false, 0},
		{`12`, false, 0},
		{`freeforal~1`, false, 0},
		{`+freeforall label.mode:freeforall`, false, 0},
		{`freeforall label.mode:freeforall`, true, 1},
		{`*`, true, 1},
		{`*^3`, true, 3},
		{`+* label.mode:freeforall`, true, 2},
		{`* -label.mode:freeforall`, false, 0},
		{`* -label.mode:team`, true, 1},
		{``, true, 1},
		{" \t\n", true, 1},
	})
}

func TestMatchNonObjectLabels(t *testing.T) {
	for _, label := range []string{`"just a string"`, `[1,2]`, `null`, `12`, `not json`, ``, `{"a":1`} {
		doc, err := NewDocument("label", []byte(label))
		if err == nil {
			t.Errorf("NewDocument(%q) = nil error, want one", label)
		}
		if doc.Len() != 0 {
			t.Errorf("NewDocument(%q) has %d fields, want 0", label, doc.Len())
		}
		checkMatches(t, doc, []matchCase{
			{`label.a:1`, false, 0},
			{`label:*`, false, 0},
			{`-label.a:1`, true, 1},
			{`*`, true, 1},
			{``, true, 1},
		})
	}
}

func TestMatchEmptyPrefixAndEmptyObject(t *testing.T) {
	checkMatches(t, mustDoc(t, "", `{"mode":"ffa","a":{"b":2}}`), []matchCase{
		{`mode:ffa`, true, 1},
		{`a.b:2`, true, 1},
		{`label.mode:ffa`, false, 0},
	})
	checkMatches(t, mustDoc(t, "label", `{"a:b":"x y","c d":"+-"}`), []matchCase{
		{`label.a\:b:x\ y`, true, 1},
		{`label.a\:b:"x y"`, true, 1},
		{`label.c\ d:\+\-`, true, 1},
		{`label.c\ d:"+-"`, true, 1},
	})
	checkMatches(t, mustDoc(t, "label", `{}`), []matchCase{
		{`label.mode:ffa`, false, 0},
		{`-label.mode:ffa`, true, 1},
	})
}
