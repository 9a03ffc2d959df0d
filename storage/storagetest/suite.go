package storagetest

import (
	"context"
	"crypto/rand"
	"errors"
	"reflect"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// Store is what the suite tests: every storage port of runtime plus the
// schema and health methods that both stores have.
type Store interface {
	runtime.IdentityStore
	runtime.AccountStore
	runtime.TokenStore
	runtime.ObjectStore
	runtime.NotificationStore
	runtime.MessageStore
	runtime.ModuleStore
	// Migrate applies pending migrations; running it again changes nothing.
	Migrate(ctx context.Context) error
	// Ping checks that the database is reachable.
	Ping(ctx context.Context) error
}

// Opener returns a new, empty store for one test and registers its closing
// with t.Cleanup.
type Opener func(t *testing.T) Store

// group is one named part of the suite.
type group struct {
	name string
	run  func(t *testing.T, open Opener)
}

// Run runs the whole conformance suite against the stores open returns.
// Every test opens its own store, so tests run in parallel.
func Run(t *testing.T, open Opener) {
	groups := []group{
		{"Schema", testSchema},
		{"Identify", testIdentify},
		{"Account", testAccount},
		{"UpdateAccount", testUpdateAccount},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"ObjectWrite", testObjectWrite},
		{"ObjectVersions", testObjectVersions},
		{"ObjectWritePermissions", testObjectWritePermissions},
		{"ObjectReadPermissions", testObjectReadPermissions},
		{"ObjectAtomicity", testObjectAtomicity},
		{"ObjectDelete", testObjectDelete},
		{"ObjectList", testObjectList},
		{"ObjectListPermissions", testObjectListPermissions},
		{"Notifications", testNotifications},
		{"NotificationBatches", testNotificationBatches},
		{"NotificationCursor", testNotificationCursor},
		{"Messages", testMessages},
		{"MessageChanges", testMessageChanges},
		{"MessagePages", testMessagePages},
		{"MessageCursors", testMessageCursors},
		{"Concurrency", testConcurrency},
		{"Modules", testModules},
		{"ModulesConcurrent", testModulesConcurrent},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}

// testSchema checks that Migrate is idempotent and Ping works.
func testSchema(t *testing.T, open Opener) {
	s := open(t)
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate on a migrated store: %v", err)
		}
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// newID returns a random id, unique across runs.
func newID() string { return rand.Text() }

// newUser returns a new account's id and username, both random.
func newUser() runtime.NewUser {
	return runtime.NewUser{ID: newID(), Username: "user-" + newID()}
}

// createDevice creates an account for a random device id.
func createDevice(t *testing.T, s Store) runtime.Identified {
	t.Helper()
	return mustIdentify(t, s, runtime.Identity{Kind: runtime.IdentityDevice, ID: "device-" + newID()}, newUser())
}

// mustIdentify identifies with create set and fails the test on error.
func mustIdentify(t *testing.T, s Store, id runtime.Identity, nu runtime.NewUser) runtime.Identified {
	t.Helper()
	res, err := s.Identify(t.Context(), id, true, nu)
	if err != nil {
		t.Fatalf("Identify(%v %q): %v", id.Kind, id.ID, err)
	}
	return res
}

// wantErr fails the test unless err matches want (nil for no error).
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, err error, code runtime.Code) {
	t.Helper()
	if got := runtime.CodeOf(err); got != code {
		t.Fatalf("error %v has code %d, want %d", err, got, code)
	}
}

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}
