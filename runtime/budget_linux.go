package runtime

import (
	"syscall"
	"time"
	"unsafe"
)

// threadClocks says the per-thread CPU clocks of Linux are available.
const threadClocks = true

func gettid() int { return syscall.Gettid() }

// threadCPU returns the CPU time thread tid of this process has used, read
// from its per-thread clock (Linux's MAKE_THREAD_CPUCLOCK(tid, SCHED)).
func threadCPU(tid int) (time.Duration, bool) {
	clock := int64(^uint64(tid)<<3 | 6)
	var ts syscall.Timespec
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, uintptr(clock), uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
