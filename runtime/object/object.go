// Package object reads and writes storage objects: JSON documents in
// collections, owned by users or by the server, with Nakama's permissions
// and optimistic versions. Clients and server code (the nk API) use the same
// Service; a caller of "" is the server and bypasses permissions.
package object

import (
	"context"

	"github.com/arbiterhq/arbiter/runtime"
)

// Limits on inputs.
const (
	MaxNameBytes = 128 // collection and key
	MaxListLimit = 100
)

var (
	errNames   = runtime.NewError(runtime.InvalidArgument, "Invalid collection or key value supplied. They must be set.")
	errNameLen = runtime.NewError(runtime.InvalidArgument, "Invalid collection or key value supplied. They must be at most 128 bytes.")
	errRead    = runtime.NewError(runtime.InvalidArgument, "Invalid Read permission supplied. It must be either 0, 1 or 2.")
	errWrite   = runtime.NewError(runtime.InvalidArgument, "Invalid Write permission supplied. It must be either 0 or 1.")
	errValue   = runtime.NewError(runtime.InvalidArgument, "Value must be a JSON object.")
	errUserID  = runtime.NewError(runtime.InvalidArgument, "Invalid user ID - make sure user ID is a valid UUID.")
	errLimit   = runtime.NewError(runtime.InvalidArgument, "Invalid limit - limit must be between 1 and 100.")
	errOwner   = runtime.NewError(runtime.InvalidArgument, "Storage write rejected - an object of another user cannot be written.")
)

// Service reads and writes storage objects.
type Service struct {
	store runtime.ObjectStore
}

// New returns a Service over store.
func New(store runtime.ObjectStore) *Service { return &Service{store: store} }

// Write writes every object or none. A user caller writes only their own
// objects (UserID must be theirs or empty). The acks are in the order of ws.
func (s *Service) Write(ctx context.Context, caller string, ws []runtime.ObjectWrite) ([]runtime.ObjectAck, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	for i := range ws {
		w := &ws[i]
		if caller != "" {
			if w.UserID != "" && w.UserID != caller {
				return nil, errOwner
			}
			w.UserID = caller
		}
		if err := validateWrite(*w); err != nil {
			return nil, err
		}
	}
	return s.store.WriteObjects(ctx, caller, ws)
}

func validateWrite(w runtime.ObjectWrite) error {
	if err := validateNames(w.Collection, w.Key); err != nil {
		return err
	}
	switch {
	case w.Value == "":
		return errNames
	case w.PermissionRead < runtime.ReadNone || w.PermissionRead > runtime.ReadPublic:
		return errRead
	case w.PermissionWrite < runtime.WriteNone || w.PermissionWrite > runtime.WriteOwner:
		return errWrite
	case w.UserID != "" && !runtime.ValidUUID(w.UserID):
		return errUserID
	case !runtime.IsJSONObject(w.Value):
		return errValue
	}
	return nil
}

func validateNames(collection, key string) error {
	switch {
	case collection == "" || key == "":
		return errNames
	case len(collection) > MaxNameBytes || len(key) > MaxNameBytes:
		return errNameLen
	}
	return nil
}

func validateOwner(userID string) error {
	if userID != "" && (!runtime.ValidUUID(userID) || userID == runtime.NilUUID) {
		return errUserID
	}
	return nil
}

// Read returns the named objects the caller may read; others are left out.
// An empty UserID names a server-owned object.
func (s *Service) Read(ctx context.Context, caller string, ids []runtime.ObjectID) ([]runtime.Object, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	for _, id := range ids {
		if err := validateNames(id.Collection, id.Key); err != nil {
			return nil, err
		}
		if err := validateOwner(id.UserID); err != nil {
			return nil, err
		}
	}
	return s.store.ReadObjects(ctx, caller, ids)
}

// Delete deletes every named object or none. A user caller deletes only
// their own objects.
func (s *Service) Delete(ctx context.Context, caller string, ids []runtime.ObjectID) error {
	if len(ids) == 0 {
		return nil
	}
	for i := range ids {
		id := &ids[i]
		if caller != "" {
			id.UserID = caller
		}
		if err := validateNames(id.Collection, id.Key); err != nil {
			return err
		}
		if err := validateOwner(id.UserID); err != nil {
			return err
		}
	}
	return s.store.DeleteObjects(ctx, caller, ids)
}

// List returns a page of a collection's objects that the caller may read.
// A zero limit means 1, Nakama's default for clients.
func (s *Service) List(ctx context.Context, q runtime.ObjectList) ([]runtime.Object, string, error) {
	if q.Limit == 0 {
		q.Limit = 1
	}
	switch {
	case q.Collection == "":
		return nil, "", runtime.NewError(runtime.InvalidArgument, "Invalid collection - collection must be set.")
	case q.Limit < 1 || q.Limit > MaxListLimit:
		return nil, "", errLimit
	case q.UserID != nil && *q.UserID != "" && !runtime.ValidUUID(*q.UserID):
		return nil, "", errUserID
	}
	return s.store.ListObjects(ctx, q)
}
