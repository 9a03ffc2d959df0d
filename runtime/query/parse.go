package query

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// maxFuzziness is the largest edit distance a fuzzy clause may ask for, as
// in bluge.
const maxFuzziness = 2

// Parse compiles a query string. The empty (or blank) query and "*" match
// every document. A malformed query returns a *ParseError whose message
// starts with "error parsing query string: ". See the package documentation
// for the grammar.
func Parse(q string) (*Query, error) {
	if strings.TrimSpace(q) == "" {
		return &Query{src: q, all: true}, nil
	}
	p := &parser{lex: lexer{src: q}, q: &Query{src: q}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	for p.tok.kind != tokEOF {
		if err := p.clause(); err != nil {
			return nil, err
		}
	}
	p.q.all = p.q.matchesAll()
	return p.q, nil
}

// parser is a recursive-descent parser with one token of lookahead.
type parser struct {
	lex lexer
	tok token // the current token
	q   *Query
}

// advance moves to the next token.
func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// errorf returns a *ParseError at offset pos.
func (p *parser) errorf(pos int, format string, args ...any) error {
	return p.lex.errorf(pos, format, args...)
}

// unexpected returns the error for the current token where it cannot be.
func (p *parser) unexpected(want string) error {
	return p.errorf(p.tok.pos, "expected %s but found %s", want, p.tok.describe())
}

// clause parses ['+' | '-'] base ['^' boost] and adds it to the query.
func (p *parser) clause() error {
	prefix := p.tok
	if prefix.kind == tokPlus || prefix.kind == tokMinus {
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind == tokEOF {
			return p.errorf(prefix.pos, "missing clause after %s", prefix.describe())
		}
	}
	c, err := p.base()
	if err != nil {
		return err
	}
	if p.tok.kind == tokBoost {
		if c.boost, err = p.boost(); err != nil {
			return err
		}
	}
	p.q.add(prefix.kind, c)
	return nil
}

// boost parses the current tokBoost: '^' alone is 1.
func (p *parser) boost() (float64, error) {
	t := p.tok
	if t.text == "" {
		return 1, p.advance()
	}
	b, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
		return 0, p.errorf(t.pos, "invalid boost %q (expected a number after '^')", t.text)
	}
	return b, p.advance()
}

// fuzziness parses the current tokTilde: '~' alone is 1.
func (p *parser) fuzziness() (int, error) {
	t := p.tok
	if t.text == "" {
		return 1, p.advance()
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || !(f >= 0 && f < maxFuzziness+1) {
		return 0, p.errorf(t.pos, "invalid fuzziness %q (expected a number from 0 to %d after '~')",
			t.text, maxFuzziness)
	}
	return int(f), p.advance()
}

// base parses a clause without its prefix and boost: field:value, a bare
// term or a bare phrase.
func (p *parser) base() (clause, error) {
	switch p.tok.kind {
	case tokString, tokNumber:
		return p.termOrField()
	case tokPhrase:
		if err := p.advance(); err != nil {
			return clause{}, err
		}
		if p.tok.kind == tokTilde {
			return clause{}, p.errorf(p.tok.pos, "fuzziness '~' cannot follow a quoted phrase")
		}
		return clause{kind: kindNone, boost: 1}, nil
	case tokColon:
		return clause{}, p.errorf(p.tok.pos, "missing field name before ':'")
	}
	return clause{}, p.unexpected("a clause")
}

// termOrField parses field:value or a bare term (with an optional '~'). A
// bare term searches Nakama's default field, which holds nothing, so it
// never matches; a bare '*' matches every document.
func (p *parser) termOrField() (clause, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return clause{}, err
	}
	if p.tok.kind == tokColon {
		colon := p.tok.pos
		if err := p.advance(); err != nil {
			return clause{}, err
		}
		return p.value(t.text, colon)
	}
	c := clause{kind: kindNone, boost: 1}
	if p.tok.kind == tokTilde {
		_, err := p.fuzziness()
		return c, err
	}
	if t.kind == tokString && len(t.wild) == len(t.text) && allStars(t.text) {
		c.kind = kindAll
	}
	return c, nil
}

