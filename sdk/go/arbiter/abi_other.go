//go:build !wasip1

package arbiter

// Outside WebAssembly there is no host: host calls answer NOT_ALLOWED, so
// the package builds and its logic can be tested natively. hostStub, when
// set, answers instead (tests).

// hostStub fakes the host in native tests (which are built for !wasip1
// only, like this file). Nil: no host.
var hostStub interface {
	NK(name string, args []byte) (status uint32, reply []byte)
	Dispatch(op string, args ...[]byte) (status uint32, reply []byte)
	Log(level int32, msg string, fields []byte)
}

var pending []byte

func word(status uint32, reply []byte) uint64 {
	pending = reply
	return uint64(status)<<32 | uint64(len(reply))
}

func hostTake(buf []byte) uint32 {
	if pending == nil {
		return statusNotFound
	}
	copy(buf, pending)
	pending = nil
	return statusOK
}

func hostNK(name string, args []byte) uint64 {
	if hostStub == nil {
		return word(statusNotAllowed, nil)
	}
	return word(hostStub.NK(name, args))
}

func hostLog(level int32, msg string, fields []byte) uint32 {
	if hostStub != nil {
		hostStub.Log(level, msg, fields)
	}
	return statusOK
}

func hostBroadcast(op int64, data, to, sender []byte, flags uint32) uint64 {
	if hostStub == nil {
		return word(statusNotAllowed, nil)
	}
	return word(hostStub.Dispatch("broadcast", data, to, sender, []byte{byte(flags)}))
}

func hostKick(b []byte) uint64 {
	if hostStub == nil {
		return word(statusNotAllowed, nil)
	}
	return word(hostStub.Dispatch("kick", b))
}

func hostLabel(s string) uint64 {
	if hostStub == nil {
		return word(statusNotAllowed, nil)
	}
	return word(hostStub.Dispatch("label", []byte(s)))
}
