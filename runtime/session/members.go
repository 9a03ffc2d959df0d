package session

// memberSet holds the presences of one stream. Most streams have one or a
// few members (a user's notification and status streams, a match), so the
// set is a slice searched linearly, far smaller than a map; a stream that
// grows past indexFrom members (a busy chat room) also gets an index.
type memberSet struct {
	list  []memberEntry
	index map[*Session]int
}

type memberEntry struct {
	s *Session
	m Meta
}

const indexFrom = 16

func (ms *memberSet) len() int { return len(ms.list) }

func (ms *memberSet) find(s *Session) int {
	if ms.index != nil {
		if i, ok := ms.index[s]; ok {
			return i
		}
		return -1
	}
	for i := range ms.list {
		if ms.list[i].s == s {
			return i
		}
	}
	return -1
}

func (ms *memberSet) get(s *Session) (Meta, bool) {
	if i := ms.find(s); i >= 0 {
		return ms.list[i].m, true
	}
	return Meta{}, false
}

// set adds or replaces s's meta and returns the old one, if any.
func (ms *memberSet) set(s *Session, m Meta) (old Meta, existed bool) {
	if i := ms.find(s); i >= 0 {
		old = ms.list[i].m
		ms.list[i].m = m
		return old, true
	}
	ms.list = append(ms.list, memberEntry{s: s, m: m})
	switch {
	case ms.index != nil:
		ms.index[s] = len(ms.list) - 1
	case len(ms.list) > indexFrom:
		ms.index = make(map[*Session]int, len(ms.list))
		for i, e := range ms.list {
			ms.index[e.s] = i
		}
	}
	return Meta{}, false
}

// remove removes s and returns its meta.
func (ms *memberSet) remove(s *Session) (Meta, bool) {
	i := ms.find(s)
	if i < 0 {
		return Meta{}, false
	}
	m := ms.list[i].m
	last := len(ms.list) - 1
	ms.list[i] = ms.list[last]
	ms.list[last] = memberEntry{}
	ms.list = ms.list[:last]
	if ms.index != nil {
		delete(ms.index, s)
		if i < last {
			ms.index[ms.list[i].s] = i
		}
		if len(ms.list) < indexFrom/2 {
			ms.index = nil
		}
	}
	return m, true
}
