//go:build wasip1

package arbiter

import "unsafe"

// The boundary with the host: imports of arbiter_v1 and the exports the
// host calls (ABI.md §4, §5). Everything else in the package is plain Go.

//go:wasmimport arbiter_v1 take
func take(ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport arbiter_v1 nk_call
func nkCall(namePtr unsafe.Pointer, nameLen uint32, argsPtr unsafe.Pointer, argsLen uint32) uint64

//go:wasmimport arbiter_v1 log
func logImport(level uint32, msgPtr unsafe.Pointer, msgLen uint32, fieldsPtr unsafe.Pointer, fieldsLen uint32) uint32

//go:wasmimport arbiter_v1 match_broadcast
func matchBroadcast(opCode int64, dataPtr unsafe.Pointer, dataLen uint32, toPtr unsafe.Pointer, toLen uint32, senderPtr unsafe.Pointer, senderLen uint32, flags uint32) uint64

//go:wasmimport arbiter_v1 match_kick
func matchKick(ptr unsafe.Pointer, n uint32) uint64

//go:wasmimport arbiter_v1 match_label_update
func matchLabelUpdate(ptr unsafe.Pointer, n uint32) uint64

func bytesPtr(b []byte) (unsafe.Pointer, uint32) {
	if len(b) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))
}

func stringPtr(s string) (unsafe.Pointer, uint32) {
	if len(s) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(unsafe.StringData(s)), uint32(len(s))
}

func hostTake(buf []byte) uint32 {
	p, n := bytesPtr(buf)
	return take(p, n)
}

func hostNK(name string, args []byte) uint64 {
	np, nl := stringPtr(name)
	ap, al := bytesPtr(args)
	return nkCall(np, nl, ap, al)
}

func hostLog(level int32, msg string, fields []byte) uint32 {
	mp, ml := stringPtr(msg)
	fp, fl := bytesPtr(fields)
	return logImport(uint32(level), mp, ml, fp, fl)
}

func hostBroadcast(op int64, data, to, sender []byte, flags uint32) uint64 {
	dp, dl := bytesPtr(data)
	tp, tl := bytesPtr(to)
	sp, sl := bytesPtr(sender)
	return matchBroadcast(op, dp, dl, tp, tl, sp, sl, flags)
}

func hostKick(b []byte) uint64 {
	p, n := bytesPtr(b)
	return matchKick(p, n)
}

func hostLabel(s string) uint64 {
	p, n := stringPtr(s)
	return matchLabelUpdate(p, n)
}

// inbox is the buffer arbiter_alloc handed the host last. Each call gets a
// new one that nothing writes to once the host has: the strings and data
// the SDK decodes are views of it (see view in keys.go), which the
// garbage collector keeps alive as long as a match keeps them.
var inbox []byte

//go:wasmexport arbiter_abi_version
func abiVersion() int32 { return 1 }

//go:wasmexport arbiter_alloc
func alloc(n uint32) unsafe.Pointer {
	inbox = make([]byte, n)
	return unsafe.Pointer(unsafe.SliceData(inbox))
}

func input(p unsafe.Pointer, n uint32) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}

// ret returns a reply's pointer and length to the host.
func ret(r []byte) uint64 {
	if len(r) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(r))))<<32 | uint64(len(r))
}

//go:wasmexport arbiter_init
func exportInit(p unsafe.Pointer, n uint32) uint64 { return ret(callInit(input(p, n))) }

//go:wasmexport arbiter_rpc
func exportRPC(p unsafe.Pointer, n uint32) uint64 { return ret(callRPC(input(p, n))) }

//go:wasmexport arbiter_matchmaker_matched
func exportMatchmaker(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchmaker(input(p, n))) }

//go:wasmexport arbiter_shutdown
func exportShutdown(p unsafe.Pointer, n uint32) uint64 { return ret(callShutdown(input(p, n))) }

//go:wasmexport arbiter_match_create
func exportMatchCreate(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchCreate(input(p, n))) }

//go:wasmexport arbiter_match_init
func exportMatchInit(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchInit(input(p, n))) }

//go:wasmexport arbiter_match_join_attempt
func exportMatchJoinAttempt(p unsafe.Pointer, n uint32) uint64 {
	return ret(callMatchJoinAttempt(input(p, n)))
}

//go:wasmexport arbiter_match_join
func exportMatchJoin(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchJoin(input(p, n))) }

//go:wasmexport arbiter_match_leave
func exportMatchLeave(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchLeave(input(p, n))) }

//go:wasmexport arbiter_match_loop
func exportMatchLoop(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchLoop(input(p, n))) }

//go:wasmexport arbiter_match_terminate
func exportMatchTerminate(p unsafe.Pointer, n uint32) uint64 {
	return ret(callMatchTerminate(input(p, n)))
}

//go:wasmexport arbiter_match_signal
func exportMatchSignal(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchSignal(input(p, n))) }

//go:wasmexport arbiter_match_snapshot
func exportMatchSnapshot(p unsafe.Pointer, n uint32) uint64 {
	return ret(callMatchSnapshot(input(p, n)))
}

//go:wasmexport arbiter_match_restore
func exportMatchRestore(p unsafe.Pointer, n uint32) uint64 { return ret(callMatchRestore(input(p, n))) }
