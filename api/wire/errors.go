package wire

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
)

// This file is the one place where engine errors become wire codes: HTTP
// statuses for REST (as grpc-gateway maps gRPC codes, which Nakama's clients
// expect) and rtapi.Error codes for the realtime socket.

// HTTPStatus returns the HTTP status Nakama's gateway uses for code.
func HTTPStatus(code runtime.Code) int {
	switch code {
	case runtime.OK:
		return http.StatusOK
	case runtime.Canceled:
		return http.StatusRequestTimeout // grpc-gateway v2's mapping
	case runtime.InvalidArgument, runtime.FailedPrecondition, runtime.OutOfRange:
		return http.StatusBadRequest
	case runtime.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case runtime.NotFound:
		return http.StatusNotFound
	case runtime.AlreadyExists, runtime.Aborted:
		return http.StatusConflict
	case runtime.PermissionDenied:
		return http.StatusForbidden
	case runtime.Unauthenticated:
		return http.StatusUnauthorized
	case runtime.ResourceExhausted:
		return http.StatusTooManyRequests
	case runtime.Unimplemented:
		return http.StatusNotImplemented
	case runtime.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Public returns the code and message a client may see for err. Errors that
// are not *runtime.Error (a store failure, a bug) are reported as Internal
// with a generic message; the caller logs the real one.
func Public(err error) (runtime.Code, string) {
	var e *runtime.Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	code := runtime.CodeOf(err)
	switch code {
	case runtime.DeadlineExceeded:
		return code, "Deadline exceeded"
	case runtime.Canceled:
		return code, "Request canceled"
	}
	return runtime.Internal, "Internal server error"
}

// RealtimeCode returns the rtapi error code the socket sends for err.
func RealtimeCode(err error) rtapi.Error_Code {
	switch {
	case errors.Is(err, runtime.ErrMatchNotFound):
		return rtapi.Error_MATCH_NOT_FOUND
	case errors.Is(err, runtime.ErrMatchJoinRejected):
		return rtapi.Error_MATCH_JOIN_REJECTED
	case errors.Is(err, runtime.ErrFunctionNotFound):
		return rtapi.Error_RUNTIME_FUNCTION_NOT_FOUND
	case errors.Is(err, runtime.ErrFunction):
		return rtapi.Error_RUNTIME_FUNCTION_EXCEPTION
	}
	switch runtime.CodeOf(err) {
	case runtime.InvalidArgument, runtime.NotFound, runtime.AlreadyExists,
		runtime.FailedPrecondition, runtime.OutOfRange, runtime.PermissionDenied:
		return rtapi.Error_BAD_INPUT
	}
	return rtapi.Error_RUNTIME_EXCEPTION
}

// ErrorJSON is the REST error body: Nakama's gateway fields code and
// message, plus error (the same message) as its RPC endpoint writes.
func ErrorJSON(code runtime.Code, msg string) []byte {
	m, _ := json.Marshal(msg)
	b := make([]byte, 0, 48+2*len(m))
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"error":`...)
	b = append(b, m...)
	b = append(b, `,"message":`...)
	b = append(b, m...)
	return append(b, '}')
}
