package storagetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

func testTokens(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	empty, err := s.Revocations(ctx, now)
	wantErr(t, err, nil)
	if len(empty) != 0 {
		t.Fatalf("new store has revocations %+v", empty)
	}

	live := runtime.Revocation{UserID: "u1", TokenID: "tok-1", Expires: now.Add(time.Hour)}
	expired := runtime.Revocation{UserID: "u1", TokenID: "tok-2", Expires: now.Add(-time.Minute)}
	all1 := runtime.Revocation{UserID: "u2", Before: now.Add(-time.Hour), Expires: now.Add(time.Hour)}
	all2 := runtime.Revocation{UserID: "u2", Before: now, Expires: now.Add(2 * time.Hour)}
	older := runtime.Revocation{UserID: "u2", Before: now.Add(-2 * time.Hour), Expires: now.Add(time.Minute)}
	for _, r := range []runtime.Revocation{live, expired, all1, all2, older} {
		wantErr(t, s.Revoke(ctx, r), nil)
	}
	// Revoking a user's tokens again keeps the later bound of each time.
	want := []runtime.Revocation{live, {UserID: "u2", Before: now, Expires: now.Add(2 * time.Hour)}}
	got, err := s.Revocations(ctx, now)
	wantErr(t, err, nil)
	slices.SortFunc(got, func(a, b runtime.Revocation) int { return strings.Compare(a.UserID, b.UserID) })
	wantEqual(t, "revocations", got, want)

	later, err := s.Revocations(ctx, now.Add(90*time.Minute))
	wantErr(t, err, nil)
	wantEqual(t, "revocations in 90 minutes", later, want[1:])
	none, err := s.Revocations(ctx, now.Add(3*time.Hour))
	wantErr(t, err, nil)
	if len(none) != 0 {
		t.Fatalf("revocations after every expiry: %+v", none)
	}
}
