package runtime

import (
	"context"
	"errors"
	"fmt"
)

// Code is a status code, numbered as gRPC numbers them. Nakama's wire protocol
// carries these numbers in REST error bodies, so the engine speaks them too;
// api/wire maps each one to an HTTP status or a realtime error code.
type Code int32

// The status codes, in gRPC's numbering.
const (
	OK                 Code = 0
	Canceled           Code = 1
	Unknown            Code = 2
	InvalidArgument    Code = 3
	DeadlineExceeded   Code = 4
	NotFound           Code = 5
	AlreadyExists      Code = 6
	PermissionDenied   Code = 7
	ResourceExhausted  Code = 8
	FailedPrecondition Code = 9
	Aborted            Code = 10
	OutOfRange         Code = 11
	Unimplemented      Code = 12
	Internal           Code = 13
	Unavailable        Code = 14
	DataLoss           Code = 15
	Unauthenticated    Code = 16
)

// Error is an error a caller may see: a status code and a message written for
// the client. Errors that derive from one of the sentinels below keep matching
// it with errors.Is, whatever their message.
type Error struct {
	Code    Code
	Message string
	kind    *Error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is e or the sentinel e was derived from.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return e == t || (e.kind != nil && e.kind == t)
}

// With returns an error of the same kind and code with another message.
func (e *Error) With(msg string) *Error {
	k := e.kind
	if k == nil {
		k = e
	}
	return &Error{Code: e.Code, Message: msg, kind: k}
}

// Withf is With with a format.
func (e *Error) Withf(format string, args ...any) *Error {
	return e.With(fmt.Sprintf(format, args...))
}

// NewError returns a client-visible error with a code and message.
func NewError(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Errorf returns a client-visible error with a code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the status code of err: its own for an *Error, the matching
// code for context errors, Internal for anything else, and OK for nil.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return Canceled
	}
	return Internal
}

// Sentinel errors. Stores and engine packages return these (or errors made
// from them with With) so that callers can test for them with errors.Is; the
// wire layer maps each to its client-facing code in one table.
var (
	// ErrNotFound: the requested record does not exist.
	ErrNotFound = NewError(NotFound, "Not found.")
	// ErrUsernameTaken: a username is unique and another account holds it.
	ErrUsernameTaken = NewError(AlreadyExists, "Username is already in use.")
	// ErrIdentityTaken: a device, custom id or email is linked to another account.
	ErrIdentityTaken = NewError(AlreadyExists, "Identity is already in use.")
	// ErrVersionMismatch: an optimistic-concurrency version check failed.
	ErrVersionMismatch = NewError(InvalidArgument, "Storage write rejected - version check failed.")
	// ErrPermission: the caller may not write or delete the object.
	ErrPermission = NewError(InvalidArgument, "Storage write rejected - permission denied.")
	// ErrDeleteRejected: a storage delete named an object it may not delete.
	ErrDeleteRejected = NewError(InvalidArgument, "Storage delete rejected - not found, version check failed, or permission denied.")
	// ErrBadCursor: a listing cursor that was not made by the server.
	ErrBadCursor = NewError(InvalidArgument, "Malformed cursor was used.")
	// ErrUnauthenticated: missing, invalid or revoked credentials.
	ErrUnauthenticated = NewError(Unauthenticated, "Auth token invalid")
	// ErrMatchNotFound: no match with that id is running.
	ErrMatchNotFound = NewError(NotFound, "Match not found")
	// ErrMatchJoinRejected: the match refused the join.
	ErrMatchJoinRejected = NewError(PermissionDenied, "Match join rejected")
	// ErrFunctionNotFound: no RPC is registered under that id.
	ErrFunctionNotFound = NewError(NotFound, "RPC function not found")
	// ErrFunction: a module function raised an error.
	ErrFunction = NewError(Internal, "Error calling runtime function")
	// ErrUnavailable: the server is shutting down or overloaded.
	ErrUnavailable = NewError(Unavailable, "Service unavailable")
)
