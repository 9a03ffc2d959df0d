package nk

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestLocalcache(t *testing.T) {
	e := bare()
	if got := e.call(t, "localcache_get", "k")[0]; got != nil {
		t.Fatalf("empty get = %v", got)
	}
	if got := e.call(t, "localcache_get", "k", "dflt")[0]; got != "dflt" {
		t.Fatalf("default = %v", got)
	}
	v := map[string]any{"list": []any{int64(1)}, "b": []byte("x")}
	e.call(t, "localcache_put", "k", v)
	// Neither the caller's later changes nor a reader's reach the cache.
	v["list"].([]any)[0] = int64(2)
	v["b"].([]byte)[0] = 'y'
	got := e.call(t, "localcache_get", "k")[0].(map[string]any)
	if !reflect.DeepEqual(got, map[string]any{"list": []any{int64(1)}, "b": []byte("x")}) {
		t.Fatalf("get = %#v", got)
	}
	got["list"] = "changed"
	if again := e.call(t, "localcache_get", "k")[0].(map[string]any); again["list"] == "changed" {
		t.Fatal("reader's change reached the cache")
	}
	e.call(t, "localcache_put", "k", "v2")
	if got := e.call(t, "localcache_get", "k")[0]; got != "v2" {
		t.Fatalf("replaced = %v", got)
	}
	e.call(t, "localcache_delete", "k")
	if got := e.call(t, "localcache_get", "k", false)[0]; got != false {
		t.Fatalf("after delete = %v", got)
	}
	e.call(t, "localcache_put", "a", int64(1))
	e.call(t, "localcache_put", "b", int64(2))
	e.call(t, "localcache_clear")
	if e.api.Cache().Len() != 0 {
		t.Fatal("clear left entries")
	}
}

func TestLocalcacheErrors(t *testing.T) {
	e := bare()
	for _, name := range []string{"localcache_get", "localcache_put", "localcache_delete"} {
		e.wantErr(t, "bad argument #1 to "+name+" (expects key string)", name, "", int64(1))
	}
	e.wantErr(t, "bad argument #2 to localcache_put (value expected)", "localcache_put", "k", nil)
	e.wantErr(t, "bad argument #3 to localcache_put (ttl must be 0 or more)", "localcache_put", "k", int64(1), int64(-1))
	e.wantErr(t, "bad argument #2 to localcache_put (value must not hold functions)", "localcache_put", "k",
		map[string]any{"f": &fakeFunction{}})
	e.wantErr(t, "bad argument #3 to localcache_put (integer expected, got number)", "localcache_put", "k", int64(1), 1.5)
}

func TestLocalCacheExpiry(t *testing.T) {
	lc := NewLocalCache(0, 0)
	now := time.Unix(1000, 0)
	lc.now = func() time.Time { return now }
	if err := lc.Put("k", "v", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := lc.Put("forever", "v", 0); err != nil {
		t.Fatal(err)
	}
	now = now.Add(9 * time.Second)
	if _, ok := lc.Get("k"); !ok {
		t.Fatal("expired early")
	}
	now = now.Add(time.Second)
	if _, ok := lc.Get("k"); ok {
		t.Fatal("not expired")
	}
	if lc.Len() != 1 {
		t.Fatalf("len = %d: expired entry not dropped", lc.Len())
	}
	now = now.Add(1000 * time.Hour)
	if _, ok := lc.Get("forever"); !ok {
		t.Fatal("ttl 0 expired")
	}
}

func TestLocalCacheBounds(t *testing.T) {
	lc := NewLocalCache(3, 0)
	for _, k := range []string{"a", "b", "c", "d"} {
		if err := lc.Put(k, k, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := lc.Get("a"); ok || lc.Len() != 3 {
		t.Fatalf("oldest not evicted (len %d)", lc.Len())
	}
	// Putting a key again makes it the newest.
	_ = lc.Put("b", "b", 0)
	_ = lc.Put("e", "e", 0)
	if _, ok := lc.Get("b"); !ok {
		t.Fatal("re-put key evicted")
	}
	if _, ok := lc.Get("c"); ok {
		t.Fatal("c should be the one evicted")
	}

	// The byte bound: a value alone too large is refused; others evict.
	small := NewLocalCache(0, 1000)
	if err := small.Put("big", string(make([]byte, 2000)), 0); err == nil {
		t.Fatal("too large value accepted")
	}
	for i := range 20 {
		_ = small.Put(FormatNumber(int64(i)), string(make([]byte, 100)), 0)
	}
	if small.bytes > 1000 || small.Len() == 0 {
		t.Fatalf("bytes %d, len %d", small.bytes, small.Len())
	}
	// Expired entries go first when the cache is full.
	ttl := NewLocalCache(2, 0)
	now := time.Unix(0, 0)
	ttl.now = func() time.Time { return now }
	_ = ttl.Put("old", 1, 0)
	_ = ttl.Put("short", 1, time.Second)
	now = now.Add(2 * time.Minute)
	_ = ttl.Put("new", 1, 0)
	if _, ok := ttl.Get("old"); !ok {
		t.Fatal("live entry evicted before an expired one")
	}
}

func TestLocalCacheConcurrent(t *testing.T) {
	e := bare()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				key := FormatNumber(int64(j % 10))
				_, _ = e.try("localcache_put", key, map[string]any{"i": int64(i), "l": []any{int64(j)}}, int64(1))
				if v, _ := e.try("localcache_get", key); v != nil && v[0] != nil {
					v[0].(map[string]any)["i"] = "mine" // a private copy
				}
				if j%50 == 0 {
					_, _ = e.try("localcache_delete", key)
				}
			}
		})
	}
	wg.Wait()
}
