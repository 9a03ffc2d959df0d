package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
)

// memStore is an in-memory IdentityStore and AccountStore with just enough
// behaviour for the service's logic.
type memStore struct {
	mu        sync.Mutex
	accounts  map[string]*runtime.Account
	links     map[string]string // kind:id → user id
	secrets   map[string][]byte // user id → password hash
	updateErr error             // returned by UpdateAccount when set
	userCalls int
}

func newMemStore() *memStore {
	return &memStore{accounts: map[string]*runtime.Account{}, links: map[string]string{}, secrets: map[string][]byte{}}
}

func linkKey(id runtime.Identity) string { return id.Kind.String() + ":" + id.ID }

func (m *memStore) Identify(_ context.Context, id runtime.Identity, create bool, nu runtime.NewUser) (runtime.Identified, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if uid, ok := m.links[linkKey(id)]; ok {
		a := m.accounts[uid]
		return runtime.Identified{User: a.User, Secret: m.secrets[uid], Disabled: !a.DisableTime.IsZero()}, nil
	}
	if !create || id.Kind == runtime.IdentityUsername {
		return runtime.Identified{}, runtime.ErrNotFound
	}
	for _, a := range m.accounts {
		if a.User.Username == nu.Username {
			return runtime.Identified{}, runtime.ErrUsernameTaken
		}
	}
	a := &runtime.Account{User: runtime.User{ID: nu.ID, Username: nu.Username}}
	m.accounts[nu.ID] = a
	m.links[linkKey(id)] = nu.ID
	m.links["username:"+nu.Username] = nu.ID
	m.secrets[nu.ID] = id.Secret
	return runtime.Identified{User: a.User, Secret: id.Secret, Created: true}, nil
}

func (m *memStore) Account(_ context.Context, userID string) (runtime.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[userID]
	if !ok {
		return runtime.Account{}, runtime.ErrNotFound
	}
	return *a, nil
}

func (m *memStore) UpdateAccount(_ context.Context, userID string, u runtime.AccountUpdate) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.updateErr != nil {
		return m.updateErr
	}
	a, ok := m.accounts[userID]
	if !ok {
		return runtime.ErrNotFound
	}
	if u.Username != nil {
		a.User.Username = *u.Username
	}
	return nil
}

func (m *memStore) Users(context.Context, []string, []string) ([]runtime.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.userCalls++
	return nil, nil
}

func (m *memStore) disable(userID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts[userID].DisableTime = time.Now()
}

func newService(t *testing.T) (*Service, *memStore, *auth.Tokens) {
	t.Helper()
	tokens, err := auth.New(t.Context(), auth.Config{
		SessionKey: "session", RefreshKey: "refresh", TokenExpiry: time.Minute, RefreshExpiry: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	store := newMemStore()
	return New(Deps{Identities: store, Accounts: store, Tokens: tokens, BcryptCost: bcrypt.MinCost}), store, tokens
}

// wantError checks err's code and message.
func wantError(t *testing.T, err error, code runtime.Code, msg string) {
	t.Helper()
	var e *runtime.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != msg {
		t.Fatalf("err = %v, want code %d %q", err, code, msg)
	}
}

func TestAuthenticate(t *testing.T) {
	svc, store, tokens := newService(t)
	ctx := t.Context()
	dev := Credentials{Kind: runtime.IdentityDevice, ID: "device-0123456789", Create: true, Username: "alice",
		Vars: map[string]string{"k": "v"}}

	first, err := svc.Authenticate(ctx, dev)
	if err != nil || !first.Created {
		t.Fatalf("first Authenticate = %+v, %v; want created", first, err)
	}
	claims, err := tokens.Verify(first.Token)
	if err != nil || claims.Username != "alice" || claims.Vars["k"] != "v" || claims.UserID != first.Claims.UserID {
		t.Fatalf("token claims = %+v, %v", claims, err)
	}
	if _, err := tokens.VerifyRefresh(first.RefreshToken); err != nil {
		t.Fatalf("refresh token: %v", err)
	}

	dev.Username = "ignored"
	again, err := svc.Authenticate(ctx, dev)
	if err != nil || again.Created || again.Claims.UserID != first.Claims.UserID || again.Claims.Username != "alice" {
		t.Fatalf("second Authenticate = %+v, %v; want the same user, not created", again.Claims, err)
	}

	t.Run("create false", func(t *testing.T) {
		_, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityDevice, ID: "device-unknown-1"})
		wantError(t, err, runtime.NotFound, "User account not found.")
	})
	t.Run("username taken", func(t *testing.T) {
		_, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityCustom, ID: "custom-1", Create: true, Username: "alice"})
		wantError(t, err, runtime.AlreadyExists, "Username is already in use.")
	})
	t.Run("generated username", func(t *testing.T) {
		s, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityCustom, ID: "custom-2", Create: true})
		if err != nil || len(s.Claims.Username) != 10 {
			t.Fatalf("Authenticate = %+v, %v; want a generated ten-letter username", s.Claims, err)
		}
	})
	t.Run("banned", func(t *testing.T) {
		s, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityCustom, ID: "custom-banned", Create: true})
		if err != nil {
			t.Fatal(err)
		}
		store.disable(s.Claims.UserID)
		_, err = svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityCustom, ID: "custom-banned", Create: true})
		wantError(t, err, runtime.PermissionDenied, "User account banned.")
		_, err = svc.Refresh(ctx, s.RefreshToken, nil)
		wantError(t, err, runtime.PermissionDenied, "User account banned.")
	})
	t.Run("invalid input reaches no store", func(t *testing.T) {
		_, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityDevice, ID: "short", Create: true})
		wantError(t, err, runtime.InvalidArgument, "Device ID invalid, must be 10-128 bytes.")
	})
}