// value parses the value of field:value; colon is the offset of the ':'.
func (p *parser) value(name string, colon int) (clause, error) {
	c := clause{field: name, hash: nameHash(name), boost: 1}
	var err error
	switch p.tok.kind {
	case tokString:
		c.m, err = p.termValue()
	case tokNumber, tokMinus:
		c.m, err = p.numberValue()
	case tokPhrase:
		c.m, err = p.phraseValue()
	case tokGreater, tokLess:
		c.m, err = p.rangeValue()
	case tokEOF:
		err = p.errorf(colon, "missing value after %q", name+":")
	default:
		err = p.unexpected(fmt.Sprintf("a value after %q", name+":"))
	}
	return c, err
}

// termValue parses a term value: a fuzzy term, a /regular expression/, a
// wildcard pattern or an exact keyword.
func (p *parser) termValue() (matcher, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokTilde {
		return p.fuzzyValue(t.text)
	}
	switch {
	case t.regex:
		return compileRegex(&p.lex, t)
	case len(t.wild) > 0:
		return newWildcard(t.text, t.wild), nil
	}
	return &termMatcher{text: t.text}, nil
}

// fuzzyValue parses the '~' after a term and returns its matcher; a
// fuzziness of 0 is an exact match.
func (p *parser) fuzzyValue(text string) (matcher, error) {
	k, err := p.fuzziness()
	if err != nil {
		return nil, err
	}
	if k == 0 {
		return &termMatcher{text: text}, nil
	}
	return &fuzzyMatcher{term: []rune(text), max: k}, nil
}

// compileRegex compiles the /pattern/ of t, implicitly anchored to the
// whole value as bluge's regular expressions are.
func compileRegex(l *lexer, t token) (matcher, error) {
	pat := t.text[1 : len(t.text)-1]
	if _, err := syntax.Parse(pat, syntax.Perl); err != nil {
		return nil, l.errorf(t.pos, "invalid regular expression /%s/: %v", pat, err)
	}
	re, err := regexp.Compile(`^(?:` + pat + `)$`)
	if err != nil {
		return nil, l.errorf(t.pos, "invalid regular expression /%s/: %v", pat, err)
	}
	return &regexMatcher{re: re}, nil
}

// phraseValue parses a quoted value: an exact keyword.
func (p *parser) phraseValue() (matcher, error) {
	text := p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokTilde {
		return nil, p.errorf(p.tok.pos, "fuzziness '~' cannot follow a quoted phrase")
	}
	return &termMatcher{text: text}, nil
}

// numberValue parses field:N or field:-N: the keyword "N" or the number N
// (or, with '~', a fuzzy keyword).
func (p *parser) numberValue() (matcher, error) {
	text, n, err := p.signedNumber()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokTilde {
		return p.fuzzyValue(text)
	}
	return &numberMatcher{text: text, value: n}, nil
}

// signedNumber parses ['-'] number and returns its text and value.
func (p *parser) signedNumber() (string, float64, error) {
	sign := ""
	if p.tok.kind == tokMinus {
		sign = "-"
		if err := p.advance(); err != nil {
			return "", 0, err
		}
		if p.tok.kind != tokNumber {
			return "", 0, p.unexpected("a number after '-' (escape a leading '-' of a term as \\-)")
		}
	}
	t := p.tok
	n, err := strconv.ParseFloat(sign+t.text, 64)
	if err != nil {
		return "", 0, p.errorf(t.pos, "number %s%s is out of range", sign, t.text)
	}
	return sign + t.text, n, p.advance()
}

// rangeValue parses ('>' | '>=' | '<' | '<=') followed by a number or a
// quoted date.
func (p *parser) rangeValue() (matcher, error) {
	op := opGreater
	if p.tok.kind == tokLess {
		op = opLess
	}
	opTok := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEqual {
		op++ // opGreaterEq, opLessEq
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	switch p.tok.kind {
	case tokNumber, tokMinus:
		_, n, err := p.signedNumber()
		return &numRangeMatcher{op: op, bound: n}, err
	case tokPhrase:
		return p.dateBound(op)
	}
	return nil, p.unexpected(fmt.Sprintf("a number or a quoted date after %s", opTok.describe()))
}

// dateBound parses the quoted date of a date range.
func (p *parser) dateBound(op rangeOp) (matcher, error) {
	t := p.tok
	d, ok := parseDate(t.text)
	if !ok {
		return nil, p.errorf(t.pos, "invalid date %q in range (expected RFC 3339, such as %q)",
			t.text, "2006-01-02T15:04:05Z")
	}
	return &dateRangeMatcher{op: op, bound: d}, p.advance()
}
