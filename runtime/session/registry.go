package session

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

const registryShards = 64

// Registry holds the connected sessions by id. It is sharded so that
// connects and disconnects on many cores do not contend.
type Registry struct {
	seed   maphash.Seed
	shards [registryShards]struct {
		mu sync.RWMutex
		m  map[string]*Session
	}
	count atomic.Int64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].m = map[string]*Session{}
	}
	return r
}

func (r *Registry) shard(id string) int {
	return int(maphash.String(r.seed, id) % registryShards)
}

// Add registers s.
func (r *Registry) Add(s *Session) {
	sh := &r.shards[r.shard(s.ID)]
	sh.mu.Lock()
	if _, ok := sh.m[s.ID]; !ok {
		r.count.Add(1)
	}
	sh.m[s.ID] = s
	sh.mu.Unlock()
}

// Remove unregisters s; it reports whether s was registered.
func (r *Registry) Remove(s *Session) bool {
	sh := &r.shards[r.shard(s.ID)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if cur, ok := sh.m[s.ID]; ok && cur == s {
		delete(sh.m, s.ID)
		r.count.Add(-1)
		return true
	}
	return false
}

// Get returns the session with id, or nil.
func (r *Registry) Get(id string) *Session {
	sh := &r.shards[r.shard(id)]
	sh.mu.RLock()
	s := sh.m[id]
	sh.mu.RUnlock()
	return s
}

// Count returns the number of sessions.
func (r *Registry) Count() int { return int(r.count.Load()) }

// Range calls fn for each session until it returns false. Sessions added or
// removed meanwhile may or may not be seen.
func (r *Registry) Range(fn func(*Session) bool) {
	var batch []*Session
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.RLock()
		batch = batch[:0]
		for _, s := range sh.m {
			batch = append(batch, s)
		}
		sh.mu.RUnlock()
		for _, s := range batch {
			if !fn(s) {
				return
			}
		}
	}
}
