package matchmaker

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/arbiterhq/arbiter/runtime/query"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// Entry is one matched ticket, as announced to its group.
type Entry struct {
	Ticket            string
	Session           *session.Session
	StringProperties  map[string]string
	NumericProperties map[string]float64
	Created           time.Time
}

// view is a ticket as a pass sees it.
type view struct {
	t         *ticket
	intervals int
	active    bool
}

// pass is one processing of a snapshot of the pool.
type pass struct {
	m        *Matchmaker
	snap     []view
	selected []bool
	postings map[string][]int32
	// skip[key] is how many leading tickets of a posting list (key "" is
	// the whole pool) are known to be selected: groups take the oldest
	// tickets first, so scans start past them instead of over them.
	skip     map[string]int
	searched []int
	groups   [][]int
}

// Process runs one interval: every waiting ticket searches, formed groups
// leave the pool and are announced. It returns the number of groups.
func (m *Matchmaker) Process(ctx context.Context) int {
	start := time.Now()
	p := m.snapshot()
	if p == nil {
		return 0
	}
	p.index()
	for i := range p.snap {
		v := &p.snap[i]
		if !v.active || p.selected[i] {
			continue
		}
		p.searched = append(p.searched, i)
		last := v.intervals+1 >= m.cfg.MaxIntervals || v.t.min == v.t.max
		if g := p.search(i, last); g != nil {
			for _, j := range g {
				p.selected[j] = true
			}
			p.groups = append(p.groups, g)
		}
	}
	groups := m.commit(p)
	m.lastPass.Store(int64(time.Since(start)))
	m.announceAll(ctx, groups)
	return len(groups)
}

// snapshot copies the live pool; nil when no ticket is searching.
func (m *Matchmaker) snapshot() *pass {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := &pass{m: m, snap: make([]view, 0, len(m.pool)-m.dead)}
	any := false
	for _, t := range m.pool {
		if !t.gone {
			p.snap = append(p.snap, view{t: t, intervals: t.intervals, active: t.active})
			any = any || t.active
		}
	}
	if !any {
		return nil
	}
	p.selected = make([]bool, len(p.snap))
	return p
}

// index maps keyword properties to the tickets that have them, oldest
// first: each single property, and each pair and triple of properties, so
// that a query requiring several terms scans only the tickets having all.
func (p *pass) index() {
	p.postings = map[string][]int32{}
	p.skip = map[string]int{}
	var terms []query.Term
	for i, v := range p.snap {
		terms = terms[:0]
		for k, val := range v.t.strProps {
			terms = append(terms, query.Term{Field: "properties." + k, Value: val})
		}
		forEachCombination(terms, func(key string) {
			p.postings[key] = append(p.postings[key], int32(i))
		})
	}
}

// maxCombination is the most terms one index key combines.
const maxCombination = 3

// forEachCombination calls fn with the key of every combination of up to
// maxCombination terms (fewer for tickets with many properties).
func forEachCombination(terms []query.Term, fn func(key string)) {
	sort.Slice(terms, func(i, j int) bool { return terms[i].Field < terms[j].Field })
	width := maxCombination
	if len(terms) > 8 {
		width = 1
	} else if len(terms) > 5 {
		width = 2
	}
	var pick func(start int, key string, n int)
	pick = func(start int, key string, n int) {
		for i := start; i < len(terms); i++ {
			k := key + termKey(terms[i].Field, terms[i].Value)
			fn(k)
			if n+1 < width {
				pick(i+1, k, n+1)
			}
		}
	}
	pick(0, "", 0)
}

// lookupKey is the index key of a query's required terms: the combination
// of its first maxCombination terms in field order.
func lookupKey(terms []query.Term) string {
	terms = append([]query.Term(nil), terms...)
	sort.Slice(terms, func(i, j int) bool { return terms[i].Field < terms[j].Field })
	key := ""
	for i, t := range terms {
		if i > 0 && t.Field == terms[i-1].Field {
			continue
		}
		key += termKey(t.Field, t.Value)
		if i+1 == maxCombination {
			break
		}
	}
	return key
}

func termKey(field, value string) string { return field + "\x00" + value + "\x01" }

// commit removes the formed groups from the pool (unless a member left
// meanwhile) and counts the searches. It returns the groups that stand.
func (m *Matchmaker) commit(p *pass) [][]Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [][]Entry
	now := time.Now()
	for _, g := range p.groups {
		if !m.allLiveLocked(p, g) {
			continue
		}
		entries := make([]Entry, len(g))
		for k, j := range g {
			t := p.snap[j].t
			entries[k] = Entry{Ticket: t.id, Session: t.sess, StringProperties: t.strProps,
				NumericProperties: t.numProps, Created: t.created}
			wait := now.Sub(t.created)
			m.waitSum.Add(int64(wait))
			if m.wait != nil {
				m.wait(wait)
			}
			m.dropLocked(t)
		}
		m.matches.Add(1)
		m.matched.Add(int64(len(g)))
		out = append(out, entries)
	}
	for _, i := range p.searched {
		t := p.snap[i].t
		if t.gone {
			continue
		}
		t.intervals++
		if t.intervals >= m.cfg.MaxIntervals || t.min == t.max {
			t.active = false
		}
	}
	return out
}

