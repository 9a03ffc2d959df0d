package lua

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// Hot reload support: reload policies, snapshots of a match's state and
// handlers restored from them. See doc.go ("Hot reload").

var (
	_ module.Policies = (*Instance)(nil)
	_ module.Trimmer  = (*Instance)(nil)
	_ match.Restorer  = (*Instance)(nil)

	_ match.Snapshotter = (*handler)(nil)
)

// reloadKey is the match module table's key for its reload policy.
const reloadKey = "reload"

// readPolicies reads the reload policy of each match module (a module whose
// table has a match_init function) from the first VM's loaded modules: the
// table's reload field, "keep" (the default) or "migrate". Any other value
// is a LoadError naming the file and the line of the field.
func (in *Instance) readPolicies(first *pooled, files []module.File) error {
	in.policies = map[string]module.Policy{}
	for _, c := range in.prog.order {
		t, ok := first.loaded.RawGetString(c.name).(*lua.LTable)
		if !ok {
			continue
		}
		if _, ok := t.RawGetString(callbackNames[cbInit]).(*lua.LFunction); !ok {
			continue
		}
		var p module.Policy
		var err error
		switch v := t.RawGetString(reloadKey).(type) {
		case *lua.LNilType:
			p = module.PolicyKeep
		case lua.LString:
			p, err = module.ParsePolicy(string(v))
		default:
			err = fmt.Errorf("reload policy must be %q or %q, got a %s", module.PolicyKeep, module.PolicyMigrate, v.Type())
		}
		if err != nil {
			return &module.LoadError{Path: c.path, Line: lineOf(files, c.path, reloadField), Err: fmt.Errorf("match module %s: %w", c.name, err)}
		}
		in.policies[c.name] = p
	}
	return nil
}

// reloadField finds where a module sets its reload policy.
var reloadField = regexp.MustCompile(`\breload\s*=`)

// lineOf returns the line of the first match of re in the file at path, or
// 0 when there is none.
func lineOf(files []module.File, path string, re *regexp.Regexp) int {
	for _, f := range files {
		if f.Path != path {
			continue
		}
		if loc := re.FindIndex(f.Data); loc != nil {
			return bytes.Count(f.Data[:loc[0]], []byte("\n")) + 1
		}
	}
	return 0
}

// MatchModules implements module.MatchModules: the modules whose table
// has a match_init function.
func (in *Instance) MatchModules() []string {
	return slices.Sorted(maps.Keys(in.policies))
}

// MatchPolicy implements module.Policies.
func (in *Instance) MatchPolicy(name string) (module.Policy, bool) {
	if in.prog.byName[name] == nil {
		return "", false
	}
	if p, ok := in.policies[name]; ok {
		return p, true
	}
	return module.PolicyKeep, true
}

// Trim implements module.Trimmer: it closes the pool of VMs that run RPCs
// and hooks. Match VMs are the matches' own and go on.
func (in *Instance) Trim() { in.pool.close() }

// Restore implements match.Restorer: it creates a VM for a running match as
// NewHandler does and, instead of calling match_init, takes the state from
// a snapshot (a value of the neutral model, as Snapshot makes). The match
// context shows the match's current label and tick rate.
func (in *Instance) Restore(ctx context.Context, name string, env match.Env, _ int64, snapshot any) (match.Handler, error) {
	if snapshot == nil {
		return nil, errors.New("the snapshot holds no state")
	}
	h, err := in.newHandler(ctx, name, env)
	if err != nil {
		return nil, err
	}
	h.state = h.toLua(snapshot)
	if h.state == lua.LNil {
		h.Close()
		return nil, fmt.Errorf("a snapshot of type %T cannot become a Lua state", snapshot)
	}
	if c := env.Context; c != nil {
		h.showSetup(c.MatchLabel, c.MatchTickRate) // newHandler took them as the engine's
	}
	if err := h.mem.check(h, true); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Snapshot implements match.Snapshotter: a deep copy of the state in the
// neutral value model. A table becomes a list when its keys are the
// integers 1..n, possibly with holes (nil entries), and a map when they are
// strings. Anything the model cannot hold faithfully fails the snapshot,
// naming where it is in the state: functions, userdata, threads, tables with
// a metatable, other keys (mixed, fractional, boolean, table keys, very
// sparse lists), and a table reached twice (a cycle, or one table shared by
// two places, which a copy would split in two).
func (h *handler) Snapshot(context.Context, int64) (any, error) {
	s := snapshotter{seen: map[*lua.LTable]string{}}
	return s.value(h.state, "state", 0)
}

type snapshotter struct {
	seen map[*lua.LTable]string // table → where it was first met
}

func (s *snapshotter) value(lv lua.LValue, at string, depth int) (any, error) {
	switch x := lv.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LNumber:
		return number(x), nil
	case lua.LString:
		return string(x), nil
	case *lua.LTable:
		return s.table(x, at, depth)
	}
	return nil, fmt.Errorf("%s is a %s, which cannot be handed to new code", at, lv.Type())
}

// maxListHoles bounds the holes of a list: a table whose largest integer key
// is past 2n+maxListHoles (n keys) is too sparse to copy as a list.
const maxListHoles = 64

func (s *snapshotter) table(t *lua.LTable, at string, depth int) (any, error) {
	if depth >= maxDepth {
		return nil, fmt.Errorf("%s: tables nested deeper than %d cannot be handed over", at, maxDepth)
	}
	if prev, ok := s.seen[t]; ok {
		return nil, fmt.Errorf("%s is the same table as %s: a shared or cyclic table cannot be handed over", at, prev)
	}
	s.seen[t] = at
	if t.Metatable != lua.LNil && t.Metatable != nil {
		return nil, fmt.Errorf("%s has a metatable, which cannot be handed over", at)
	}
	var (
		strs []string
		ints []int
		bad  error
	)
	t.ForEach(func(k, _ lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			strs = append(strs, string(k))
		case lua.LNumber:
			f := float64(k)
			if f != math.Trunc(f) || f < 1 || f > math.MaxInt32 {
				bad = fmt.Errorf("%s has the key %v; only strings and list indexes 1, 2, … can be handed over", at, k)
				return
			}
			ints = append(ints, int(f))
		default:
			bad = fmt.Errorf("%s has a %s key; only strings and list indexes can be handed over", at, k.Type())
		}
	})
	switch {
	case bad != nil:
		return nil, bad
	case len(strs) > 0 && len(ints) > 0:
		return nil, fmt.Errorf("%s mixes string keys and list indexes, which cannot be handed over", at)
	case len(ints) > 0:
		n := 0
		for _, i := range ints {
			n = max(n, i)
		}
		if n > 2*len(ints)+maxListHoles {
			return nil, fmt.Errorf("%s is a list too sparse to hand over (%d entries up to index %d)", at, len(ints), n)
		}
		list := make([]any, n)
		for i := range list {
			v, err := s.value(t.RawGetInt(i+1), fmt.Sprintf("%s[%d]", at, i+1), depth+1)
			if err != nil {
				return nil, err
			}
			list[i] = v
		}
		return list, nil
	}
	sort.Strings(strs) // the first bad entry found is the same on every run
	m := make(map[string]any, len(strs))
	for _, k := range strs {
		v, err := s.value(t.RawGetString(k), at+"."+k, depth+1)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}
