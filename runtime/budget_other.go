//go:build !linux

package runtime

import "time"

// threadClocks is false: budgets count wall time on this system.
const threadClocks = false

func gettid() int { return 0 }

func threadCPU(int) (time.Duration, bool) { return 0, false }
