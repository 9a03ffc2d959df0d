package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tokEOF     tokKind = iota
	tokString          // a term: field name or value
	tokNumber          // digits with at most one '.', starting with a digit
	tokPhrase          // "quoted text"
	tokPlus            // +
	tokMinus           // -
	tokColon           // :
	tokGreater         // >
	tokLess            // <
	tokEqual           // =
	tokBoost           // ^ and the text up to the next space
	tokTilde           // ~ and the text up to the next space or '^'
)

// reservedChars are the characters a backslash escapes; a backslash before
// any other character is kept, so regular expressions keep their \d, \. and
// the like. Whitespace may be escaped too.
const reservedChars = `+-=&|><!(){}[]^"~*?:\/`

// token is one lexical token of a query.
type token struct {
	kind tokKind
	pos  int    // byte offset of the token's first character
	text string // unescaped text; for tokBoost and tokTilde, the text after the sign
	// wild holds the offsets in text of unescaped '*' and '?' (tokString only).
	wild []int
	// regex reports a tokString of the form /pattern/ whose two slashes are
	// not escaped.
	regex bool
}

// describe names the token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of query"
	case tokString, tokNumber:
		return fmt.Sprintf("%q", t.text)
	case tokPhrase:
		return "quoted phrase"
	case tokBoost:
		return "'^'"
	case tokTilde:
		return "'~'"
	}
	return fmt.Sprintf("'%c'", opChars[t.kind])
}

// opChars maps single-character operator tokens to their character.
var opChars = [...]byte{
	tokPlus: '+', tokMinus: '-', tokColon: ':', tokGreater: '>', tokLess: '<', tokEqual: '=',
}

// lexer splits a query into tokens. Whitespace separates tokens and is
// otherwise insignificant, as in bluge: "a: b" is "a:b".
type lexer struct {
	src string
	pos int
}

// errorf returns a *ParseError at offset pos.
func (l *lexer) errorf(pos int, format string, args ...any) error {
	return &ParseError{Query: l.src, Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token, tokEOF at the end.
func (l *lexer) next() (token, error) {
	l.skipSpace()
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: l.pos}, nil
	}
	start, c := l.pos, l.src[l.pos]
	switch c {
	case '"':
		return l.phrase()
	case '^':
		return l.suffix(tokBoost, false), nil
	case '~':
		return l.suffix(tokTilde, true), nil
	}
	if k := opKind(c); k != tokEOF {
		l.pos++
		return token{kind: k, pos: start}, nil
	}
	if isDigit(c) {
		if t, ok := l.number(); ok {
			return t, nil
		}
	}
	return l.term()
}

// opKind returns the token kind of a single-character operator, tokEOF if
// c is not one.
func opKind(c byte) tokKind {
	switch c {
	case '+':
		return tokPlus
	case '-':
		return tokMinus
	case ':':
		return tokColon
	case '>':
		return tokGreater
	case '<':
		return tokLess
	case '=':
		return tokEqual
	}
	return tokEOF
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += n
	}
}

// suffix scans a boost ('^') or fuzziness ('~') suffix: the sign and the
// text up to the next space (or, for '~', up to a following '^').
func (l *lexer) suffix(kind tokKind, stopAtCaret bool) token {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if unicode.IsSpace(r) || (stopAtCaret && r == '^') {
			break
		}
		l.pos += n
	}
	return token{kind: kind, pos: start, text: l.src[start+1 : l.pos]}
}

// number scans digits with at most one '.'. It reports false, consuming
// nothing, if the text goes on with anything but the end of a term: then
// it is a term such as "5abc" or "1.2.3".
func (l *lexer) number() (token, bool) {
	i := l.pos
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	if i < len(l.src) && l.src[i] == '.' {
		i++
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
		}
	}
	if i < len(l.src) {
		if r, _ := utf8.DecodeRuneInString(l.src[i:]); !endsTerm(r) {
			return token{}, false
		}
	}
	t := token{kind: tokNumber, pos: l.pos, text: l.src[l.pos:i]}
	l.pos = i
	return t, true
}

// term scans a term up to an unescaped space, ':', '^' or '~', noting
// unescaped wildcards and the slashes of a /regular expression/.
func (l *lexer) term() (token, error) {
	t := token{kind: tokString, pos: l.pos}
	var buf []byte
	leadSlash, slashEnd := false, -1
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if r == '\\' {
			var err error
			if buf, err = l.escape(buf); err != nil {
				return t, err
			}
			continue
		}
		if endsTerm(r) {
			break
		}
		switch r {
		case '*', '?':
			t.wild = append(t.wild, len(buf))
		case '/':
			leadSlash = leadSlash || len(buf) == 0
			slashEnd = len(buf) + 1
		}
		buf = append(buf, l.src[l.pos:l.pos+n]...)
		l.pos += n
	}
	t.text = string(buf)
	t.regex = leadSlash && slashEnd == len(buf) && len(buf) >= 2
	if leadSlash && len(buf) == 1 {
		return t, l.errorf(t.pos, "regular expression is never closed "+
			"(escape whitespace, ':', '^' and '~' inside one, and a literal '/' as \\/)")
	}
	return t, nil
}

// escape consumes a backslash and the character after it, appending the
// character to buf (and the backslash too if the character is not one that
// needs escaping).
func (l *lexer) escape(buf []byte) ([]byte, error) {
	if l.pos+1 >= len(l.src) {
		return buf, l.errorf(l.pos, "escape character '\\' at the end of the query escapes nothing")
	}
	r, n := utf8.DecodeRuneInString(l.src[l.pos+1:])
	if !strings.ContainsRune(reservedChars, r) && !unicode.IsSpace(r) {
		buf = append(buf, '\\')
	}
	buf = append(buf, l.src[l.pos+1:l.pos+1+n]...)
	l.pos += 1 + n
	return buf, nil
}

// phrase scans a "quoted phrase"; a backslash escapes a quote (or any
// reserved character) inside it.
func (l *lexer) phrase() (token, error) {
	start := l.pos
	l.pos++
	var buf []byte
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == '"':
			l.pos++
			return token{kind: tokPhrase, pos: start, text: string(buf)}, nil
		case c == '\\' && l.pos+1 < len(l.src):
			buf, _ = l.escape(buf)
		case c == '\\':
			l.pos++
		default:
			buf = append(buf, c)
			l.pos++
		}
	}
	return token{}, l.errorf(start, "unterminated quoted phrase (missing closing '\"')")
}

// endsTerm reports whether r ends a term or number when not escaped.
func endsTerm(r rune) bool {
	return r == ':' || r == '^' || r == '~' || unicode.IsSpace(r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
