package query

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// matcher tests the values of one field. Matchers are built by Parse and
// never change, so a Query may be used concurrently.
type matcher interface {
	match(f *field) bool
}

// termMatcher matches a keyword value equal to the text: field:value and
// field:"quoted phrase".
type termMatcher struct{ text string }

func (m *termMatcher) match(f *field) bool { return hasKeyword(f, m.text) }

func hasKeyword(f *field, s string) bool {
	for _, k := range f.keywords {
		if k == s {
			return true
		}
	}
	return false
}

// numberMatcher is field:N, Nakama's disjunction of the keyword "N" and the
// numeric range [N, N].
type numberMatcher struct {
	text  string
	value float64
}

func (m *numberMatcher) match(f *field) bool {
	for _, n := range f.numbers {
		if n == m.value {
			return true
		}
	}
	return hasKeyword(f, m.text)
}

// rangeOp is the comparison of a range clause.
type rangeOp uint8

const (
	opGreater rangeOp = iota
	opGreaterEq
	opLess
	opLessEq
)

// holds reports whether a value that compares to the bound as cmp (-1, 0
// or 1) is in the range.
func (op rangeOp) holds(cmp int) bool {
	switch op {
	case opGreater:
		return cmp > 0
	case opGreaterEq:
		return cmp >= 0
	case opLess:
		return cmp < 0
	}
	return cmp <= 0
}

// numRangeMatcher matches a numeric value in a one-sided range:
// field:>N, >=N, <N, <=N.
type numRangeMatcher struct {
	op    rangeOp
	bound float64
}

func (m *numRangeMatcher) match(f *field) bool {
	for _, n := range f.numbers {
		switch {
		case n > m.bound:
			if m.op == opGreater || m.op == opGreaterEq {
				return true
			}
		case n < m.bound:
			if m.op == opLess || m.op == opLessEq {
				return true
			}
		case n == m.bound:
			if m.op == opGreaterEq || m.op == opLessEq {
				return true
			}
		}
	}
	return false
}

// dateRangeMatcher matches a date value in a one-sided range:
// field:>"2006-01-02T15:04:05Z" and the like.
type dateRangeMatcher struct {
	op    rangeOp
	bound time.Time
}

func (m *dateRangeMatcher) match(f *field) bool {
	for _, t := range f.dates {
		if m.op.holds(t.Compare(m.bound)) {
			return true
		}
	}
	return false
}

// existsMatcher is field:* (any run of stars): the field has a value of
// any kind.
type existsMatcher struct{}

func (existsMatcher) match(*field) bool { return true }

// regexMatcher matches a keyword value entirely matched by a regular
// expression: field:/re/.
type regexMatcher struct{ re *regexp.Regexp }

func (m *regexMatcher) match(f *field) bool {
	for _, k := range f.keywords {
		if m.re.MatchString(k) {
			return true
		}
	}
	return false
}

// wildcardMatcher matches a keyword value against a pattern in which '*'
// stands for any run of characters and '?' for one character.
type wildcardMatcher struct {
	pat  string
	wild []bool // wild[i]: pat[i] is a wildcard, not a literal '*' or '?'
}

// newWildcard returns the matcher for text whose wildcards are at the
// offsets wild; a pattern of stars alone tests that the field exists.
func newWildcard(text string, wild []int) matcher {
	if len(wild) == len(text) && allStars(text) {
		return existsMatcher{}
	}
	m := &wildcardMatcher{pat: text, wild: make([]bool, len(text))}
	for _, i := range wild {
		m.wild[i] = true
	}
	return m
}

func allStars(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '*' {
			return false
		}
	}
	return true
}

func (m *wildcardMatcher) match(f *field) bool {
	for _, k := range f.keywords {
		if m.matchString(k) {
			return true
		}
	}
	return false
}

// matchString matches s against the pattern, backtracking only to the last
// star seen, which is enough for '*' and '?' patterns.
func (m *wildcardMatcher) matchString(s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(m.pat) && m.wild[p] && m.pat[p] == '*':
			star, mark = p, i
			p++
			continue
		case p < len(m.pat) && m.wild[p]:
			_, n := utf8.DecodeRuneInString(s[i:])
			p, i = p+1, i+n
			continue
		case p < len(m.pat) && m.pat[p] == s[i]:
			p, i = p+1, i+1
			continue
		case star < 0:
			return false
		}
		_, n := utf8.DecodeRuneInString(s[mark:])
		mark += n
		p, i = star+1, mark
	}
	for p < len(m.pat) && m.wild[p] && m.pat[p] == '*' {
		p++
	}
	return p == len(m.pat)
}

// fuzzyMatcher matches a keyword value within a Levenshtein distance (in
// characters) of a term: field:term~N.
type fuzzyMatcher struct {
	term []rune
	max  int
}

func (m *fuzzyMatcher) match(f *field) bool {
	for _, k := range f.keywords {
		if within(m.term, k, m.max) {
			return true
		}
	}
	return false
}

// within reports whether the Levenshtein distance between a and b is at
// most k. It fills only the band of the distance table within k of the
// diagonal (any cell outside it exceeds k), two rows at a time, on the
// stack for terms of up to 63 characters.
func within(a []rune, b string, k int) bool {
	n := len(a)
	if d := utf8.RuneCountInString(b) - n; d > k || -d > k {
		return false
	}
	var buf [128]int
	var prev, cur []int
	if 2*(n+1) <= len(buf) {
		prev, cur = buf[:n+1], buf[n+1:2*n+2]
	} else {
		prev, cur = make([]int, n+1), make([]int, n+1)
	}
	for j := 0; j <= min(n, k); j++ {
		prev[j] = j
	}
	i := 0
	for _, r := range b {
		i++
		if bandRow(a, r, i, k, prev, cur) > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[n] <= k
}

// bandRow fills the band of cur, the distance row for the first i
// characters of b (the i-th being r), from prev, the row before, and
// returns the smallest distance in it: once that exceeds k no later row can
// come back under k. The cells just outside the band that the row reads
// are set to k+1 first.
func bandRow(a []rune, r rune, i, k int, prev, cur []int) int {
	lo, hi := max(0, i-k), min(len(a), i+k)
	if i+k <= len(a) {
		prev[i+k] = k + 1
	}
	low := k + 1
	if lo == 0 {
		cur[0], low, lo = i, i, 1
	} else {
		cur[lo-1] = k + 1
	}
	for j := lo; j <= hi; j++ {
		d := prev[j-1]
		if a[j-1] != r {
			d = 1 + min(d, prev[j], cur[j-1])
		}
		cur[j] = d
		low = min(low, d)
	}
	return low
}
