package lua

import (
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// TestSharedLibsStayPerVM checks that what a module does to the libraries
// stays in its own VM and never reaches the shared tables.
func TestSharedLibsStayPerVM(t *testing.T) {
	before := sharedKeys()
	tamper := `
function string.split(s, sep)
  local out = {}
  for piece in string.gmatch(s, "([^" .. sep .. "]+)") do out[#out + 1] = piece end
  return out
end
table.unpack = table.unpack or unpack
math.answer = 42
string.upper = nil
print = nil
loadstring = nil
myglobal = 1
rawset(string, "lower", function() return "mine" end)
getmetatable("").__index.rep = function() return "rep" end
os.time = function() return 7 end
pcall(setmetatable, math, {})
`
	src := matchModule(map[string]string{"match_signal": `
local parts = ("a,b"):split(",")
return state, table.concat({#parts, tostring(math.answer), string.lower("X"), ("x"):rep(3),
  tostring(os.time()), type(table.unpack), tostring(string.upper), tostring(getmetatable(string)),
  tostring(getmetatable("").__index == string)}, " ")`,
		"match_loop": `assert(print == nil and loadstring == nil and myglobal == 1) return state`})
	clean := matchModule(map[string]string{"match_signal": `
return state, table.concat({tostring(string.split), tostring(math.answer), string.lower("X"),
  ("x"):rep(3), tostring(os.time() > 7), tostring(math.floor(1.5)), tostring(myglobal), type(print)}, " ")`})
	inst, _ := load(t, map[string]string{"dirty.lua": tamper + src, "clean.lua": clean})
	signal := func(name string) string {
		t.Helper()
		h, err := inst.NewHandler(bg, name, vmtest.Env(name, &vmtest.Dispatcher{}))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		got, err := h.Signal(bg, 0, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return got
	}
	if got, want := signal("dirty"), "2 42 mine rep 7 function nil nil true"; got != want {
		t.Errorf("tampering VM sees %q, want %q", got, want)
	}
	if got, want := signal("clean"), "nil nil x xxx true 1 nil function"; got != want {
		t.Errorf("other VM sees %q, want %q", got, want)
	}
	if after := sharedKeys(); len(after) != len(before) {
		t.Errorf("shared tables changed: %d keys before, %d after", len(before), len(after))
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("shared %s changed", k)
			}
		}
	}
}

// sharedKeys lists every shared library entry.
func sharedKeys() map[string]lua.LValue {
	out := map[string]lua.LValue{}
	sh := libs()
	sh.globals.ForEach(func(k, v lua.LValue) { out["_G."+k.String()] = v })
	sh.gmeta.ForEach(func(k, v lua.LValue) { out["_G meta."+k.String()] = v })
	for _, lib := range sh.libs {
		lib.table.ForEach(func(k, v lua.LValue) { out[lib.name+"."+k.String()] = v })
		lib.meta.ForEach(func(k, v lua.LValue) { out[lib.name+" meta."+k.String()] = v })
	}
	return out
}

// TestLazyCopiesLookFull checks that the globals and the libraries, lazy
// copies of the shared ones, look like full tables to every way of
// looking.
func TestLazyCopiesLookFull(t *testing.T) {
	tests := []struct {
		name, code, want string
		matchOnly        bool // the pool's globals are a read-only proxy
	}{
		{"pairs globals", "local n = 0 for k in pairs(_G) do if k == 'print' or k == 'ipairs' then n = n + 1 end end return tostring(n)", "2", false},
		{"next globals", "local k = next(_G) return tostring(k ~= nil)", "true", false},
		{"rawget global", "return type(rawget(_G, 'tostring'))", "function", false},
		{"pairs string", "local n = 0 for k in pairs(string) do n = n + 1 end return tostring(n >= 15)", "true", false},
		{"rawget math", "return tostring(rawget(math, 'pi'))", tostringPi, false},
		{"getmetatable lib", "return tostring(getmetatable(string)) .. tostring(getmetatable(math))", "nilnil", false},
		{"getmetatable globals", "return tostring(getmetatable(_G))", "nil", true},
		{"setmetatable globals", "setmetatable(_G, {__index = function(_, k) return 'missing ' .. k end}) return tostring(type(print)) .. ' ' .. undefined_name", "function missing undefined_name", true},
		{"nil removes", "math.floor = nil return tostring(math.floor)", "nil", false},
		{"json of lib", "return nk.json_encode({n = #string.rep('a', 3)})", `{"n":3}`, false},
		{"method added", "function string.shout(s) return s:upper() .. '!' end return ('hi'):shout()", "HI!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.matchOnly {
				got, err := rpc(t, rpcBody(tt.code))("")
				if err != nil || got != tt.want {
					t.Errorf("rpc: got %q, %v; want %q", got, err, tt.want)
				}
			}
			h, _ := newMatch(t, map[string]string{"match_signal": "return state, (function() " + tt.code + " end)()"})
			got, err := h.Signal(bg, 0, "")
			if err != nil || got != tt.want {
				t.Errorf("match: got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

const tostringPi = "3.141592653589793"
