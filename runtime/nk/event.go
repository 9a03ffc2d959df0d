package nk

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// The event group: analytics events a module reports. Each is logged at
// info level and counted per name in Events, which metrics read.

// MaxEventNames bounds the distinct names Events counts; events of further
// names are counted under OtherEvents, so a module cannot grow the table
// without bound.
const MaxEventNames = 1000

// OtherEvents is the name events past MaxEventNames are counted under.
const OtherEvents = "_other"

// Events counts events by name. It is safe for concurrent use.
type Events struct {
	mu     sync.RWMutex
	counts map[string]*atomic.Int64
}

func newEvents() *Events { return &Events{counts: map[string]*atomic.Int64{}} }

// Add counts one event of name.
func (e *Events) Add(name string) {
	e.mu.RLock()
	c := e.counts[name]
	e.mu.RUnlock()
	if c == nil {
		c = e.counter(name)
	}
	c.Add(1)
}

func (e *Events) counter(name string) *atomic.Int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.counts[name]; c != nil {
		return c
	}
	if len(e.counts) >= MaxEventNames {
		name = OtherEvents
		if c := e.counts[name]; c != nil {
			return c
		}
	}
	c := new(atomic.Int64)
	e.counts[name] = c
	return c
}

// Snapshot returns the count of each name.
func (e *Events) Snapshot() map[string]int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]int64, len(e.counts))
	for k, c := range e.counts {
		out[k] = c.Load()
	}
	return out
}

// Events returns the counts of the events modules reported.
func (a *API) Events() *Events { return a.events }

func (a *API) eventFuncs() []*Func {
	return []*Func{{
		Name: "event",
		Doc:  "Reports an analytics event: it is logged at info level and counted per name.",
		Params: []Param{
			{Name: "name", Type: TypeString, Doc: "The event's name; must not be empty."},
			{Name: "properties", Type: TypeTable, Optional: true, Doc: "A table of string keys to string values describing the event; nil for none."},
			{Name: "timestamp", Type: TypeNumber, Optional: true, Expects: "timestamp must be numeric UTC seconds when provided",
				Doc: "When the event happened, in UTC unix seconds; nil for now."},
			{Name: "external", Type: TypeBool, Optional: true, Default: false, Doc: "Whether the event came from outside the server (a client). Default false."},
		},
		Run: a.event,
	}}
}

func (a *API) event(c *Call, args []any) ([]any, error) {
	name := args[0].(string)
	if name == "" {
		return nil, badArg("event", 1, "expects name string")
	}
	props, err := eventProperties(args[1])
	if err != nil {
		return nil, err
	}
	ts := time.Now().UTC()
	if secs, ok := args[2].(float64); ok {
		ts = time.Unix(0, int64(secs*float64(time.Second))).UTC()
	}
	a.events.Add(name)
	attrs := append(callAttrs(c), "event", name, "properties", props,
		"timestamp", ts.Format(time.RFC3339Nano), "external", args[3].(bool))
	a.logger(c).Log(callCtx(c), slog.LevelInfo, "event", attrs...)
	return nil, nil
}

// eventProperties checks a properties table: string keys to string values.
func eventProperties(v any) (map[string]string, error) {
	if v == nil {
		return map[string]string{}, nil
	}
	if l, ok := v.([]any); ok {
		if len(l) > 0 {
			return nil, badArg("event", 2, "properties keys must be strings")
		}
		return map[string]string{}, nil
	}
	m := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			return nil, badArg("event", 2, "properties values must be strings")
		}
		out[k] = s
	}
	return out, nil
}
