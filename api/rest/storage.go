package rest

import (
	"net/http"
	"strconv"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
)

func (h *Handler) routeStorage() {
	h.mux.Handle("PUT /v2/storage", h.bearer(h.serve(h.writeObjects)))
	h.mux.Handle("POST /v2/storage", h.bearer(h.serve(h.readObjects)))
	h.mux.Handle("PUT /v2/storage/delete", h.bearer(h.serve(h.deleteObjects)))
	h.mux.Handle("GET /v2/storage/{collection}", h.bearer(h.serve(h.listObjects)))
	h.mux.Handle("GET /v2/storage/{collection}/{user_id}", h.bearer(h.serve(h.listObjects)))
}

func (h *Handler) writeObjects(r *http.Request) (proto.Message, error) {
	var body api.WriteStorageObjectsRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	ws := make([]runtime.ObjectWrite, len(body.Objects))
	for i, o := range body.Objects {
		ws[i] = runtime.ObjectWrite{
			Collection:      o.GetCollection(),
			Key:             o.GetKey(),
			Value:           o.GetValue(),
			Version:         o.GetVersion(),
			PermissionRead:  permission(o.GetPermissionRead().GetValue(), o.GetPermissionRead() != nil, runtime.ReadOwner),
			PermissionWrite: permission(o.GetPermissionWrite().GetValue(), o.GetPermissionWrite() != nil, runtime.WriteOwner),
		}
	}
	acks, err := h.d.Objects.Write(r.Context(), Caller(r.Context()).UserID, ws)
	if err != nil {
		return nil, err
	}
	if len(acks) == 0 {
		return &emptypb.Empty{}, nil
	}
	return wire.Acks(acks), nil
}

// permission returns v when set, else def (Nakama's defaults: owner read,
// owner write).
func permission(v int32, set bool, def int) int {
	if !set {
		return def
	}
	return int(v)
}

func (h *Handler) readObjects(r *http.Request) (proto.Message, error) {
	var body api.ReadStorageObjectsRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	ids := make([]runtime.ObjectID, len(body.ObjectIds))
	for i, id := range body.ObjectIds {
		ids[i] = runtime.ObjectID{Collection: id.GetCollection(), Key: id.GetKey(), UserID: id.GetUserId()}
	}
	objs, err := h.d.Objects.Read(r.Context(), Caller(r.Context()).UserID, ids)
	if err != nil {
		return nil, err
	}
	return &api.StorageObjects{Objects: wire.Objects(objs)}, nil
}

func (h *Handler) deleteObjects(r *http.Request) (proto.Message, error) {
	var body api.DeleteStorageObjectsRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	ids := make([]runtime.ObjectID, len(body.ObjectIds))
	for i, id := range body.ObjectIds {
		ids[i] = runtime.ObjectID{Collection: id.GetCollection(), Key: id.GetKey(), Version: id.GetVersion()}
	}
	err := h.d.Objects.Delete(r.Context(), Caller(r.Context()).UserID, ids)
	return &emptypb.Empty{}, err
}

func (h *Handler) listObjects(r *http.Request) (proto.Message, error) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	if limit == 0 && q.Get("limit") != "" {
		limit = -1 // Nakama refuses limit=0; only an absent limit means the default
	}
	list := runtime.ObjectList{
		Caller:     Caller(r.Context()).UserID,
		Collection: r.PathValue("collection"),
		Limit:      limit,
		Cursor:     q.Get("cursor"),
	}
	owner := r.PathValue("user_id")
	if owner == "" {
		owner = q.Get("user_id")
	}
	if owner != "" {
		list.UserID = &owner
	}
	objs, cursor, err := h.d.Objects.List(r.Context(), list)
	if err != nil {
		return nil, err
	}
	return &api.StorageObjectList{Objects: wire.Objects(objs), Cursor: cursor}, nil
}

// queryInt parses an integer query parameter; 0 when absent.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, runtime.Errorf(runtime.InvalidArgument, "Invalid %s value: %q.", name, v)
	}
	return n, nil
}
