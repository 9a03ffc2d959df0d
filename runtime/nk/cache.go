package nk

import (
	"container/list"
	"sync"
	"time"
)

// The localcache group over LocalCache, one per API: every VM of the
// process (pooled and match VMs, Lua and WASM) shares it.

// Default bounds of a LocalCache.
const (
	DefaultCacheEntries       = 100_000
	DefaultCacheBytes   int64 = 64 << 20
)

// cacheSweepEvery is the least time between two sweeps of expired entries.
const cacheSweepEvery = time.Minute

// LocalCache is the process-wide key-value cache of localcache_*.
//
// Values are neutral values stored as deep copies, and get returns a deep
// copy too: VMs run concurrently, and no VM sees another's later changes to
// a value (Nakama instead makes a stored Lua table read-only). Functions
// cannot be stored: they belong to one VM.
//
// Expiry is lazy: an expired entry is dropped when read, or by a sweep that
// runs when the cache is over its bounds (at most once a minute). The cache
// holds at most maxEntries entries and about maxBytes bytes (the size of a
// value is estimated while copying it); past either bound the entries put
// longest ago are evicted first. A value larger than maxBytes alone is
// refused. All operations take one short lock; copies are made outside it.
type LocalCache struct {
	maxEntries int
	maxBytes   int64
	now        func() time.Time

	mu        sync.Mutex
	entries   map[string]*list.Element // of *cacheEntry
	order     *list.List               // oldest put first
	bytes     int64
	lastSweep time.Time
}

type cacheEntry struct {
	key     string
	value   any // never changed once stored
	size    int64
	expires time.Time // zero: never
}

// NewLocalCache returns an empty cache with the given bounds; zero or less
// takes the defaults.
func NewLocalCache(maxEntries int, maxBytes int64) *LocalCache {
	if maxEntries <= 0 {
		maxEntries = DefaultCacheEntries
	}
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &LocalCache{
		maxEntries: maxEntries, maxBytes: maxBytes, now: time.Now,
		entries: map[string]*list.Element{}, order: list.New(),
	}
}

// errCacheTooLarge: a value alone exceeds the cache's byte bound.
var errCacheTooLarge = Errorf("value too large for localcache")

