// Package status tracks who follows whose online status. A user is online
// while any of their sessions is on their status stream (sockets opened
// with ?status=true); every change of those presences goes to the sessions
// that follow the user as a status_presence_event.
package status

import (
	"context"
	"sync"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// MaxStatusBytes is the longest status a user may set.
const MaxStatusBytes = 2048

// Errors a client may see, with Nakama's messages.
var (
	ErrInvalidUser     = runtime.NewError(runtime.InvalidArgument, "Invalid user identifier")
	ErrInvalidUsername = runtime.NewError(runtime.InvalidArgument, "Invalid username")
	ErrStatusTooLong   = runtime.NewError(runtime.InvalidArgument, "Status must be 2048 characters or less")
)

// Users finds users by id or username; runtime.AccountStore is one.
type Users interface {
	Users(ctx context.Context, ids, usernames []string) ([]runtime.User, error)
}

// Stream is the status stream of a user.
func Stream(userID string) session.Stream {
	return session.Stream{Mode: session.ModeStatus, Subject: userID}
}

// Registry records follows and delivers status events.
type Registry struct {
	tracker *session.Tracker
	router  *session.Router
	users   Users

	mu        sync.RWMutex
	followers map[string]map[*session.Session]struct{} // followed user → sessions
	following map[*session.Session][]string            // session → followed users
}

// New returns a registry and makes it the tracker's handler of status
// stream events.
func New(tracker *session.Tracker, router *session.Router, users Users) *Registry {
	r := &Registry{
		tracker: tracker, router: router, users: users,
		followers: map[string]map[*session.Session]struct{}{},
		following: map[*session.Session][]string{},
	}
	tracker.Handle(session.ModeStatus, r.event)
	return r
}

// Online reports whether a user has a session on their status stream.
func (r *Registry) Online(userID string) bool { return r.tracker.Count(Stream(userID)) > 0 }

// Follow makes s follow the status of users (ids not checked).
func (r *Registry) Follow(s *session.Session, userIDs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range userIDs {
		set := r.followers[id]
		if set == nil {
			set = map[*session.Session]struct{}{}
			r.followers[id] = set
		}
		if _, ok := set[s]; ok {
			continue
		}
		set[s] = struct{}{}
		r.following[s] = append(r.following[s], id)
	}
}

// Unfollow stops s following users; its own user stays followed.
func (r *Registry) Unfollow(s *session.Session, userIDs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range userIDs {
		if id == s.UserID {
			continue
		}
		r.unfollowLocked(s, id)
	}
}

// UnfollowAll drops every follow of s.
func (r *Registry) UnfollowAll(s *session.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.following[s] {
		if set := r.followers[id]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(r.followers, id)
			}
		}
	}
	delete(r.following, s)
}

func (r *Registry) unfollowLocked(s *session.Session, id string) {
	set := r.followers[id]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(r.followers, id)
	}
	list := r.following[s]
	for i, x := range list {
		if x == id {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	r.following[s] = list
}

// event sends a status stream change to the user's followers.
func (r *Registry) event(ev session.Event) {
	r.mu.RLock()
	set := r.followers[ev.Stream.Subject]
	to := make([]*session.Session, 0, len(set))
	for s := range set {
		to = append(to, s)
	}
	r.mu.RUnlock()
	r.router.SendAll(to, &rtapi.Envelope{Message: &rtapi.Envelope_StatusPresenceEvent{
		StatusPresenceEvent: &rtapi.StatusPresenceEvent{
			Joins:  session.WirePresences(ev.Joins),
			Leaves: session.WirePresences(ev.Leaves),
		},
	}})
}

// FollowUsers handles a client's status_follow: it checks the users exist,
// follows them and returns their current presences. The caller's own user
// is skipped, as Nakama does.
func (r *Registry) FollowUsers(ctx context.Context, s *session.Session, ids, usernames []string) (*rtapi.Status, error) {
	for _, id := range ids {
		if !runtime.ValidUUID(id) {
			return nil, ErrInvalidUser
		}
	}
	for _, u := range usernames {
		if u == "" {
			return nil, ErrInvalidUsername
		}
	}
	if len(ids) == 0 && len(usernames) == 0 {
		return &rtapi.Status{}, nil
	}
	users, err := r.users.Users(ctx, ids, usernames)
	if err != nil {
		return nil, err
	}
	follow := make([]string, 0, len(users))
	for _, u := range users {
		if u.ID != s.UserID && u.ID != runtime.NilUUID {
			follow = append(follow, u.ID)
		}
	}
	r.Follow(s, follow)
	out := &rtapi.Status{}
	for _, id := range follow {
		out.Presences = append(out.Presences, session.WirePresences(r.tracker.List(Stream(id), false))...)
	}
	return out, nil
}

// UnfollowUsers handles a client's status_unfollow.
func (r *Registry) UnfollowUsers(s *session.Session, ids []string) error {
	for _, id := range ids {
		if !runtime.ValidUUID(id) {
			return ErrInvalidUser
		}
	}
	r.Unfollow(s, ids)
	return nil
}

// Update handles a client's status_update: a nil status takes the session
// offline; any other status (even "") puts it online with that status.
func (r *Registry) Update(s *session.Session, status *string) error {
	if status == nil {
		r.tracker.Untrack(s, Stream(s.UserID), session.ReasonLeave)
		return nil
	}
	if len(*status) > MaxStatusBytes {
		return ErrStatusTooLong
	}
	r.tracker.Update(s, Stream(s.UserID), session.Meta{Username: s.Username, Status: *status})
	return nil
}
