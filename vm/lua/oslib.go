package lua

import (
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// osFuncs is Nakama's reduced os library: time, clock, date and difftime,
// all in UTC.
var osFuncs = map[string]lua.LGFunction{
	"time":     osTime,
	"clock":    osClock,
	"date":     osDate,
	"difftime": osDifftime,
}

var processStart = time.Now()

// osClock returns the seconds since the process started.
func osClock(L *lua.LState) int {
	L.Push(lua.LNumber(time.Since(processStart).Seconds()))
	return 1
}

func osDifftime(L *lua.LState) int {
	L.Push(lua.LNumber(L.CheckInt64(1) - L.CheckInt64(2)))
	return 1
}

// osTime returns the current Unix time, or that of a date table read as
// UTC (sec, min default 0, hour 12, day, month, year -1, as Nakama).
func osTime(L *lua.LState) int {
	if L.GetTop() == 0 || L.Get(1) == lua.LNil {
		L.Push(lua.LNumber(time.Now().Unix()))
		return 1
	}
	t := L.CheckTable(1)
	field := func(name string, d int) int {
		if n, ok := t.RawGetString(name).(lua.LNumber); ok {
			return int(n)
		}
		return d
	}
	d := time.Date(field("year", -1), time.Month(field("month", -1)), field("day", -1),
		field("hour", 12), field("min", 0), field("sec", 0), 0, time.UTC)
	L.Push(lua.LNumber(d.Unix()))
	return 1
}

// gopherDate is gopher-lua's os.date, whose strftime formats dates; osDate
// always asks it for UTC.
var gopherDate = sync.OnceValue(func() lua.LGFunction {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	lua.OpenOs(L)
	return L.GetField(L.GetGlobal("os"), "date").(*lua.LFunction).GFunction
})

// osDate is os.date([format [, time]]) in UTC; a leading '!' is ignored and
// "*t" returns a table whose wday counts from 0 (Sunday), as Nakama.
func osDate(L *lua.LState) int {
	format := L.OptString(1, "%c")
	if len(format) > 0 && format[0] == '!' {
		format = format[1:]
	}
	var t time.Time
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		t = time.Unix(L.CheckInt64(2), 0).UTC()
	} else {
		t = time.Now().UTC()
	}
	if len(format) >= 2 && format[:2] == "*t" {
		L.Push(dateTable(L, t))
		return 1
	}
	L.SetTop(0)
	L.Push(lua.LString("!" + format))
	L.Push(lua.LNumber(t.Unix()))
	return gopherDate()(L)
}

func dateTable(L *lua.LState, t time.Time) *lua.LTable {
	tb := L.CreateTable(0, 9)
	for _, f := range []struct {
		k string
		v int
	}{
		{"year", t.Year()}, {"month", int(t.Month())}, {"day", t.Day()}, {"hour", t.Hour()},
		{"min", t.Minute()}, {"sec", t.Second()}, {"wday", int(t.Weekday())}, {"yday", t.YearDay()},
	} {
		tb.RawSetString(f.k, lua.LNumber(f.v))
	}
	tb.RawSetString("isdst", lua.LFalse)
	return tb
}
