package nk

import (
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// Deps are the services the nk API works with.
type Deps struct {
	Node    string
	Version string
	Env     map[string]string

	Accounts *account.Service
	Objects  *object.Service
	Notifier Notifier
	Matches  *match.Registry
	Sessions *session.Registry
	Tracker  *session.Tracker
	Router   *session.Router
	Logger   *slog.Logger

	// CacheEntries and CacheBytes bound the localcache (see LocalCache);
	// zero takes DefaultCacheEntries and DefaultCacheBytes.
	CacheEntries int
	CacheBytes   int64
}

// API is the table of nk functions bound to their services.
type API struct {
	d      Deps
	funcs  map[string]*Func
	sorted []*Func
	cache  *LocalCache
	events *Events

	once       sync.Once
	onceActive atomic.Bool // run_once's function is running
}

// New returns the nk API over d.
func New(d Deps) *API {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{
		d: d, funcs: map[string]*Func{},
		cache: NewLocalCache(d.CacheEntries, d.CacheBytes), events: newEvents(),
	}
	for _, group := range []func() []*Func{
		a.registerFuncs, a.matchFuncs, a.storageFuncs, a.notifyFuncs, a.streamFuncs,
		a.accountFuncs, a.utilFuncs, a.loggerFuncs, a.cacheFuncs, a.eventFuncs,
	} {
		for _, f := range group() {
			a.add(f)
		}
	}
	sort.Slice(a.sorted, func(i, j int) bool { return a.sorted[i].Name < a.sorted[j].Name })
	return a
}

func (a *API) add(f *Func) {
	if _, dup := a.funcs[f.Name]; dup {
		panic("nk: function registered twice: " + f.Name)
	}
	a.funcs[f.Name] = f
	a.sorted = append(a.sorted, f)
}

// Funcs returns every function, sorted by name.
func (a *API) Funcs() []*Func { return a.sorted }

// Func returns the function with name, or nil.
func (a *API) Func(name string) *Func { return a.funcs[name] }

// Cache returns the process-wide localcache.
func (a *API) Cache() *LocalCache { return a.cache }