func (m *Matchmaker) allLiveLocked(p *pass, g []int) bool {
	for _, j := range g {
		if p.snap[j].t.gone {
			return false
		}
	}
	return true
}

// announceAll announces the groups, a few at a time.
func (m *Matchmaker) announceAll(ctx context.Context, groups [][]Entry) {
	if m.announce == nil || len(groups) == 0 {
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			m.announce.Announce(ctx, g)
		}()
	}
	wg.Wait()
}

// candidate is a ticket that the searcher's query matches.
type candidate struct {
	j     int
	score float64
}

// maxCandidates bounds the matching tickets a search keeps for forming a
// smaller group on its last interval, per member sought.
const maxCandidates = 16

// search finds a group for searcher i, with the searcher last: a full group
// of the best candidates (best score, then oldest), or, on its last search,
// the largest group in range. A search whose matches all score the same
// stops as soon as the full group is found.
func (p *pass) search(i int, last bool) []int {
	a := p.snap[i].t
	ranked := a.query.Ranked()
	var (
		cands []candidate
		full  []int
	)
	p.scan(i, func(j int) bool {
		b := p.snap[j].t
		if j == i || p.selected[j] || b.sess == a.sess || b.min < a.min || b.max > a.max {
			return true
		}
		ok, score := a.query.Match(b.doc)
		if !ok || (p.m.cfg.RevPrecision && !mutual(a, b)) {
			return true
		}
		if len(cands) < maxCandidates*a.max || ranked {
			cands = append(cands, candidate{j: j, score: score})
		}
		if !ranked && accepts(a, a.max) && accepts(b, a.max) && p.fits(full, b) {
			if full = append(full, j); len(full) == a.max-1 {
				return false
			}
		}
		return true
	})
	if !ranked && len(full) == a.max-1 {
		return append(full, i)
	}
	if ranked {
		sort.SliceStable(cands, func(x, y int) bool { return cands[x].score > cands[y].score })
		if g := p.group(i, cands, a.max); g != nil {
			return g
		}
	}
	if !last {
		return nil
	}
	for size := min(a.max-1, len(cands)+1); size >= a.min; size-- {
		if g := p.group(i, cands, size); g != nil {
			return g
		}
	}
	return nil
}

// scan calls fn with the tickets that can match the searcher, oldest
// first, until fn returns false: those having the searcher's required
// terms, or every ticket.
func (p *pass) scan(i int, fn func(j int) bool) {
	terms := p.snap[i].t.query.RequiredTerms()
	key := ""
	var list []int32
	if len(terms) > 0 {
		key = lookupKey(terms)
		list = p.postings[key]
	}
	at, n := p.skip[key], len(p.snap)
	if len(terms) > 0 {
		n = len(list)
	}
	pos := func(k int) int {
		if len(terms) > 0 {
			return int(list[k])
		}
		return k
	}
	for at < n && p.selected[pos(at)] {
		at++
	}
	p.skip[key] = at
	for k := at; k < n; k++ {
		if !fn(pos(k)) {
			return
		}
	}
}

func mutual(a, b *ticket) bool {
	ok, _ := b.query.Match(a.doc)
	return ok
}

// accepts reports whether a ticket takes part in a group of size n.
func accepts(t *ticket, n int) bool { return t.min <= n && n <= t.max && n%t.multiple == 0 }

// group picks size-1 candidates, in rank order, who all accept a group of
// that size (and, with reverse precision, match each other), with the
// searcher last; nil when there are not enough.
func (p *pass) group(i int, cands []candidate, size int) []int {
	a := p.snap[i].t
	if !accepts(a, size) {
		return nil
	}
	g := make([]int, 0, size)
	for _, c := range cands {
		if len(g) == size-1 {
			break
		}
		b := p.snap[c.j].t
		if !accepts(b, size) || !p.fits(g, b) {
			continue
		}
		g = append(g, c.j)
	}
	if len(g) < size-1 {
		return nil
	}
	return append(g, i)
}

// fits reports whether b can join the members g: another session, and
// with reverse precision a mutual match with each of them.
func (p *pass) fits(g []int, b *ticket) bool {
	for _, j := range g {
		m := p.snap[j].t
		if m.sess == b.sess {
			return false
		}
		if p.m.cfg.RevPrecision && (!mutual(m, b) || !mutual(b, m)) {
			return false
		}
	}
	return true
}
