package query

// Query is a compiled query. Parse it once and Match it against any number
// of documents; a Query is immutable and safe for concurrent use. A nil
// *Query matches every document, like MatchAll.
type Query struct {
	src    string
	must   []clause // '+' clauses: all must match
	should []clause // plain clauses: one must match if there is no '+' clause
	not    []clause // '-' clauses: none may match
	all    bool     // every document matches with the same score
}

// clauseKind says how a clause is evaluated.
type clauseKind uint8

const (
	kindField clauseKind = iota // test the field's values with the matcher
	kindAll                     // a bare '*': matches every document
	kindNone                    // a bare term: searches Nakama's empty default field
)

// clause is one compiled clause of a query.
type clause struct {
	kind  clauseKind
	field string
	hash  uint64 // nameHash(field)
	m     matcher
	boost float64 // the clause's score when it matches
}

// matches reports whether the clause matches the document.
func (c *clause) matches(doc Document) bool {
	switch c.kind {
	case kindAll:
		return true
	case kindNone:
		return false
	}
	f := doc.lookup(c.field, c.hash)
	return f != nil && c.m.match(f)
}

// matchAll is the Query MatchAll returns.
var matchAll = &Query{all: true}

// MatchAll returns a query that matches every document with score 1: what
// Parse returns for "", a blank query or "*".
func MatchAll() *Query { return matchAll }

// IsMatchAll reports whether the query matches every document with one
// score, so that a caller may skip evaluating it: true for MatchAll, the
// empty or blank query, "*", and queries such as "+*" whose every clause is
// a bare '*' or a never-matching bare term.
func (q *Query) IsMatchAll() bool { return q == nil || q.all }

// String returns the query text the query was parsed from.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	return q.src
}

// Match reports whether the document matches the query and, if it does,
// its score: the sum of the boosts (1 unless set with ^) of the '+' and
// plain clauses it matches. A document matches when it matches every '+'
// clause, no '-' clause and, if the query has no '+' clause, at least one
// plain clause. A query of '-' clauses alone matches every document not
// excluded, with score 1, as does a match-all query.
//
// Match does not allocate, except to compare a fuzzy term of more than 63
// characters with a value of about its length.
func (q *Query) Match(doc Document) (ok bool, score float64) {
	if q == nil || q.all && len(q.must)+len(q.should) == 0 {
		return true, 1
	}
	for i := range q.must {
		if !q.must[i].matches(doc) {
			return false, 0
		}
		score += q.must[i].boost
	}
	for i := range q.not {
		if q.not[i].matches(doc) {
			return false, 0
		}
	}
	matched := len(q.must) > 0
	for i := range q.should {
		if q.should[i].matches(doc) {
			matched = true
			score += q.should[i].boost
		}
	}
	if len(q.must)+len(q.should) == 0 {
		return true, 1
	}
	if !matched {
		return false, 0
	}
	return true, score
}

// add appends a clause to the query under the occurrence its prefix gave.
func (q *Query) add(prefix tokKind, c clause) {
	switch prefix {
	case tokPlus:
		q.must = append(q.must, c)
	case tokMinus:
		q.not = append(q.not, c)
	default:
		q.should = append(q.should, c)
	}
}

// matchesAll reports whether the query's clauses match every document with
// one score: no '-' clause, every '+' clause a bare '*', every plain clause
// a bare '*' or a bare term, and at least one bare '*'.
func (q *Query) matchesAll() bool {
	if len(q.not) > 0 {
		return false
	}
	for _, c := range q.must {
		if c.kind != kindAll {
			return false
		}
	}
	some := len(q.must) > 0
	for _, c := range q.should {
		if c.kind == kindField {
			return false
		}
		some = some || c.kind == kindAll
	}
	return some
}

// Term is an exact keyword value a document must have: a '+field:value'
// or '+field:"phrase"' clause.
type Term struct {
	Field string
	Value string
}

// RequiredTerms returns the query's required exact keyword values. A
// document without every one of them cannot match, so a caller may index
// documents by term and evaluate the query only on the documents that
// have one of its terms.
func (q *Query) RequiredTerms() []Term {
	if q == nil {
		return nil
	}
	var out []Term
	for i := range q.must {
		c := &q.must[i]
		if t, ok := c.m.(*termMatcher); ok && c.kind == kindField {
			out = append(out, Term{Field: c.field, Value: t.text})
		}
	}
	return out
}

// Ranked reports whether documents that match the query may score
// differently; when false, every match has the same score and a caller may
// stop at the first matches it finds.
func (q *Query) Ranked() bool {
	if q == nil || q.all {
		return false
	}
	return len(q.should) > 1 || (len(q.should) == 1 && len(q.must) > 0)
}
