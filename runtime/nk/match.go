package nk

import (
	"errors"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

// The match group: authoritative matches through runtime/match.Registry.

func (a *API) matchFuncs() []*Func {
	idParam := Param{Name: "id", Type: TypeString, Doc: "The match id, \"<uuid>.<node>\" (\"<uuid>.\" for a relayed match)."}
	matchDoc := "A match table: match_id, authoritative, size, and for authoritative matches label, tick_rate and handler_name."
	return []*Func{
		{
			Name: "match_create",
			Doc:  "Creates an authoritative match handled by the match module named module, running its match_init before returning.",
			Params: []Param{
				{Name: "module", Type: TypeString, Doc: "The match module's name (its path without extension, with '.' for '/'); must not be empty."},
				{Name: "params", Type: TypeMap, Optional: true, Expects: "expects params to be nil or a table of key-value pairs",
					Doc: "A key-value table passed to match_init; nil for an empty one. It is copied: functions are refused."},
			},
			Results: []Result{{Name: "match_id", Type: TypeString, Doc: "The new match's id."}},
			Run:     a.matchCreate,
		},
		{
			Name:    "match_get",
			Doc:     "Returns the match with the given id, or nil if it is not running (on this node).",
			Params:  []Param{idParam},
			Results: []Result{{Name: "match", Type: TypeMap, Nilable: true, Doc: matchDoc}},
			Run:     a.matchGet,
		},
		{
			Name:   "match_list",
			Doc:    "Lists running matches: with a query, authoritative matches whose label matches it, best first; with a label, those with exactly that label; otherwise authoritative matches newest first and then relayed ones.",
			Params: matchListParams(),
			Results: []Result{{Name: "matches", Type: TypeList,
				Doc: "A list of match tables (match_id, authoritative, size, and for authoritative matches label, tick_rate and handler_name)."}},
			Run: a.matchList,
		},
		{
			Name: "match_signal",
			Doc:  "Calls the match_signal callback of an authoritative match with data and returns what it answers.",
			Params: []Param{
				idParam,
				{Name: "data", Type: TypeString, Optional: true, Default: "", Doc: "Data passed to match_signal; \"\" when nil."},
			},
			Results: []Result{{Name: "result", Type: TypeString, Doc: "The string match_signal returned (\"\" for nil)."}},
			Run:     a.matchSignal,
		},
	}
}

func matchListParams() []Param {
	return []Param{
		{Name: "limit", Type: TypeInt, Optional: true, Default: int64(1), Doc: "The most matches to return; 0 or less returns none. Default 1."},
		{Name: "authoritative", Type: TypeBool, Optional: true, Expects: "expects authoritative true/false or nil",
			Doc: "true lists only authoritative matches, false only relayed ones, nil both."},
		{Name: "label", Type: TypeString, Optional: true, Expects: "expects label string or nil",
			Doc: "Lists only authoritative matches with exactly this label; nil for any."},
		{Name: "min_size", Type: TypeNumber, Optional: true, Expects: "expects minimum size number or nil",
			Doc: "Lists only matches with at least this many players; nil for no minimum."},
		{Name: "max_size", Type: TypeNumber, Optional: true, Expects: "expects maximum size number or nil",
			Doc: "Lists only matches with at most this many players; nil for no maximum."},
		{Name: "query", Type: TypeString, Optional: true, Expects: "expects query string or nil",
			Doc: "A query over the label's fields (\"+label.mode:ranked label.level:>10\"); \"\" or \"*\" matches every authoritative match."},
	}
}

func (a *API) matchCreate(c *Call, args []any) ([]any, error) {
	module := args[0].(string)
	if module == "" {
		return nil, badArg("match_create", 1, "expects module name")
	}
	if a.d.Matches == nil {
		return nil, unavailable("match_create")
	}
	params := map[string]any{}
	if args[1] != nil {
		cp, _, err := copyValue(args[1])
		if err != nil {
			return nil, Errorf("error creating match: cannot encode params")
		}
		params = cp.(map[string]any)
	}
	id, err := a.d.Matches.Create(callCtx(c), module, params)
	if err != nil {
		if errors.Is(err, match.ErrModuleNotFound) || errors.Is(err, match.ErrShutdown) {
			return nil, wrap("error creating match: ", err)
		}
		return nil, asError(err) // already worded by the registry
	}
	return []any{id}, nil
}

func (a *API) matchGet(_ *Call, args []any) ([]any, error) {
	if a.d.Matches == nil {
		return nil, unavailable("match_get")
	}
	info, found, err := a.d.Matches.Get(args[0].(string))
	if err != nil {
		return nil, wrap("failed to get match: ", matchError(err))
	}
	if !found {
		return []any{nil}, nil
	}
	return []any{info.Map()}, nil
}

func (a *API) matchList(_ *Call, args []any) ([]any, error) {
	if a.d.Matches == nil {
		return nil, unavailable("match_list")
	}
	q := match.ListQuery{Limit: int(args[0].(int64))}
	if v, ok := args[1].(bool); ok {
		q.Authoritative = &v
	}
	if v, ok := args[2].(string); ok {
		q.Label = &v
	}
	q.MinSize = sizeFilter(args[3])
	q.MaxSize = sizeFilter(args[4])
	if v, ok := args[5].(string); ok {
		q.Query = &v
	}
	infos, err := a.d.Matches.List(q)
	if err != nil {
		return nil, wrap("failed to list matches: ", err)
	}
	out := make([]any, len(infos))
	for i, info := range infos {
		out[i] = info.Map()
	}
	return []any{out}, nil
}

// sizeFilter truncates a size filter to an integer, as Nakama does.
func sizeFilter(v any) *int {
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	n := int(f)
	return &n
}

func (a *API) matchSignal(c *Call, args []any) ([]any, error) {
	if a.d.Matches == nil {
		return nil, unavailable("match_signal")
	}
	out, err := a.d.Matches.Signal(callCtx(c), args[0].(string), args[1].(string))
	if err != nil {
		return nil, wrap("failed to signal match: ", matchError(err))
	}
	return []any{out}, nil
}

// matchError words the registry's lookup errors as Nakama's nk functions
// do ("match id invalid", "match not found"); others keep their message.
func matchError(err error) error {
	switch {
	case errors.Is(err, match.ErrInvalidID):
		return errors.New("match id invalid")
	case errors.Is(err, runtime.ErrMatchNotFound):
		return errors.New("match not found")
	}
	return err
}