func TestAuthenticateEmail(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := t.Context()
	c := Credentials{Kind: runtime.IdentityEmail, ID: "Someone@Example.com", Password: "correct horse", Create: true, Username: "someone"}
	first, err := svc.Authenticate(ctx, c)
	if err != nil || !first.Created {
		t.Fatalf("create = %+v, %v", first, err)
	}
	hash := store.secrets[first.Claims.UserID]
	if bcrypt.CompareHashAndPassword(hash, []byte("correct horse")) != nil {
		t.Fatalf("stored secret %q is not the bcrypt hash of the password", hash)
	}
	if _, ok := store.links["email:someone@example.com"]; !ok {
		t.Fatalf("email not stored lower-cased: %v", store.links)
	}
	cases := []struct {
		name string
		c    Credentials
		code runtime.Code
		msg  string
	}{
		{"right password", Credentials{Kind: runtime.IdentityEmail, ID: "someone@example.com", Password: "correct horse"}, runtime.OK, ""},
		{"right password, create", Credentials{Kind: runtime.IdentityEmail, ID: "SOMEONE@example.com", Password: "correct horse", Create: true}, runtime.OK, ""},
		{"wrong password", Credentials{Kind: runtime.IdentityEmail, ID: "someone@example.com", Password: "wrong horse"}, runtime.Unauthenticated, "Invalid credentials."},
		{"wrong password, create", Credentials{Kind: runtime.IdentityEmail, ID: "someone@example.com", Password: "wrong horse", Create: true}, runtime.Unauthenticated, "Invalid credentials."},
		{"unknown, no create", Credentials{Kind: runtime.IdentityEmail, ID: "nobody@example.com", Password: "correct horse"}, runtime.NotFound, "User account not found."},
		{"by username", Credentials{Kind: runtime.IdentityEmail, Username: "someone", Password: "correct horse"}, runtime.OK, ""},
		{"by username, wrong password", Credentials{Kind: runtime.IdentityEmail, Username: "someone", Password: "wrong horse"}, runtime.Unauthenticated, "Invalid credentials."},
		{"by unknown username, create", Credentials{Kind: runtime.IdentityEmail, Username: "nobody", Password: "correct horse", Create: true}, runtime.NotFound, "User account not found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := svc.Authenticate(ctx, tc.c)
			if tc.code == runtime.OK {
				if err != nil || s.Created || s.Claims.UserID != first.Claims.UserID {
					t.Fatalf("Authenticate = %+v, %v; want the existing user", s.Claims, err)
				}
				return
			}
			wantError(t, err, tc.code, tc.msg)
		})
	}

	t.Run("account without a password", func(t *testing.T) {
		if _, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityDevice, ID: "device-nopass-1", Create: true, Username: "nopass"}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityEmail, Username: "nopass", Password: "anything long"})
		wantError(t, err, runtime.Unauthenticated, "Invalid credentials.")
	})
}

