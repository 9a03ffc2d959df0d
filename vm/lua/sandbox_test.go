package lua

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestSandboxRefuses checks that each way out of the sandbox fails.
func TestSandboxRefuses(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{"io", "return io.open('/etc/passwd')", "attempt to index a non-table object(nil) with key 'open'"},
		{"os.execute", "return os.execute('true')", "attempt to call a non-function object"},
		{"os.getenv", "return os.getenv('HOME')", "attempt to call a non-function object"},
		{"os.exit", "os.exit(1)", "attempt to call a non-function object"},
		{"os.remove", "os.remove('/tmp/x')", "attempt to call a non-function object"},
		{"debug", "return debug.traceback()", "attempt to index a non-table object(nil) with key 'traceback'"},
		{"coroutine", "return coroutine.create(print)", "attempt to index a non-table object(nil) with key 'create'"},
		{"loadfile", "return loadfile('/etc/passwd')", "attempt to call a non-function object"},
		{"dofile", "return dofile('/etc/passwd')", "attempt to call a non-function object"},
		{"string.dump", "return string.dump(print)", "unable to dump given function"},
		{"bytecode via load", "local f, err = load('\\27Lua\\81\\0'); error(err)", "precompiled bytecode is not allowed"},
		{"bytecode via loadstring", "local f, err = loadstring('\\27Lua'); error(err)", "precompiled bytecode is not allowed"},
		{"bytecode via reader", "local n = 0; local f, err = load(function() n = n + 1; if n == 1 then return '\\27' end end); error(err)", "precompiled bytecode is not allowed"},
		{"loadlib", "package.loadlib('x.so', 'f')", "loadlib is not supported"},
		{"require io", "require('io')", "module io not found"},
		{"string.rep bomb", "return string.rep('x', 1e12)", "resulting string too large"},
		{"method rep bomb", "return ('xy'):rep(2^40)", "resulting string too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rpc(t, rpcBody(tt.code))("")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestSandboxAllows checks what the sandbox keeps.
func TestSandboxAllows(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{"load source", "return tostring(load('return 1 + 1')())", "2"},
		{"load reader", "local parts = {'return ', '40 + 2'}; local i = 0; return tostring(load(function() i = i + 1; return parts[i] end)())", "42"},
		{"loadstring", "return loadstring('return ...')('x')", "x"},
		{"load syntax error", "local f, err = loadstring('return +'); return tostring(f == nil) .. ' ' .. tostring(err ~= nil)", "true true"},
		{"string methods", "return ('%d-%s'):format(1, 'a'):upper()", "1-A"},
		{"table", "local t = {3, 1, 2}; table.sort(t); return table.concat(t, ',')", "1,2,3"},
		{"math", "return tostring(math.floor(math.max(1.5, 2.5)))", "2"},
		{"collectgarbage", "return tostring(collectgarbage('count'))", "0"},
		{"pcall", "local ok, err = pcall(error, 'x', 0); return tostring(ok) .. err", "falsex"},
		{"os.time", "return tostring(os.time() > 1e9)", "true"},
		{"os.time table", "return tostring(os.time({year = 2000, month = 1, day = 1, hour = 0}))", "946684800"},
		{"os.time default hour", "return tostring(os.time({year = 2000, month = 1, day = 1}))", "946728000"},
		{"os.date", "return os.date('%Y-%m-%d %H:%M:%S', 86400)", "1970-01-02 00:00:00"},
		{"os.date bang", "return os.date('!%Y', 0)", "1970"},
		{"os.date *t", "local d = os.date('*t', 0); return d.year .. d.month .. d.day .. d.hour .. d.wday .. d.yday .. tostring(d.isdst)", "197011041false"},
		{"os.clock", "return tostring(os.clock() >= 0)", "true"},
		{"os.difftime", "return tostring(os.difftime(10, 4))", "6"},
		{"getmetatable string", "return getmetatable('').__index == string and 'yes' or 'no'", "yes"},
		{"metatable protection", "local t = setmetatable({}, {__metatable = 'locked'}); return getmetatable(t)", "locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rpc(t, rpcBody(tt.code))("")
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBit32(t *testing.T) {
	tests := []struct{ code, want string }{
		{"bit32.band(0xff, 0x0f)", "15"},
		{"bit32.band()", "4294967295"},
		{"bit32.bor(1, 2, 4)", "7"},
		{"bit32.bxor(5, 3)", "6"},
		{"bit32.bnot(0)", "4294967295"},
		{"bit32.bnot(-1)", "0"},
		{"bit32.band(-1)", "4294967295"},
		{"bit32.band(2^32 + 5)", "5"},
		{"bit32.lshift(1, 31)", "2147483648"},
		{"bit32.lshift(1, 32)", "0"},
		{"bit32.lshift(8, -2)", "2"},
		{"bit32.rshift(0x80000000, 31)", "1"},
		{"bit32.rshift(1, -3)", "8"},
		{"bit32.arshift(0x80000000, 4)", "4160749568"},
		{"bit32.arshift(0x80000000, 40)", "4294967295"},
		{"bit32.arshift(0x40000000, 4)", "67108864"},
		{"bit32.arshift(1, -1)", "2"},
		{"bit32.lrotate(0x80000001, 1)", "3"},
		{"bit32.rrotate(3, 1)", "2147483649"},
		{"bit32.lrotate(5, 32)", "5"},
		{"bit32.extract(0xf0, 4, 4)", "15"},
		{"bit32.extract(0x80000000, 31)", "1"},
		{"bit32.replace(0, 7, 4, 3)", "112"},
		{"bit32.replace(0xffffffff, 0, 0, 32)", "0"},
		{"tostring(bit32.btest(1, 2))", "false"},
		{"tostring(bit32.btest(3, 2))", "true"},
	}
	var b strings.Builder
	for i, tt := range tests {
		if i > 0 {
			b.WriteString(" .. ',' .. ")
		}
		b.WriteString("tostring(" + tt.code + ")")
	}
	got, err := rpc(t, rpcBody("return "+b.String()))("")
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range strings.Split(got, ",") {
		if g != tests[i].want {
			t.Errorf("%s = %s, want %s", tests[i].code, g, tests[i].want)
		}
	}
	for _, bad := range []string{"bit32.extract(1, 30, 3)", "bit32.replace(1, 1, 32)", "bit32.extract(1, -1)", "bit32.extract(1, 0, 0)"} {
		if _, err := rpc(t, rpcBody("return "+bad))(""); err == nil {
			t.Errorf("%s did not fail", bad)
		} else if strings.Contains(bad, "30") && !strings.Contains(err.Error(), msgNonExistent) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestPrintLogs(t *testing.T) {
	var buf bytes.Buffer
	cfg := testConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	_, reg := loadWith(t, cfg, map[string]string{"game.lua": "local nk = require('nakama')\n" + rpcBody("print('hello', 42, nil)")})
	if _, err := reg.Call(bg, "t", ""); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, `msg="hello\t42\tnil"`) || !strings.Contains(out, "module=game") {
		t.Errorf("log = %s", out)
	}
}

// TestReadOnlyGlobals checks that pooled VMs refuse writes to globals after
// loading, while top-level code may define them.
func TestReadOnlyGlobals(t *testing.T) {
	src := "helper = function() return 'h' end\n"
	tests := []struct{ name, code, want string }{
		{"write", "x = 1", msgReadOnly},
		{"overwrite", "print = nil", msgReadOnly},
		{"rawset", "rawset(_G, 'x', 1)", msgReadOnly},
		{"via _G", "_G.x = 1", msgReadOnly},
		{"via getfenv", "getfenv(1).x = 1", msgReadOnly},
		{"setmetatable", "setmetatable(_G, nil)", "cannot change a protected metatable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rpc(t, src+rpcBody(tt.code))("")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	reads := "local n = 0; for k in pairs(_G) do n = n + 1 end\n" +
		"local k = next(_G); assert(k ~= nil)\n" +
		"assert(rawget(_G, 'print') == print and _G._G == _G and getmetatable(_G) == false)\n" +
		"local t = {}; t.x = 1; rawset(t, 'y', 2)\n" +
		"return helper() .. tostring(n > 10) .. t.x .. t.y"
	if got, err := rpc(t, src+rpcBody(reads))(""); err != nil || got != "htrue12" {
		t.Errorf("reads: %q, %v", got, err)
	}
}
