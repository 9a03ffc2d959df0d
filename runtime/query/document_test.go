package query

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestFromMap(t *testing.T) {
	doc, err := FromMap("properties", map[string]any{
		"region": "eu",
		"rank":   int64(5),
		"skill":  12.5,
		"count":  3,
		"small":  uint8(7),
		"f32":    float32(0.5),
		"tags":   []any{"a", "b", 1.0},
		"modes":  []string{"ffa", "duel"},
		"scores": []float64{10, 20},
		"nested": map[string]any{"x": true, "deep": map[string]any{"y": "z"}},
		"names":  map[string]string{"first": "Ann"},
		"num":    json.Number("42"),
		"when":   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"day":    "2024-01-01",
		"n":      nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkMatches(t, doc, []matchCase{
		{`properties.region:eu`, true, 1},
		{`properties.rank:5`, true, 1},
		{`properties.rank:>=5`, true, 1},
		{`properties.skill:>12`, true, 1},
		{`properties.count:3`, true, 1},
		{`properties.small:7`, true, 1},
		{`properties.f32:0.5`, true, 1},
		{`properties.tags:b properties.tags:1`, true, 2},
		{`properties.modes:duel`, true, 1},
		{`properties.scores:>15`, true, 1},
		{`properties.nested.x:T`, true, 1},
		{`properties.nested.deep.y:z`, true, 1},
		{`properties.names.first:Ann`, true, 1},
		{`properties.num:42`, true, 1},
		{`properties.when:>"2024-01-02"`, true, 1},
		{`properties.day:<"2024-01-02"`, true, 1},
		{`properties.n:*`, false, 0},
		{`+properties.region:eu +properties.rank:>=3 +properties.skill:<20`, true, 3},
	})
}

func TestFromMapErrors(t *testing.T) {
	if _, err := FromMap("p", map[string]any{"c": make(chan int)}); err == nil ||
		!strings.Contains(err.Error(), "unsupported value type chan int") {
		t.Errorf("FromMap(chan) error = %v", err)
	}
	if _, err := FromMap("p", map[string]any{"n": json.Number("x")}); err == nil {
		t.Error("FromMap(bad json.Number) = nil error")
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	if _, err := FromMap("p", cyclic); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("FromMap(cyclic) error = %v", err)
	}
	doc, err := FromMap("p", nil)
	if err != nil || doc.Len() != 0 {
		t.Errorf("FromMap(nil) = %d fields, %v", doc.Len(), err)
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	b.AddKeyword("label_string", "2024-01-01") // keywords are never dates
	b.AddKeyword("handler_name", "arena")
	b.AddNumber("tick_rate", 10)
	b.AddDate("create_time", time.UnixMilli(1700000000000))
	if err := b.AddJSON("label", []byte(`{"mode":"ffa"}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.AddJSON("label", []byte(`[1]`)); err == nil {
		t.Error("AddJSON(array) = nil error")
	}
	if err := b.AddValue("extra", []any{"x", 2.0}); err != nil {
		t.Fatal(err)
	}
	doc := b.Document()
	if doc.Len() != 6 {
		t.Errorf("document has %d fields, want 6", doc.Len())
	}
	checkMatches(t, doc, []matchCase{
		{`label_string:2024-01-01`, true, 1},
		{`label_string:"2024-01-01"`, true, 1},
		{`handler_name:arena tick_rate:>=10`, true, 2},
		{`create_time:>"2023-01-01"`, true, 1},
		{`label.mode:ffa`, true, 1},
		{`extra:x extra:2`, true, 2},
	})
	if again := b.Document(); again.Len() != 0 {
		t.Errorf("Builder not emptied: %d fields", again.Len())
	}
	if doc.Len() != 6 {
		t.Error("emptying the Builder changed the Document")
	}
}

func TestDocumentFieldsSortedAndUnique(t *testing.T) {
	doc := mustDoc(t, "label", testLabel)
	for i := 1; i < len(doc.fields); i++ {
		x, y := doc.fields[i-1], doc.fields[i]
		if x.hash > y.hash || x.hash == y.hash && x.name >= y.name {
			t.Fatalf("fields not sorted: %q then %q", doc.fields[i-1].name, doc.fields[i].name)
		}
	}
	for i := range doc.fields {
		f := &doc.fields[i]
		if f.hash != nameHash(f.name) || doc.lookup(f.name, f.hash) != f {
			t.Errorf("lookup(%q) does not find its field", f.name)
		}
	}
	for _, name := range []string{"label", "", "zzz", "label.mode."} {
		if doc.lookup(name, nameHash(name)) != nil {
			t.Errorf("lookup(%q) found a missing field", name)
		}
	}
	// Fields whose hashes collide are told apart by name.
	collide := Document{fields: []field{{hash: 7, name: "a"}, {hash: 7, name: "b"}, {hash: 9, name: "c"}}}
	if f := collide.lookup("b", 7); f == nil || f.name != "b" {
		t.Errorf("lookup(b) with a colliding hash = %v", f)
	}
	if collide.lookup("c", 7) != nil {
		t.Error("lookup(c) found a field by a wrong hash")
	}
	f := doc.lookup("label.mixed", nameHash("label.mixed"))
	if f == nil || len(f.numbers) != 1 || len(f.keywords) != 1 {
		t.Errorf("label.mixed = %+v, want one number and one keyword", f)
	}
}

func TestParseDate(t *testing.T) {
	for s, want := range map[string]bool{
		"2024-03-01T12:00:00Z":           true,
		"2024-03-01T12:00:00.123456789Z": true,
		"2024-03-01T12:00:00+02:00":      true,
		"2024-03-01T12:00:00":            true,
		"2024-03-01 12:00:00":            true,
		"2024-03-01":                     true,
		"2024-3-1":                       false,
		"2024-03-01T":                    false,
		"20240301":                       false,
		"2024/03/01":                     false,
		"abcd-03-01":                     false,
		"12":                             false,
		"":                               false,
		"2024-02-30":                     false,
	} {
		if _, got := parseDate(s); got != want {
			t.Errorf("parseDate(%q) = %v, want %v", s, got, want)
		}
	}
}
