package lua

import (
	"fmt"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// memCheckInterval is the least time between two estimates of a match
// VM's memory, taken after a call; match_init is always checked. An
// estimate walks the VM's values (about 15µs for a small match), so
// spacing them in time keeps their cost per call negligible at any tick
// rate. The clock is read every memClockEvery calls only.
const (
	memCheckInterval = time.Second
	memClockEvery    = 8
)

// Rough sizes of gopher-lua's structures on a 64-bit Go, in bytes, for the
// estimate: a table, an array slot, a hash entry (value, key, the key list
// and its index), a string header, a function and an upvalue.
const (
	costTable    = 96
	costSlot     = 16
	costEntry    = 80
	costString   = 16
	costFunction = 80
	costUpvalue  = 48
)

// memCheck estimates the memory a match VM holds by walking what it can
// reach (its state, globals, loaded modules, context and callbacks'
// upvalues), counting tables, entries, functions and string bytes. The
// walk stops as soon as the estimate passes the limit, so its work is
// bounded by the limit whatever the VM holds.
type memCheck struct {
	limit    int64
	interval time.Duration
	last     time.Time
	calls    int
	used     int64
	*walk    // borrowed from walks during an estimate
}

// walk is an estimate's scratch space, shared through a pool: a match
// that kept its own would hold a map the size of its VM between checks.
type walk struct {
	seen  map[any]struct{}
	stack []lua.LValue
}

var walks = sync.Pool{New: func() any { return &walk{seen: map[any]struct{}{}} }}

// check estimates the memory once interval has passed since the last
// estimate (or when force is set) and fails when it is over the limit.
func (m *memCheck) check(h *handler, force bool) error {
	if m.limit <= 0 {
		return nil
	}
	m.calls++
	if !force && m.interval > 0 && m.calls%memClockEvery != 0 {
		return nil
	}
	now := time.Now()
	if !force && now.Sub(m.last) < m.interval {
		return nil
	}
	m.last = now
	if used := m.estimate(h); used > m.limit {
		return fmt.Errorf("%w of %s", ErrMemoryLimit, formatBytes(m.limit))
	}
	return nil
}

// estimate returns the estimated bytes h's VM holds, or a value past the
// limit as soon as it is known to be over.
func (m *memCheck) estimate(h *handler) int64 {
	m.walk = walks.Get().(*walk)
	defer func() {
		clear(m.seen)
		clear(m.stack)
		m.stack = m.stack[:0]
		walks.Put(m.walk)
		m.walk = nil
	}()
	for _, t := range libs().tables { // shared: not this VM's memory
		m.seen[t] = struct{}{}
	}
	m.used = 0
	m.stack = append(m.stack[:0], h.state, h.L.G.Global, h.loaded, h.ctx)
	for _, fn := range h.fns {
		if fn != nil { // match_signal may be missing: no typed nil on the stack
			m.stack = append(m.stack, fn)
		}
	}
	for len(m.stack) > 0 && m.used <= m.limit {
		v := m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
		m.visit(v)
	}
	return m.used
}

// visit counts one value and queues what it refers to.
func (m *memCheck) visit(v lua.LValue) {
	switch x := v.(type) {
	case lua.LString:
		m.used += costString + int64(len(x))
	case *lua.LTable:
		if m.mark(x) {
			m.table(x)
		}
	case *lua.LFunction:
		if m.mark(x) {
			m.function(x)
		}
	}
}

// mark reports whether p is seen for the first time.
func (m *memCheck) mark(p any) bool {
	if _, ok := m.seen[p]; ok {
		return false
	}
	m.seen[p] = struct{}{}
	return true
}

// table counts t's array part by index and its hash part with Next, whose
// keys are already boxed (ForEach would allocate one per key).
func (m *memCheck) table(t *lua.LTable) {
	m.used += costTable
	if t.Metatable != lua.LNil {
		m.stack = append(m.stack, t.Metatable)
	}
	n := t.MaxN()
	for i := 1; i <= n && m.used <= m.limit; i++ {
		m.used += costSlot
		m.refer(t.RawGetInt(i))
	}
	var k lua.LValue = lua.LNil
	if n > 0 {
		k = lua.LNumber(n)
	}
	for k, v := t.Next(k); k != lua.LNil && m.used <= m.limit; k, v = t.Next(k) {
		m.used += costEntry
		m.refer(k)
		m.refer(v)
	}
}

// refer counts a value held in a slot: strings and Go functions at once,
// tables and Lua functions when visited.
func (m *memCheck) refer(v lua.LValue) {
	switch x := v.(type) {
	case lua.LString:
		m.used += int64(len(x))
	case *lua.LFunction:
		if x.IsG {
			m.used += costFunction
			return
		}
		m.stack = append(m.stack, x)
	case *lua.LTable:
		m.stack = append(m.stack, x)
	}
}

func (m *memCheck) function(fn *lua.LFunction) {
	m.used += costFunction
	for _, uv := range fn.Upvalues {
		m.used += costUpvalue
		if uv != nil {
			m.refer(uv.Value())
		}
	}
}

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
