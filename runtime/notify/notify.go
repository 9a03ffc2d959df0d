package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// MaxListLimit is the most notifications one listing returns.
const MaxListLimit = 100

// Errors a caller may see, with Nakama's messages where Nakama has one.
var (
	ErrInvalidUser    = runtime.NewError(runtime.InvalidArgument, "expects user_id to be a valid UUID")
	ErrInvalidSender  = runtime.NewError(runtime.InvalidArgument, "expects sender_id to be a valid UUID")
	ErrInvalidSubject = runtime.NewError(runtime.InvalidArgument, "expects subject to be a non-empty string")
	ErrInvalidContent = runtime.NewError(runtime.InvalidArgument, "expects content to be a JSON object")
	ErrInvalidLimit   = runtime.NewError(runtime.InvalidArgument, "Invalid limit - limit must be between 1 and 100.")
	ErrInvalidID      = runtime.NewError(runtime.InvalidArgument, "Invalid notification ID.")

	errStore  = runtime.NewError(runtime.Internal, "Error sending notifications.")
	errList   = runtime.NewError(runtime.Internal, "Error retrieving notifications.")
	errDelete = runtime.NewError(runtime.Internal, "Error while deleting notifications.")
)

// Stream is the notifications stream of a user.
func Stream(userID string) session.Stream {
	return session.Stream{Mode: session.ModeNotifications, Subject: userID}
}

// Service sends, lists and deletes notifications.
type Service struct {
	store   runtime.NotificationStore
	tracker *session.Tracker
	router  *session.Router
}

// New returns a Service that stores persistent notifications in store and
// delivers them to the sessions tracker knows of through router.
func New(store runtime.NotificationStore, tracker *session.Tracker, router *session.Router) *Service {
	return &Service{store: store, tracker: tracker, router: router}
}

// Send validates ns, fills in each one's ID and CreateTime (in the order of
// ns), stores the persistent ones and delivers them all to their users'
// sessions. Nothing is stored or delivered when one is invalid or the store
// fails.
func (s *Service) Send(ctx context.Context, ns []runtime.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	for i := range ns {
		if err := check(&ns[i]); err != nil {
			return err
		}
	}
	// Each notification of a call is a microsecond (the stores' precision)
	// after the one before, so that listings keep the order of the call.
	now := time.Now().UTC().Truncate(time.Microsecond)
	var persistent []runtime.Notification
	for i := range ns {
		n := &ns[i]
		n.ID, n.CreateTime = runtime.NewUUID().String(), now.Add(time.Duration(i)*time.Microsecond)
		if n.Persistent {
			persistent = append(persistent, *n)
		}
	}
	if len(persistent) > 0 {
		if err := s.store.AddNotifications(ctx, persistent); err != nil {
			return fmt.Errorf("%w: %w", errStore, err)
		}
	}
	s.deliver(ns)
	return nil
}

// check validates one notification, writing ids in canonical (lower case)
// form and "{}" for empty content.
func check(n *runtime.Notification) error {
	user, ok := runtime.ParseUUID(n.UserID)
	if !ok {
		return ErrInvalidUser
	}
	n.UserID = user.String()
	if n.SenderID != "" {
		sender, ok := runtime.ParseUUID(n.SenderID)
		if !ok {
			return ErrInvalidSender
		}
		n.SenderID = sender.String()
	}
	switch {
	case n.Subject == "":
		return ErrInvalidSubject
	case n.Content == "":
		n.Content = "{}"
	case !runtime.IsJSONObject(n.Content):
		return ErrInvalidContent
	}
	return nil
}

// deliver sends one envelope per user, in the order users first appear.
func (s *Service) deliver(ns []runtime.Notification) {
	byUser := make(map[string][]*api.Notification, 1)
	var users []string
	for _, n := range ns {
		if _, ok := byUser[n.UserID]; !ok {
			users = append(users, n.UserID)
		}
		byUser[n.UserID] = append(byUser[n.UserID], Wire(n))
	}
	for _, u := range users {
		s.router.SendStream(s.tracker, Stream(u), &rtapi.Envelope{Message: &rtapi.Envelope_Notifications{
			Notifications: &rtapi.Notifications{Notifications: byUser[u]},
		}})
	}
}

// Wire converts a notification.
func Wire(n runtime.Notification) *api.Notification {
	return &api.Notification{
		Id:         n.ID,
		Subject:    n.Subject,
		Content:    n.Content,
		Code:       int32(n.Code),
		SenderId:   n.SenderID,
		CreateTime: timestamppb.New(n.CreateTime),
		Persistent: n.Persistent,
	}
}

// List returns up to limit (1 to 100) of the user's stored notifications
// after cursor ("" for the oldest), oldest first, and the cacheable cursor
// to list newer ones with later; with none to return, cursor comes back.
func (s *Service) List(ctx context.Context, userID string, limit int, cursor string) ([]runtime.Notification, string, error) {
	if limit < 1 || limit > MaxListLimit {
		return nil, "", ErrInvalidLimit
	}
	ns, next, err := s.store.ListNotifications(ctx, userID, limit, cursor)
	switch {
	case err == nil:
		return ns, next, nil
	case runtime.CodeOf(err) == runtime.InvalidArgument:
		return nil, "", err // runtime.ErrBadCursor
	}
	return nil, "", fmt.Errorf("%w: %w", errList, err)
}

// Delete deletes the user's notifications with those ids; ids of no
// notification of theirs are ignored, and an id that is not a UUID is
// refused.
func (s *Service) Delete(ctx context.Context, userID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	canonical := make([]string, len(ids))
	for i, id := range ids {
		u, ok := runtime.ParseUUID(id)
		if !ok {
			return ErrInvalidID
		}
		canonical[i] = u.String()
	}
	if err := s.store.DeleteNotifications(ctx, userID, canonical); err != nil {
		return fmt.Errorf("%w: %w", errDelete, err)
	}
	return nil
}
