package match

import (
	"sort"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/query"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// labelDoc is a label with its query document, rebuilt when the label
// changes so that listings never parse labels.
type labelDoc struct {
	text   string
	doc    query.Document
	fields bool // the label is a JSON object, indexed under "label."
}

func newLabelDoc(label string) *labelDoc {
	d := &labelDoc{text: label}
	if doc, err := query.NewDocument("label", []byte(label)); err == nil {
		d.doc, d.fields = doc, true
	}
	return d
}

// Info describes a match, as match_get, match_list and GET /v2/match do.
type Info struct {
	ID            string
	Authoritative bool
	Label         string
	Size          int
	TickRate      int
	Module        string
}

// Map returns the info as Nakama's match table.
func (i Info) Map() map[string]any {
	m := map[string]any{"match_id": i.ID, "authoritative": i.Authoritative, "size": int64(i.Size)}
	if i.Authoritative {
		m["label"] = i.Label
		m["tick_rate"] = int64(i.TickRate)
		m["handler_name"] = i.Module
	}
	return m
}

func (m *Match) info() Info {
	return Info{ID: m.id, Authoritative: true, Label: m.Label(), Size: m.Size(), TickRate: m.tickRate, Module: m.module}
}

// Get returns the match with id: an authoritative match of this node or a
// relayed match with players.
func (r *Registry) Get(id string) (Info, bool, error) {
	uuid, node, err := ParseID(id)
	if err != nil {
		return Info{}, false, err
	}
	if node == "" {
		n := r.tracker.Count(session.Stream{Mode: session.ModeMatchRelayed, Subject: uuid})
		return Info{ID: id, Size: n}, n > 0, nil
	}
	if node != r.cfg.Node {
		return Info{}, false, nil
	}
	m := r.get(uuid)
	if m == nil {
		return Info{}, false, nil
	}
	return m.info(), true, nil
}

// ListQuery filters a listing. Nil fields do not filter.
type ListQuery struct {
	Limit         int
	Authoritative *bool
	Label         *string
	MinSize       *int
	MaxSize       *int
	Query         *string
}

var errLabelRelayed = runtime.NewError(runtime.InvalidArgument, "Label filtering is not supported for non-authoritative matches.")

// List returns matches as Nakama lists them: with a query, authoritative
// matches ranked by score then newest first; with a label, those with that
// exact label, newest first; otherwise every authoritative match newest
// first and, unless authoritative is true, relayed matches after them.
func (r *Registry) List(q ListQuery) ([]Info, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	authOnly := q.Authoritative != nil && *q.Authoritative
	relayedOnly := q.Authoritative != nil && !*q.Authoritative
	if relayedOnly && (q.Query != nil || q.Label != nil) {
		return nil, nil
	}
	var parsed *query.Query
	if q.Query != nil {
		p, err := query.Parse(*q.Query)
		if err != nil {
			return nil, runtime.NewError(runtime.InvalidArgument, err.Error())
		}
		parsed = p
	}
	var out []Info
	if !relayedOnly {
		out = r.listAuthoritative(q, parsed)
	}
	if !authOnly && q.Query == nil && q.Label == nil && len(out) < q.Limit {
		out = append(out, r.listRelayed(q, q.Limit-len(out))...)
	}
	return out, nil
}

type ranked struct {
	m     *Match
	score float64
	info  Info
}

func (r *Registry) listAuthoritative(q ListQuery, parsed *query.Query) []Info {
	r.mu.RLock()
	hits := make([]ranked, 0, len(r.matches))
	for _, m := range r.matches {
		if m.ending.Load() {
			continue
		}
		lbl := m.label.Load()
		score := 0.0
		switch {
		case parsed != nil:
			if !parsed.IsMatchAll() {
				if !lbl.fields {
					continue
				}
				ok, s := parsed.Match(lbl.doc)
				if !ok {
					continue
				}
				score = s
			}
		case q.Label != nil && lbl.text != *q.Label:
			continue
		}
		size := m.Size()
		if (q.MinSize != nil && size < *q.MinSize) || (q.MaxSize != nil && size > *q.MaxSize) {
			continue
		}
		hits = append(hits, ranked{m: m, score: score})
	}
	r.mu.RUnlock()
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].m.created.After(hits[j].m.created)
	})
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	out := make([]Info, len(hits))
	for i, h := range hits {
		out[i] = h.m.info()
	}
	return out
}

func (r *Registry) listRelayed(q ListQuery, limit int) []Info {
	var out []Info
	r.tracker.EachStream(session.ModeMatchRelayed, func(st session.Stream, size int) bool {
		if (q.MinSize != nil && size < *q.MinSize) || (q.MaxSize != nil && size > *q.MaxSize) {
			return true
		}
		out = append(out, Info{ID: st.Subject + ".", Size: size})
		return len(out) < limit
	})
	return out
}