// Get returns a copy of the value of key, and whether it was there.
func (lc *LocalCache) Get(key string) (any, bool) {
	lc.mu.Lock()
	el := lc.entries[key]
	if el == nil {
		lc.mu.Unlock()
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !e.expires.IsZero() && !lc.now().Before(e.expires) {
		lc.removeLocked(el)
		lc.mu.Unlock()
		return nil, false
	}
	lc.mu.Unlock()
	v, _, _ := copyValue(e.value) // stored values hold no functions
	return v, true
}

// Put stores a copy of value under key; ttl 0 keeps it until evicted.
func (lc *LocalCache) Put(key string, value any, ttl time.Duration) error {
	v, size, err := copyValue(value)
	if err != nil {
		return err
	}
	e := &cacheEntry{key: key, value: v, size: int64(size + len(key) + 64)}
	if e.size > lc.maxBytes {
		return errCacheTooLarge
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	now := lc.now()
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	if old := lc.entries[key]; old != nil {
		lc.removeLocked(old)
	}
	lc.entries[key] = lc.order.PushBack(e)
	lc.bytes += e.size
	lc.evictLocked(now)
	return nil
}

// Delete removes key.
func (lc *LocalCache) Delete(key string) {
	lc.mu.Lock()
	if el := lc.entries[key]; el != nil {
		lc.removeLocked(el)
	}
	lc.mu.Unlock()
}

// Clear removes every entry.
func (lc *LocalCache) Clear() {
	lc.mu.Lock()
	lc.entries = map[string]*list.Element{}
	lc.order.Init()
	lc.bytes = 0
	lc.mu.Unlock()
}

// Len returns the number of entries, expired ones not yet dropped included.
func (lc *LocalCache) Len() int {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return len(lc.entries)
}

func (lc *LocalCache) over() bool {
	return len(lc.entries) > lc.maxEntries || lc.bytes > lc.maxBytes
}

// evictLocked brings the cache within its bounds: expired entries first
// (by a sweep, at most once per cacheSweepEvery), then the oldest.
func (lc *LocalCache) evictLocked(now time.Time) {
	if !lc.over() {
		return
	}
	if now.Sub(lc.lastSweep) >= cacheSweepEvery {
		lc.lastSweep = now
		for el := lc.order.Front(); el != nil; {
			next := el.Next()
			if e := el.Value.(*cacheEntry); !e.expires.IsZero() && !now.Before(e.expires) {
				lc.removeLocked(el)
			}
			el = next
		}
	}
	for lc.over() {
		lc.removeLocked(lc.order.Front())
	}
}

func (lc *LocalCache) removeLocked(el *list.Element) {
	e := lc.order.Remove(el).(*cacheEntry)
	delete(lc.entries, e.key)
	lc.bytes -= e.size
}

func (a *API) cacheFuncs() []*Func {
	key := Param{Name: "key", Type: TypeString, Doc: "The key; must not be empty."}
	return []*Func{
		{
			Name: "localcache_get",
			Doc:  "Returns a copy of the value cached under key, or default when there is none (or it expired). The cache is shared by every VM of this server process and is not replicated.",
			Params: []Param{key,
				{Name: "default", Type: TypeAny, Optional: true, Doc: "The value to return when key is not cached; nil if absent."}},
			Results: []Result{{Name: "value", Type: TypeAny, Nilable: true, Doc: "The cached value, or default."}},
			Run:     a.cacheGet,
		},
		{
			Name: "localcache_put",
			Doc:  "Caches a copy of value under key, replacing any earlier value. When the cache is full the entries put longest ago are evicted.",
			Params: []Param{key,
				{Name: "value", Type: TypeAny, Doc: "The value to cache; not nil, and holding no functions."},
				{Name: "ttl", Type: TypeInt, Optional: true, Default: int64(0), Doc: "Seconds until the value expires; 0 keeps it until evicted. Default 0."}},
			Run: a.cachePut,
		},
		{
			Name:   "localcache_delete",
			Doc:    "Removes the value cached under key.",
			Params: []Param{key},
			Run:    a.cacheDelete,
		},
		{
			Name: "localcache_clear",
			Doc:  "Removes every cached value.",
			Run:  func(*Call, []any) ([]any, error) { a.cache.Clear(); return nil, nil },
		},
	}
}

func cacheKey(name string, args []any) (string, error) {
	k := args[0].(string)
	if k == "" {
		return "", badArg(name, 1, "expects key string")
	}
	return k, nil
}

func (a *API) cacheGet(_ *Call, args []any) ([]any, error) {
	k, err := cacheKey("localcache_get", args)
	if err != nil {
		return nil, err
	}
	if v, ok := a.cache.Get(k); ok {
		return []any{v}, nil
	}
	return []any{args[1]}, nil
}

func (a *API) cachePut(_ *Call, args []any) ([]any, error) {
	k, err := cacheKey("localcache_put", args)
	if err != nil {
		return nil, err
	}
	if args[1] == nil {
		return nil, badArg("localcache_put", 2, "value expected")
	}
	ttl := args[2].(int64)
	if ttl < 0 {
		return nil, badArg("localcache_put", 3, "ttl must be 0 or more")
	}
	if err := a.cache.Put(k, args[1], time.Duration(ttl)*time.Second); err != nil {
		if err == errHasFunction {
			return nil, badArg("localcache_put", 2, "value must not hold functions")
		}
		return nil, err
	}
	return nil, nil
}

func (a *API) cacheDelete(_ *Call, args []any) ([]any, error) {
	k, err := cacheKey("localcache_delete", args)
	if err != nil {
		return nil, err
	}
	a.cache.Delete(k)
	return nil, nil
}
