// Package query implements Nakama's query language for listing matches by
// label (nk.match_list, GET /v2/match?query=) and for matchmaker tickets:
// the Bleve/bluge "query string" syntax, evaluated against one document at
// a time instead of a search index.
//
// Parse compiles a query once; (*Query).Match evaluates it against a
// Document without allocating. A Document is built once per object, from
// JSON (NewDocument), from Go values (FromMap) or field by field (Builder).
// Sorting the matches (by score, then newest first for matches) is the
// caller's job.
//
// # Documents
//
// An object is flattened into fields named by the dotted path of each leaf
// under a prefix: with prefix "label", {"mode":"ffa","opts":{"hard":true}}
// has the fields label.mode and label.opts.hard. The caller chooses the
// prefix ("label" for match labels, "properties" for matchmaker tickets).
// Leaves are indexed as Nakama indexes them:
//
//   - strings are keywords: exact, case-sensitive, not analysed; but a
//     string that parses as a date (RFC 3339 with or without fractional
//     seconds, "2006-01-02T15:04:05", "2006-01-02 15:04:05" or
//     "2006-01-02") is a date instead, and only date ranges match it;
//   - numbers are numeric values (float64);
//   - booleans are the keywords "T" and "F";
//   - each element of an array is indexed under the array's own path, so a
//     field may hold several values; a clause matches if any value does;
//   - null is skipped.
//
// A label that is not a JSON object has no fields (NewDocument returns an
// error and an empty Document), so only queries that need no field match it.
//
// # Grammar
//
// Clauses are separated by whitespace, which is otherwise insignificant
// ("a: b" is "a:b"):
//
//	query   = { clause }
//	clause  = [ "+" | "-" ] base [ "^" [ number ] ]
//	base    = name ":" value | term [ fuzzy ] | phrase
//	value   = term [ fuzzy ] | [ "-" ] number [ fuzzy ] | phrase
//	        | ( ">" | ">=" | "<" | "<=" ) ( [ "-" ] number | phrase )
//	fuzzy   = "~" [ number ]
//	number  = digit { digit } [ "." { digit } ]
//	phrase  = '"' { character | "\" character } '"'
//	term    = a run of characters up to an unescaped whitespace, ":", "^"
//	          or "~"; "+", "-", ">", "<", "=", ":", '"', "^" and "~"
//	          cannot start one unless escaped
//	name    = term | number
//
// A backslash before one of + - = & | > < ! ( ) { } [ ] ^ " ~ * ? : \ /
// or whitespace stands for that character; before any other character it
// is kept, so /\d+/ is a regular expression for digits.
//
// # Clauses
//
//   - name:term matches a keyword equal to term. If term contains an
//     unescaped * (any run of characters) or ? (one character) it is a
//     wildcard pattern over keywords; name:* alone matches any document
//     whose field has a value of any kind. If term is /re/ it is a regular
//     expression (Go RE2 syntax) that must match a whole keyword; being a
//     term, it ends at whitespace, ':', '^' or '~' unless they are escaped,
//     as in /\^a\:b$/.
//   - name:"a phrase" matches a keyword equal to the phrase, which may hold
//     spaces, colons and escaped quotes. Wildcards are not special in it.
//   - name:N (N a number, possibly negative) matches the keyword "N" or the
//     number N, as Nakama's disjunction of both does.
//   - name:>N, >=N, <N and <=N match a number in the range; with a quoted
//     date, as in name:>="2024-01-02T15:04:05Z", a date in the range.
//   - name:term~N matches a keyword within Levenshtein distance N (0 to 2,
//     default 1, counted in characters) of term, taken literally.
//   - A bare term, number or phrase (no field) searches Nakama's default
//     field, which Nakama leaves empty: it parses but never matches.
//   - A bare * matches every document.
//   - ^B after a clause sets its boost B (default 1).
//
// # Boolean semantics and scores
//
// A '+' clause must match, a '-' clause must not, and a plain clause
// should: a document matches when it matches every '+' clause and no '-'
// clause and, if there is no '+' clause, at least one plain clause. With a
// '+' clause, plain clauses are optional and only raise the score. A query
// of '-' clauses alone matches every document not excluded.
//
// Scores follow Nakama's constant similarity: a matching document scores
// the sum of the boosts of the '+' and plain clauses it matches. A query
// of '-' clauses alone, the empty query and "*" score 1.
//
// # Errors
//
// Parse errors are *ParseError values whose message is
// "error parsing query string: <what is wrong> at offset <n>", for example
// an unterminated phrase, a clause with no value, a range with no number
// or date, an invalid regular expression, boost or fuzziness.
//
// # Differences from bluge
//
// The syntax and results follow blugelabs/query_string as Nakama uses it
// (keyword analyzer, constant similarity). Where bluge's behaviour is an
// accident or an internal failure, this package chooses the reading a user
// most likely meant:
//
//   - Any Unicode whitespace separates clauses (bluge ends a term only at an
//     ASCII space, so a tab became part of the term).
//   - A boost or fuzziness after a number works: name:5^2 is name:5 boosted
//     (bluge reads the term "5^2"); a fuzziness may be followed by a boost,
//     as in name:term~1^2 (bluge rejects it).
//   - An escaped \* or \? is a literal character, not a wildcard, and an
//     escaped \/ does not delimit a regular expression.
//   - The quoted date of a range may use any of the five date layouts that
//     indexing accepts (bluge accepts RFC 3339 only).
//   - A bare * matches every document anywhere in a query (Nakama only
//     special-cases a query that is exactly "*"), and a blank query matches
//     every document like the empty one.
//   - A fuzziness above 2 (or negative) is a parse error (bluge fails when
//     searching, so Nakama's listing fails either way), as are a boost of
//     NaN or infinity and a trailing lone backslash (bluge drops it).
//   - A number starts with an ASCII digit only; a numeric-looking field
//     name such as 5:x is accepted.
//   - A clause scores its boost once however many values of a multi-valued
//     field match it.
//   - Dates compare as instants with no int64-nanosecond range limit.
package query