func TestRefresh(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := t.Context()
	s, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityDevice, ID: "device-refresh-1", Create: true,
		Vars: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		vars map[string]string
		want map[string]string
	}{
		{"nil vars keep the old", nil, map[string]string{"a": "1"}},
		{"empty vars keep the old", map[string]string{}, map[string]string{"a": "1"}},
		{"new vars replace the old", map[string]string{"b": "2"}, map[string]string{"b": "2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := svc.Refresh(ctx, s.RefreshToken, c.vars)
			if err != nil {
				t.Fatal(err)
			}
			if r.Created || r.Claims.UserID != s.Claims.UserID || r.Claims.TokenID != s.Claims.TokenID ||
				len(r.Claims.Vars) != len(c.want) {
				t.Fatalf("refreshed claims = %+v, want user %s, token id %s and vars %v", r.Claims, s.Claims.UserID, s.Claims.TokenID, c.want)
			}
			for k, v := range c.want {
				if r.Claims.Vars[k] != v {
					t.Fatalf("vars = %v, want %v", r.Claims.Vars, c.want)
				}
			}
		})
	}
	t.Run("takes the current username", func(t *testing.T) {
		name := "renamed"
		if err := svc.UpdateAccount(ctx, s.Claims.UserID, runtime.AccountUpdate{Username: &name}); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Refresh(ctx, s.RefreshToken, nil)
		if err != nil || r.Claims.Username != name {
			t.Fatalf("refreshed username = %q, %v; want %q", r.Claims.Username, err, name)
		}
	})
	t.Run("required", func(t *testing.T) {
		_, err := svc.Refresh(ctx, "", nil)
		wantError(t, err, runtime.InvalidArgument, "Refresh token is required.")
	})
	t.Run("session token", func(t *testing.T) {
		_, err := svc.Refresh(ctx, s.Token, nil)
		wantError(t, err, runtime.Unauthenticated, "Refresh token invalid or expired.")
	})
}

func TestLogout(t *testing.T) {
	svc, _, tokens := newService(t)
	ctx := t.Context()
	login := func(id string) Session {
		t.Helper()
		s, err := svc.Authenticate(ctx, Credentials{Kind: runtime.IdentityDevice, ID: id, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	alice, bob := login("device-alice-1"), login("device-bob-01")
	uid := alice.Claims.UserID
	wantError(t, svc.Logout(ctx, uid, bob.Token, ""), runtime.InvalidArgument, "Session token invalid.")
	wantError(t, svc.Logout(ctx, uid, "", bob.RefreshToken), runtime.InvalidArgument, "Refresh token invalid.")
	wantError(t, svc.Logout(ctx, uid, alice.RefreshToken, ""), runtime.InvalidArgument, "Session token invalid.")
	wantError(t, svc.Logout(ctx, uid, "", alice.Token), runtime.InvalidArgument, "Refresh token invalid.")
	if _, err := tokens.Verify(bob.Token); err != nil {
		t.Fatalf("bob's token after refused logouts: %v", err)
	}

	if err := svc.Logout(ctx, uid, alice.Token, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Verify(alice.Token); err == nil {
		t.Fatal("session token valid after its logout")
	}
	if _, err := tokens.VerifyRefresh(alice.RefreshToken); err != nil {
		t.Fatalf("refresh token after a session logout: %v", err)
	}
	// A logout names a token that is still valid.
	wantError(t, svc.Logout(ctx, uid, alice.Token, ""), runtime.InvalidArgument, "Session token invalid.")

	again := login("device-alice-1")
	if err := svc.Logout(ctx, uid, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Verify(again.Token); err == nil {
		t.Fatal("session token valid after logging out everything")
	}
	if _, err := tokens.VerifyRefresh(alice.RefreshToken); err == nil {
		t.Fatal("refresh token valid after logging out everything")
	}
	if _, err := tokens.Verify(bob.Token); err != nil {
		t.Fatalf("another user's token after a logout: %v", err)
	}
}

func TestUpdateAccountErrors(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := t.Context()
	name := "someone"
	cases := []struct {
		name     string
		storeErr error
		code     runtime.Code
		msg      string
	}{
		// Nakama answers 400 here, unlike the 409 of authenticate.
		{"username taken", runtime.ErrUsernameTaken, runtime.InvalidArgument, "Username is already in use."},
		{"unknown account", runtime.ErrNotFound, runtime.NotFound, "Account not found."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store.updateErr = c.storeErr
			wantError(t, svc.UpdateAccount(ctx, runtime.NewUUID().String(), runtime.AccountUpdate{Username: &name}), c.code, c.msg)
		})
	}
	store.updateErr = errors.New("disk on fire")
	if err := svc.UpdateAccount(ctx, "u", runtime.AccountUpdate{Username: &name}); runtime.CodeOf(err) != runtime.Internal {
		t.Fatalf("store failure = %v, want an internal error", err)
	}
}

func TestUsers(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := t.Context()
	_, err := svc.Users(ctx, []string{runtime.NewUUID().String(), "nope"}, nil)
	wantError(t, err, runtime.InvalidArgument, "ID 'nope' is not a valid system ID.")
	users, err := svc.Users(ctx, nil, nil)
	if err != nil || users != nil || store.userCalls != 0 {
		t.Fatalf("Users() = %v, %v after %d store calls; want nothing and no store call", users, err, store.userCalls)
	}
	if _, err := svc.Users(ctx, nil, []string{"alice"}); err != nil || store.userCalls != 1 {
		t.Fatalf("Users(usernames) = %v after %d store calls", err, store.userCalls)
	}
}
