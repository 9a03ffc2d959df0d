package rest

import (
	"net/http"
	"strconv"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
)

func (h *Handler) routeMatches() {
	if h.d.Matches == nil {
		return
	}
	h.mux.Handle("GET /v2/match", h.bearer(h.serve(h.listMatches)))
}

func invalid(msg string) error { return runtime.NewError(runtime.InvalidArgument, msg) }

// listMatches serves GET /v2/match with Nakama's parameters and checks.
func (h *Handler) listMatches(r *http.Request) (proto.Message, error) {
	q := r.URL.Query()
	lq := match.ListQuery{Limit: 10}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, invalid("Invalid limit - limit must be between 1 and 100.")
		}
		lq.Limit = n
	}
	if v := q.Get("authoritative"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, invalid("Invalid authoritative value.")
		}
		lq.Authoritative = &b
	}
	if _, ok := q["label"]; ok {
		l := q.Get("label")
		lq.Label = &l
	}
	if _, ok := q["query"]; ok {
		s := q.Get("query")
		lq.Query = &s
	}
	var err error
	if lq.MinSize, err = optionalSize(q.Get("min_size"), "Minimum"); err != nil {
		return nil, err
	}
	if lq.MaxSize, err = optionalSize(q.Get("max_size"), "Maximum"); err != nil {
		return nil, err
	}
	if err := checkListQuery(lq); err != nil {
		return nil, err
	}
	infos, err := h.d.Matches.List(lq)
	if err != nil {
		return nil, err
	}
	out := &api.MatchList{Matches: make([]*api.Match, len(infos))}
	for i, m := range infos {
		am := &api.Match{MatchId: m.ID, Authoritative: m.Authoritative, Size: int32(m.Size)}
		if m.Authoritative {
			am.Label = wrapperspb.String(m.Label)
			am.TickRate = int32(m.TickRate)
			am.HandlerName = m.Module
		}
		out.Matches[i] = am
	}
	return out, nil
}

func optionalSize(v, which string) (*int, error) {
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return nil, invalid(which + " size must be 0 or above.")
	}
	return &n, nil
}

func checkListQuery(lq match.ListQuery) error {
	relayed := lq.Authoritative != nil && !*lq.Authoritative
	switch {
	case relayed && lq.Label != nil:
		return invalid("Label filtering is not supported for non-authoritative matches.")
	case relayed && lq.Query != nil:
		return invalid("Query filtering is not supported for non-authoritative matches.")
	case lq.MinSize != nil && lq.MaxSize != nil && *lq.MaxSize < *lq.MinSize:
		return invalid("Maximum size must be greater than or equal to minimum size when both are specified.")
	}
	return nil
}
