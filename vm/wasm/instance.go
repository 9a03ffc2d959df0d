package wasm

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// Status codes of replies and result words (sdk/ABI.md §4).
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

// export names an export the host calls.
type export int

const (
	exVersion export = iota
	exAlloc
	exInit
	exRPC
	exMatchmaker
	exShutdown
	exMatchCreate
	exMatchInit
	exJoinAttempt
	exJoin
	exLeave
	exLoop
	exTerminate
	exSignal
	exSnapshot
	exRestore
	numExports
)

var exportNames = [numExports]string{
	"arbiter_abi_version", "arbiter_alloc", "arbiter_init", "arbiter_rpc",
	"arbiter_matchmaker_matched", "arbiter_shutdown", "arbiter_match_create",
	"arbiter_match_init", "arbiter_match_join_attempt", "arbiter_match_join",
	"arbiter_match_leave", "arbiter_match_loop", "arbiter_match_terminate",
	"arbiter_match_signal", "arbiter_match_snapshot", "arbiter_match_restore",
}

func (x export) String() string { return exportNames[x] }

// CallError is a call into a guest that failed: a trap, an exit, an
// overrun of its deadline (errors.Is(err, context.DeadlineExceeded)) or a
// reply that broke the ABI. The instance is not called again.
type CallError struct {
	Path   string // the module's file
	Export string
	Err    error
}

func (e *CallError) Error() string { return fmt.Sprintf("wasm %s: %s: %v", e.Path, e.Export, e.Err) }

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// guestError is an ERROR, NOT_FOUND or MALFORMED reply of a guest.
type guestError struct {
	status  byte
	message string
	code    runtime.Code
}

func (e *guestError) Error() string { return e.message }

// instance is one instantiated guest. One goroutine uses it at a time: the
// call fields are set by that goroutine before an export call and read by
// the host functions the guest calls during it.
type instance struct {
	m     *Module
	mod   api.Module
	mem   api.Memory
	fns   [numExports]api.Function
	stack [2]uint64
	in    abi.Encoder // the input of the export call being made
	out   abi.Encoder // the pending reply of an import

	pending bool
	call    nk.Call
	disp    match.Dispatcher
	broken  bool
}

// begin sets the environment of the next export calls.
func (i *instance) begin(c *runtime.CallContext, reg nk.Registrar, d match.Dispatcher) {
	i.call = nk.Call{Context: c, Module: i.m.name, Registrar: reg, Logger: i.m.nkLog}
	i.disp = d
}

// end clears it.
func (i *instance) end() {
	i.call = nk.Call{}
	i.disp = nil
	i.pending = false
}

// close releases the instance.
func (i *instance) close() {
	i.m.e.instances.Delete(i.mod)
	_ = i.mod.Close(context.Background())
}

// invoke calls export ex with the encoded input and returns the reply's
// status and value. ERROR, NOT_FOUND and MALFORMED replies are returned as
// a *guestError with their status; other failures as a *CallError.
func (i *instance) invoke(ctx context.Context, ex export, input []byte) (byte, any, error) {
	fn := i.fns[ex]
	if fn == nil {
		return 0, nil, i.fail(ex, errors.New("not exported"))
	}
	if err := ctx.Err(); err != nil {
		// Past its deadline already: wazero would notice only once its
		// watcher goroutine runs, which a short call can outrun.
		return 0, nil, i.fail(ex, err)
	}
	var ptr uint32
	if len(input) > 0 {
		i.stack[0] = uint64(len(input))
		if err := i.fns[exAlloc].CallWithStack(ctx, i.stack[:]); err != nil {
			return 0, nil, i.fail(exAlloc, err)
		}
		ptr = uint32(i.stack[0])
		if ptr == 0 || !i.mem.Write(ptr, input) {
			return 0, nil, i.fail(exAlloc, fmt.Errorf("returned an invalid buffer %#x for %d bytes", ptr, len(input)))
		}
	}
	i.stack[0], i.stack[1] = uint64(ptr), uint64(len(input))
	err := fn.CallWithStack(ctx, i.stack[:])
	i.pending = false
	if err != nil {
		return 0, nil, i.fail(ex, err)
	}
	return i.reply(ex, i.stack[0])
}

// reply reads and decodes the reply a call returned.
func (i *instance) reply(ex export, word uint64) (byte, any, error) {
	ptr, n := uint32(word>>32), uint32(word)
	if n == 0 {
		return statusOK, nil, nil
	}
	if n > abi.MaxMessageBytes {
		return 0, nil, i.fail(ex, fmt.Errorf("reply of %d bytes exceeds %d", n, abi.MaxMessageBytes))
	}
	b, ok := i.mem.Read(ptr, n)
	if !ok {
		return 0, nil, i.fail(ex, fmt.Errorf("reply [%#x, +%d) lies outside memory", ptr, n))
	}
	status := b[0]
	var v any
	if len(b) > 1 {
		var err error
		if v, err = abi.Decode(b[1:]); err != nil {
			return 0, nil, i.fail(ex, fmt.Errorf("reply: %w", err))
		}
	}
	switch status {
	case statusOK, statusNilState:
		return status, v, nil
	case statusError, statusNotFound, statusMalformed:
		msg, code := errorOf(v)
		return status, nil, &guestError{status: status, message: msg, code: code}
	}
	return 0, nil, i.fail(ex, fmt.Errorf("reply has unknown status %d", status))
}

// fail marks the instance broken and returns the error of a failed call.
func (i *instance) fail(ex export, err error) error {
	i.broken = true
	return &CallError{Path: i.m.file.Path, Export: ex.String(), Err: err}
}

// errorOf reads an error map.
func errorOf(v any) (string, runtime.Code) {
	m, _ := v.(map[string]any)
	msg, _ := m["message"].(string)
	code := runtime.Internal
	if c, ok := nk.AsInt(m["code"]); ok && c > 0 && c <= int64(runtime.Unauthenticated) {
		code = runtime.Code(c)
	}
	return msg, code
}

// read returns a view of guest memory, false when it lies outside.
func (i *instance) read(ptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	return i.mem.Read(ptr, n)
}

// result makes a result word with the encoder's bytes as the pending reply.
func (i *instance) result(status byte) uint64 {
	i.pending = i.out.Len() > 0
	return uint64(status)<<32 | uint64(i.out.Len())
}

// errResult makes a result word with an error map as the pending reply.
func (i *instance) errResult(status byte, err error) uint64 {
	code := runtime.Code(0)
	var ne *nk.Error
	var re *runtime.Error
	switch {
	case errors.As(err, &ne):
		code = ne.Code
	case errors.As(err, &re):
		code = re.Code
	}
	i.out.Reset()
	n := 1
	if code != 0 {
		n = 2
	}
	i.out.Map(n)
	i.out.Key("message")
	i.out.String(err.Error())
	if code != 0 {
		i.out.Key("code")
		i.out.Int(int64(code))
	}
	return i.result(status)
}

// bare makes a result word with no pending reply.
func (i *instance) bare(status byte) uint64 {
	i.out.Reset()
	i.pending = false
	return uint64(status) << 32
}
