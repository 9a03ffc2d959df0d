package arbiter

import (
	"errors"
	"fmt"

	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// Status codes of the ABI (ABI.md §4).
const (
	statusOK         = abi.StatusOK
	statusError      = abi.StatusError
	statusNilState   = abi.StatusNilState
	statusNotFound   = abi.StatusNotFound
	statusBadPointer = abi.StatusBadPointer
	statusMalformed  = abi.StatusMalformed
	statusNotAllowed = abi.StatusNotAllowed
	statusBudget     = abi.StatusBudget
)

// Codes are the status codes an Error may carry, numbered as gRPC and
// Nakama number them.
const (
	CodeCanceled           = 1
	CodeUnknown            = 2
	CodeInvalidArgument    = 3
	CodeDeadlineExceeded   = 4
	CodeNotFound           = 5
	CodeAlreadyExists      = 6
	CodePermissionDenied   = 7
	CodeResourceExhausted  = 8
	CodeFailedPrecondition = 9
	CodeAborted            = 10
	CodeOutOfRange         = 11
	CodeUnimplemented      = 12
	CodeInternal           = 13
	CodeUnavailable        = 14
	CodeDataLoss           = 15
	CodeUnauthenticated    = 16
)

// Error is an error with a status code: returned by an RPC, the client
// sees Message and Code; returned by an nk function, it carries the
// host's message and code.
type Error struct {
	Message string
	Code    int
}

// NewError returns an *Error.
func NewError(message string, code int) *Error { return &Error{Message: message, Code: code} }

func (e *Error) Error() string { return e.Message }

// ErrBudget is returned by host calls made after the call's CPU deadline;
// the callback should return at once.
var ErrBudget = errors.New("arbiter: call budget exceeded")

// errBadPointer means the SDK passed memory the host could not read.
var errBadPointer = errors.New("arbiter: bad pointer passed to the host")

// errorOf reads an error map of the host.
func errorOf(status uint32, pending []byte) error {
	switch status {
	case statusBudget:
		return ErrBudget
	case statusBadPointer:
		return errBadPointer
	}
	v, _ := Decode(pending)
	m, _ := v.(map[string]any)
	msg, _ := m["message"].(string)
	code, _ := m["code"].(int64)
	if msg == "" {
		msg = fmt.Sprintf("arbiter: host status %d", status)
	}
	return &Error{Message: msg, Code: int(code)}
}

// Context is the context of a callback, with Nakama's keys.
type Context struct {
	Env            map[string]string
	ExecutionMode  string
	Node           string
	Version        string
	Headers        map[string][]string
	QueryParams    map[string][]string
	UserID         string
	Username       string
	Vars           map[string]string
	UserSessionExp int64
	SessionID      string
	Lang           string
	ClientIP       string
	ClientPort     string
	MatchID        string
	MatchNode      string
	MatchLabel     string
	MatchTickRate  int
	TraceID        string
	// raw is the context's encoding as the host sent it.
	raw []byte
}

// Presence is a player in a match.
type Presence struct {
	UserID    string
	SessionID string
	Username  string
	Node      string
	// Reason is why the presence joined or left (match_join and
	// match_leave only): 0 unknown, 1 join, 2 update, 3 leave, 4 disconnect.
	Reason int
}

// MarshalABI encodes the presence as the host reads one (Encode and the
// Dispatcher use it).
func (p Presence) MarshalABI(e *abi.Encoder) error {
	e.Map(4)
	e.Key("node")
	e.String(p.Node)
	e.Key("session_id")
	e.String(p.SessionID)
	e.Key("user_id")
	e.String(p.UserID)
	e.Key("username")
	e.String(p.Username)
	return nil
}

func presenceOf(v any) Presence {
	m, _ := v.(map[string]any)
	s := func(k string) string { x, _ := m[k].(string); return x }
	r, _ := m["reason"].(int64)
	return Presence{UserID: s("user_id"), SessionID: s("session_id"), Username: s("username"), Node: s("node"), Reason: int(r)}
}

// Message is a player's message to a match, given to MatchLoop.
type Message struct {
	Sender        Presence
	OpCode        int64
	Data          []byte
	Reliable      bool
	ReceiveTimeMs int64
}
