package arbiter

import "unsafe"

// The hot path of match callbacks does as little as it can, for a reason
// particular to Go guests. The server stops a guest that overruns its CPU
// budget by checking at every loop back-edge (wazero's close-on-context-
// done), and each check leaves the compiled code for the host. Go's wasm
// backend compiles every function into a loop over a jump table, so a
// function call, and every jump between blocks, is a back-edge: Go guests
// pay that exit many times per message. So inputs are read entry by entry
// (abi.Decoder.EnterMap) rather than through callbacks, keys are compared
// inline in pieces of at most 6 bytes (which the compiler turns into
// byte comparisons instead of calls to memequal, a loop over bytes on
// wasm), and strings and data are views of the call's input instead of
// copies.

func isTick(k []byte) bool    { return string(k) == "tick" }
func isContext(k []byte) bool { return len(k) == 7 && string(k[:6]) == "contex" && k[6] == 't' }
func isMessages(k []byte) bool {
	return len(k) == 8 && string(k[:4]) == "mess" && string(k[4:]) == "ages"
}
func isPresences(k []byte) bool {
	return len(k) == 9 && string(k[:5]) == "prese" && string(k[5:]) == "nces"
}
func isSender(k []byte) bool { return string(k) == "sender" }
func isOpCode(k []byte) bool { return len(k) == 7 && string(k[:6]) == "op_cod" && k[6] == 'e' }
func isData(k []byte) bool   { return string(k) == "data" }
func isReliable(k []byte) bool {
	return len(k) == 8 && string(k[:4]) == "reli" && string(k[4:]) == "able"
}
func isReceiveTimeMs(k []byte) bool {
	return len(k) == 15 && string(k[:5]) == "recei" && string(k[5:10]) == "ve_ti" && string(k[10:]) == "me_ms"
}
func isUserID(k []byte) bool { return len(k) == 7 && string(k[:6]) == "user_i" && k[6] == 'd' }
func isSessionID(k []byte) bool {
	return len(k) == 10 && string(k[:5]) == "sessi" && string(k[5:]) == "on_id"
}
func isUsername(k []byte) bool {
	return len(k) == 8 && string(k[:4]) == "user" && string(k[4:]) == "name"
}
func isNode(k []byte) bool   { return string(k) == "node" }
func isReason(k []byte) bool { return string(k) == "reason" }

// view returns b as a string without copying. Only for bytes of a call's
// input: the SDK gives the host a new buffer for every call and never
// writes to it again, so the string stays unchanged for as long as it
// lives (and keeps the buffer alive).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
