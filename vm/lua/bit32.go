package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// bit32Funcs is Lua 5.2's bit32 library, as Nakama provides it: arguments
// are reduced modulo 2^32 and results are unsigned 32-bit numbers.
var bit32Funcs = map[string]lua.LGFunction{
	"arshift": bitArshift,
	"band":    bitBand,
	"bnot":    bitBnot,
	"bor":     bitBor,
	"btest":   bitBtest,
	"bxor":    bitBxor,
	"extract": bitExtract,
	"replace": bitReplace,
	"lrotate": bitLrotate,
	"rrotate": bitRrotate,
	"lshift":  bitLshift,
	"rshift":  bitRshift,
}

const bitCount = 32

// checkU32 returns argument n reduced modulo 2^32.
func checkU32(L *lua.LState, n int) uint32 {
	f := float64(L.CheckNumber(n))
	return uint32(int64(math.Floor(f)))
}

func pushU32(L *lua.LState, r uint32) int {
	L.Push(lua.LNumber(r))
	return 1
}

// shift shifts left by disp, or right by -disp when negative.
func shift(r uint32, disp int) uint32 {
	switch {
	case disp <= -bitCount || disp >= bitCount:
		return 0
	case disp < 0:
		return r >> uint(-disp)
	default:
		return r << uint(disp)
	}
}

func rotate(r uint32, disp int) uint32 {
	d := uint(disp & (bitCount - 1))
	return r<<d | r>>(bitCount-d)
}

func bitLshift(L *lua.LState) int { return pushU32(L, shift(checkU32(L, 1), L.CheckInt(2))) }
func bitRshift(L *lua.LState) int { return pushU32(L, shift(checkU32(L, 1), -L.CheckInt(2))) }
func bitLrotate(L *lua.LState) int {
	return pushU32(L, rotate(checkU32(L, 1), L.CheckInt(2)))
}
func bitRrotate(L *lua.LState) int {
	return pushU32(L, rotate(checkU32(L, 1), -L.CheckInt(2)))
}
func bitBnot(L *lua.LState) int { return pushU32(L, ^checkU32(L, 1)) }

func bitArshift(L *lua.LState) int {
	r, disp := checkU32(L, 1), L.CheckInt(2)
	if disp < 0 || r&(1<<(bitCount-1)) == 0 {
		return pushU32(L, shift(r, -disp))
	}
	if disp >= bitCount {
		return pushU32(L, math.MaxUint32)
	}
	return pushU32(L, r>>uint(disp)|^(math.MaxUint32>>uint(disp)))
}

// fold combines every argument with op, starting from init.
func fold(L *lua.LState, init uint32, op func(a, b uint32) uint32) uint32 {
	r := init
	for i := 1; i <= L.GetTop(); i++ {
		r = op(r, checkU32(L, i))
	}
	return r
}

func and(a, b uint32) uint32 { return a & b }
func or(a, b uint32) uint32  { return a | b }
func xor(a, b uint32) uint32 { return a ^ b }

func bitBand(L *lua.LState) int { return pushU32(L, fold(L, math.MaxUint32, and)) }
func bitBor(L *lua.LState) int  { return pushU32(L, fold(L, 0, or)) }
func bitBxor(L *lua.LState) int { return pushU32(L, fold(L, 0, xor)) }
func bitBtest(L *lua.LState) int {
	L.Push(lua.LBool(fold(L, math.MaxUint32, and) != 0))
	return 1
}

// fieldArgs checks the field and width arguments starting at n.
func fieldArgs(L *lua.LState, n int) (field, width int) {
	field, width = L.CheckInt(n), L.OptInt(n+1, 1)
	if field < 0 {
		L.ArgError(n, "field cannot be negative")
	}
	if width <= 0 {
		L.ArgError(n+1, "width must be positive")
	}
	if field+width > bitCount {
		L.RaiseError(msgNonExistent)
	}
	return field, width
}

func mask(width int) uint32 { return ^(math.MaxUint32 << uint(width-1) << 1) }

func bitExtract(L *lua.LState) int {
	r := checkU32(L, 1)
	field, width := fieldArgs(L, 2)
	return pushU32(L, r>>uint(field)&mask(width))
}

func bitReplace(L *lua.LState) int {
	r, v := checkU32(L, 1), checkU32(L, 2)
	field, width := fieldArgs(L, 3)
	m := mask(width)
	return pushU32(L, r&^(m<<uint(field))|(v&m)<<uint(field))
}
