package storagetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

func testAccount(t *testing.T, open Opener) {
	s := open(t)
	_, err := s.Account(t.Context(), "no-such-user")
	wantErr(t, err, runtime.ErrNotFound)
	_, err = s.Account(t.Context(), "")
	wantErr(t, err, runtime.ErrNotFound)

	res := createDevice(t, s)
	a, err := s.Account(t.Context(), res.User.ID)
	wantErr(t, err, nil)
	if !a.VerifyTime.IsZero() || !a.DisableTime.IsZero() || a.Email != "" || a.CustomID != "" {
		t.Fatalf("new device account has verify %v, disable %v, email %q, custom id %q",
			a.VerifyTime, a.DisableTime, a.Email, a.CustomID)
	}
	if a.User.CreateTime.Location() != time.UTC {
		t.Fatalf("times are in %v, want UTC", a.User.CreateTime.Location())
	}
}

func testUpdateAccount(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	str := func(v string) *string { return &v }
	a, b := createDevice(t, s), createDevice(t, s)

	time.Sleep(2 * time.Millisecond) // so that update_time visibly moves
	wantErr(t, s.UpdateAccount(ctx, a.User.ID, runtime.AccountUpdate{
		DisplayName: str("Ünïcødé 🎮 名前"), Location: str("Zürich"), Metadata: str(`{"level":3}`),
	}), nil)
	got, err := s.Account(ctx, a.User.ID)
	wantErr(t, err, nil)
	want := a.User
	want.DisplayName, want.Location, want.Metadata = "Ünïcødé 🎮 名前", "Zürich", `{"level":3}`
	want.UpdateTime = got.User.UpdateTime
	wantEqual(t, "updated user", got.User, want)
	if !got.User.UpdateTime.After(a.User.UpdateTime) {
		t.Fatalf("update_time %v did not move past %v", got.User.UpdateTime, a.User.UpdateTime)
	}

	cases := []struct {
		name string
		user string
		u    runtime.AccountUpdate
		want error
	}{
		{"all fields", a.User.ID, runtime.AccountUpdate{Username: str("renamed-" + newID()), DisplayName: str(""),
			AvatarURL: str("https://example.invalid/a.png"), LangTag: str("fr"), Location: str(""),
			Timezone: str("Europe/Paris"), Metadata: str("{}")}, nil},
		{"nothing", a.User.ID, runtime.AccountUpdate{}, nil},
		{"own username", b.User.ID, runtime.AccountUpdate{Username: str(b.User.Username)}, nil},
		{"new username", b.User.ID, runtime.AccountUpdate{Username: str(b.User.Username + "-2")}, nil},
		{"unknown user", "no-such-user", runtime.AccountUpdate{DisplayName: str("x")}, runtime.ErrNotFound},
		{"unknown user, nothing", "no-such-user", runtime.AccountUpdate{}, runtime.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, s.UpdateAccount(ctx, c.user, c.u), c.want)
		})
	}
	renamed, _ := s.Account(ctx, a.User.ID)
	err = s.UpdateAccount(ctx, b.User.ID, runtime.AccountUpdate{Username: str(renamed.User.Username), LangTag: str("de")})
	wantErr(t, err, runtime.ErrUsernameTaken)
	after, _ := s.Account(ctx, b.User.ID)
	if after.User.LangTag != "en" {
		t.Fatalf("a refused update changed lang_tag to %q", after.User.LangTag)
	}
	err = s.UpdateAccount(ctx, b.User.ID, runtime.AccountUpdate{Username: str("")})
	wantCode(t, err, runtime.InvalidArgument)
}

func testUsers(t *testing.T, open Opener) {
	s := open(t)
	a, b, c := createDevice(t, s).User, createDevice(t, s).User, createDevice(t, s).User
	cases := []struct {
		name      string
		ids       []string
		usernames []string
		want      []runtime.User
	}{
		{"none", nil, nil, nil},
		{"empty lists", []string{}, []string{}, nil},
		{"ids", []string{a.ID, c.ID}, nil, []runtime.User{a, c}},
		{"usernames", nil, []string{b.Username}, []runtime.User{b}},
		{"union without duplicates", []string{a.ID, b.ID, a.ID, "unknown"},
			[]string{b.Username, c.Username, "unknown"}, []runtime.User{a, b, c}},
		{"only unknown", []string{"x"}, []string{"y"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Users(t.Context(), tc.ids, tc.usernames)
			wantErr(t, err, nil)
			byID := func(x, y runtime.User) int { return strings.Compare(x.ID, y.ID) }
			slices.SortFunc(got, byID)
			want := slices.SortedFunc(slices.Values(tc.want), byID)
			if len(got) != len(want) || (len(want) > 0 && !slices.EqualFunc(got, want, usersEqual)) {
				t.Fatalf("Users = %+v, want %+v", got, want)
			}
		})
	}
}

func usersEqual(a, b runtime.User) bool { return a == b }
