package query

import "testing"

// benchLabel is a typical match label with ten fields.
const benchLabel = `{"mode":"freeforall","level":12,"region":"eu-west","map":"dust",
"open":true,"players":7,"max":16,"tags":["ranked","casual"],"skill":1520.5,"version":"1.4.2"}`

// benchQuery is a typical three-clause match listing query.
const benchQuery = `+label.mode:freeforall +label.level:>=10 label.region:eu-west`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	doc := mustDoc(b, "label", benchLabel)
	if doc.Len() != 10 {
		b.Fatalf("document has %d fields, want 10", doc.Len())
	}
	q, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := q.Match(doc); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMatchPatterns(b *testing.B) {
	doc := mustDoc(b, "label", benchLabel)
	q, err := Parse(`+label.map:d*t label.version:/1\.[0-9]+\.2/ label.region:eu-wast~1`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := q.Match(doc); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkNewDocument(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewDocument("label", []byte(benchLabel)); err != nil {
			b.Fatal(err)
		}
	}
}
