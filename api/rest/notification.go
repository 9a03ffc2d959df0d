package rest

import (
	"net/http"
	"strconv"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/arbiterhq/arbiter/runtime/notify"
)

func (h *Handler) routeNotifications() {
	if h.d.Notifications == nil {
		return
	}
	h.mux.Handle("GET /v2/notification", h.bearer(h.serve(h.listNotifications)))
	h.mux.Handle("DELETE /v2/notification", h.bearer(h.serve(h.deleteNotifications)))
}

// listNotifications serves GET /v2/notification?limit=&cacheable_cursor=;
// the limit defaults to 1, as in Nakama.
func (h *Handler) listNotifications(r *http.Request) (proto.Message, error) {
	ns, cursor, err := h.d.Notifications.List(r.Context(), Caller(r.Context()).UserID, listLimit(r),
		r.URL.Query().Get("cacheable_cursor"))
	if err != nil {
		return nil, err
	}
	out := &api.NotificationList{CacheableCursor: cursor}
	for _, n := range ns {
		out.Notifications = append(out.Notifications, notify.Wire(n))
	}
	return out, nil
}

// deleteNotifications serves DELETE /v2/notification?ids=…&ids=….
func (h *Handler) deleteNotifications(r *http.Request) (proto.Message, error) {
	ids := r.URL.Query()["ids"]
	return &emptypb.Empty{}, h.d.Notifications.Delete(r.Context(), Caller(r.Context()).UserID, ids)
}

// listLimit reads the limit of a listing: 1 when absent, as in Nakama, and
// -1 when it is not a number, for the service to refuse with its message.
func listLimit(r *http.Request) int {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}
