package query

import "fmt"

// errPrefix starts every parse error message, as in Nakama, whose clients
// and scripts may look for it.
const errPrefix = "error parsing query string: "

// ParseError is the error Parse returns for a malformed query. Its message
// starts with "error parsing query string: ", describes the problem and
// ends with the byte offset at which it was found.
type ParseError struct {
	// Query is the query text given to Parse.
	Query string
	// Offset is the 0-based byte offset of the problem in Query.
	Offset int
	// Msg describes the problem, without the prefix or the offset.
	Msg string
}

// Error returns "error parsing query string: <Msg> at offset <Offset>".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s%s at offset %d", errPrefix, e.Msg, e.Offset)
}
