package rest

import (
	"net/http"

	"google.golang.org/protobuf/proto"
)

func (h *Handler) routeChannels() {
	if h.d.Chat == nil {
		return
	}
	h.mux.Handle("GET /v2/channel/{channel_id}", h.bearer(h.serve(h.listChannelMessages)))
}

// listChannelMessages serves GET /v2/channel/{channel_id}?limit=&forward=&cursor=:
// a page of a channel's history, 1 message and oldest first unless asked
// otherwise, as in Nakama.
func (h *Handler) listChannelMessages(r *http.Request) (proto.Message, error) {
	forward, err := queryBool(r, "forward", true)
	if err != nil {
		return nil, err
	}
	return h.d.Chat.List(r.Context(), Caller(r.Context()).UserID, r.PathValue("channel_id"), listLimit(r), forward,
		r.URL.Query().Get("cursor"))
}
