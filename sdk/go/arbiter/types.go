package arbiter

import (
	"errors"
	"fmt"
)

// Status codes of the ABI (ABI.md §4).
const (
	statusOK         = 0
	statusError      = 1
	statusNilState   = 2
	statusNotFound   = 3
	statusBadPointer = 4
	statusMalformed  = 5
	statusNotAllowed = 6
	statusBudget     = 7
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
	// Raw is the context map as the host sent it.
	Raw map[string]any
}

func contextOf(v any) *Context {
	m, _ := v.(map[string]any)
	s := func(k string) string { x, _ := m[k].(string); return x }
	n := func(k string) int64 { x, _ := m[k].(int64); return x }
	return &Context{
		Env: stringMap(m["env"]), ExecutionMode: s("execution_mode"), Node: s("node"), Version: s("version"),
		Headers: listMap(m["headers"]), QueryParams: listMap(m["query_params"]),
		UserID: s("user_id"), Username: s("username"), Vars: stringMap(m["vars"]),
		UserSessionExp: n("user_session_exp"), SessionID: s("session_id"), Lang: s("lang"),
		ClientIP: s("client_ip"), ClientPort: s("client_port"), MatchID: s("match_id"),
		MatchNode: s("match_node"), MatchLabel: s("match_label"), MatchTickRate: int(n("match_tick_rate")),
		TraceID: s("trace_id"), Raw: m,
	}
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k], _ = x.(string)
	}
	return out
}

func listMap(v any) map[string][]string {
	m, _ := v.(map[string]any)
	out := make(map[string][]string, len(m))
	for k, x := range m {
		l, _ := x.([]any)
		for _, s := range l {
			str, _ := s.(string)
			out[k] = append(out[k], str)
		}
	}
	return out
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

func (p Presence) value() map[string]any {
	return map[string]any{"user_id": p.UserID, "session_id": p.SessionID, "username": p.Username, "node": p.Node}
}

func presenceOf(v any) Presence {
	m, _ := v.(map[string]any)
	s := func(k string) string { x, _ := m[k].(string); return x }
	r, _ := m["reason"].(int64)
	return Presence{UserID: s("user_id"), SessionID: s("session_id"), Username: s("username"), Node: s("node"), Reason: int(r)}
}

func presencesOf(v any) []Presence {
	l, _ := v.([]any)
	ps := make([]Presence, len(l))
	for i, p := range l {
		ps[i] = presenceOf(p)
	}
	return ps
}

// Message is a player's message to a match, given to MatchLoop.
type Message struct {
	Sender        Presence
	OpCode        int64
	Data          []byte
	Reliable      bool
	ReceiveTimeMs int64
}

func messagesOf(v any) []Message {
	l, _ := v.([]any)
	msgs := make([]Message, len(l))
	for i, x := range l {
		m, _ := x.(map[string]any)
		msgs[i].Sender = presenceOf(m["sender"])
		msgs[i].OpCode, _ = m["op_code"].(int64)
		msgs[i].Data, _ = m["data"].([]byte)
		msgs[i].Reliable, _ = m["reliable"].(bool)
		msgs[i].ReceiveTimeMs, _ = m["receive_time_ms"].(int64)
	}
	return msgs
}
