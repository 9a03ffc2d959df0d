package lua

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

func TestEngineNameAndAccepts(t *testing.T) {
	e := New(Config{})
	if e.Name() != "lua" {
		t.Errorf("Name() = %q", e.Name())
	}
	for p, want := range map[string]bool{"a.lua": true, "dir/B.LUA": true, "a.wasm": false, "lua": false, "a.lua.txt": false} {
		if got := e.Accepts(p); got != want {
			t.Errorf("Accepts(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestLoadRunsModulesInNameOrderOnce(t *testing.T) {
	// b requires c, so c runs before b and is not run again; each
	// module appends its name to a shared list kept in module "log".
	src := map[string]string{
		"log.lua":     "return {}",
		"a.lua":       "local nk = require('nakama'); table.insert(require('log'), 'a')",
		"b.lua":       "local c = require('c'); table.insert(require('log'), 'b'); assert(c.name == 'c')",
		"c.lua":       "table.insert(require('log'), 'c'); return {name = 'c'}",
		"games/x.lua": "table.insert(require('log'), ...)",
		"report.lua": `local nk = require('nakama')
nk.register_rpc(function() return table.concat(require('log'), ',') end, 'order')`,
	}
	_, reg := load(t, src)
	got, err := reg.Call(bg, "order", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a,c,b,games.x"; got != want {
		t.Errorf("order = %q, want %q", got, want)
	}
}

func TestRequire(t *testing.T) {
	src := map[string]string{
		"util/strings.lua": "return {upper = string.upper}",
		"m.lua": `local nk = require('nakama')
local s = require('util.strings')
assert(require('util.strings') == s, 'require twice gives the same value')
assert(require('nakama') == nk)
assert(package.loaded['util.strings'] == s)
package.preload['virtual'] = function(name) return {name = name} end
assert(require('virtual').name == 'virtual')
assert(require('string') == string)
local ok, err = pcall(require, 'missing')
assert(not ok and err:find("module missing not found:", 1, true), err)
assert(err:find("no field package.preload['missing']", 1, true), err)
nk.register_rpc(function() return s.upper('ok') end, 't')`,
	}
	_, reg := load(t, src)
	if got, err := reg.Call(bg, "t", ""); err != nil || got != "OK" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestRequireLoop(t *testing.T) {
	_, err := newEngine(testConfig()).Load(bg, vmtest.Files(map[string]string{
		"a.lua": "require('b')",
		"b.lua": "require('a')",
	}), vmtest.NewRegistrations())
	if err == nil || !strings.Contains(err.Error(), "loop or previous error loading module: a") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  map[string]string
		path string
		line int
		msg  string
	}{
		{"syntax", map[string]string{"ok.lua": "", "bad.lua": "local x = 1\nlocal y = = 2\n"}, "bad.lua", 2, "syntax error"},
		{"syntax at end", map[string]string{"bad.lua": "function f()\n"}, "bad.lua", 2, "at end of file"},
		{"runtime", map[string]string{"bad.lua": "local x = 1\n\nerror('boom')\n"}, "bad.lua", 3, "boom"},
		{"nil index", map[string]string{"bad.lua": "local t\nlocal x = t.field\n"}, "bad.lua", 2, "attempt to index"},
		{"missing require", map[string]string{"bad.lua": "\nlocal m = require('nothere')\n"}, "bad.lua", 2, "module nothere not found"},
		{"in required module", map[string]string{"a.lua": "require('dep')", "dep.lua": "\n\nerror('deep')"}, "dep.lua", 3, "deep"},
		{"table error", map[string]string{"bad.lua": "\nerror({code = 1})"}, "bad.lua", 2, "table: "},
		{"nk error", map[string]string{"bad.lua": "local nk = require('nakama')\nnk.register_rpc(function() end, '')"}, "bad.lua", 2, "expects rpc id"},
		{"endless loop", map[string]string{"bad.lua": "while true do end"}, "bad.lua", 0, "CPU budget"},
	}
	cfg := testConfig()
	cfg.LoadBudget = 50e6
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newEngine(cfg).Load(bg, vmtest.Files(tt.src), vmtest.NewRegistrations())
			var le *module.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a LoadError", err)
			}
			if le.Path != tt.path || le.Line != tt.line || !strings.Contains(le.Err.Error(), tt.msg) {
				t.Errorf("got %s:%d %q, want %s:%d containing %q", le.Path, le.Line, le.Err, tt.path, tt.line, tt.msg)
			}
		})
	}
}

func TestLoadReportsRegistrations(t *testing.T) {
	src := map[string]string{"m.lua": `local nk = require('nakama')
nk.register_rpc(function() return 'A' end, 'First')
nk.register_rpc(function() return 'B' end, 'second')
nk.register_rpc(function() return 'C' end, 'second')
nk.register_matchmaker_matched(function() end)
nk.register_shutdown(function() end)`}
	_, reg := load(t, src)
	if len(reg.RPCs) != 2 || reg.Matchmaker == nil || len(reg.Shutdowns) != 1 {
		t.Fatalf("registered %d rpcs, matchmaker %v, %d shutdowns", len(reg.RPCs), reg.Matchmaker != nil, len(reg.Shutdowns))
	}
	if got, _ := reg.Call(bg, "first", ""); got != "A" {
		t.Errorf("first = %q", got)
	}
	if got, _ := reg.Call(bg, "second", ""); got != "C" {
		t.Errorf("second = %q, want the last registration", got)
	}
}

func TestPoolMinVMsAreCreatedOnlyWhenNeeded(t *testing.T) {
	cfg := testConfig()
	cfg.PoolMin, cfg.PoolMax = 3, 5
	inst, _ := loadWith(t, cfg, map[string]string{"m.lua": "local nk = require('nakama')\nnk.register_rpc(function() end, 'x')"})
	if n := inst.pool.size(); n != 3 {
		t.Errorf("pool has %d VMs, want PoolMin 3", n)
	}
	inst, _ = loadWith(t, cfg, map[string]string{"m.lua": "return {}"})
	if n := inst.pool.size(); n != 1 {
		t.Errorf("pool of a load without registrations has %d VMs, want 1", n)
	}
}

func TestRunOnceRunsOnce(t *testing.T) {
	cfg := testConfig()
	cfg.PoolMin = 3
	src := map[string]string{"m.lua": `local nk = require('nakama')
nk.run_once(function(context)
  assert(context.execution_mode == 'run_once' and context.env.K == 'V')
  nk.localcache_put('runs', (nk.localcache_get('runs') or 0) + 1)
end)
nk.register_rpc(function() return tostring(nk.localcache_get('runs')) end, 't')`}
	_, reg := loadWith(t, cfg, src)
	if got, err := reg.Call(context.Background(), "t", ""); err != nil || got != "1" {
		t.Errorf("run_once ran %q times (%v), want 1", got, err)
	}
}
