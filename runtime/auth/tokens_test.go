package auth

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/arbiterhq/arbiter/runtime"
)

// memStore is an in-memory runtime.TokenStore.
type memStore struct {
	mu sync.Mutex
	rs []runtime.Revocation
}

func (m *memStore) Revoke(_ context.Context, r runtime.Revocation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rs = append(m.rs, r)
	return nil
}

func (m *memStore) Revocations(_ context.Context, now time.Time) ([]runtime.Revocation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []runtime.Revocation
	for _, r := range m.rs {
		if r.Expires.After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTokens(t *testing.T, store runtime.TokenStore, clk *clock) *Tokens {
	t.Helper()
	tk, err := New(context.Background(), Config{
		SessionKey: "session-key", RefreshKey: "refresh-key",
		TokenExpiry: time.Minute, RefreshExpiry: time.Hour,
		Store: store, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

const userID = "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f"

func TestVerifyRejectsBadTokens(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	tk := newTokens(t, nil, clk)
	pair, err := tk.Issue(userID, "alice", map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(method jwt.SigningMethod, key any, claims jwt.Claims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := Claims{TokenID: runtime.NewUUID().String(), UserID: userID, ExpiresAt: clk.Now().Add(time.Minute).Unix()}
	noExp := valid
	noExp.ExpiresAt = 0
	badUID := valid
	badUID.UserID = "not-a-uuid"
	parts := strings.Split(pair.Token, ".")
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

	cases := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "a.b.c"},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"`+userID+`","exp":9999999999}`)) + "." + parts[2]},
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"alg none", header + "." + parts[1] + "."},
		{"alg none signed", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)},
		{"HS512", sign(jwt.SigningMethodHS512, []byte("session-key"), valid)},
		{"wrong key", sign(jwt.SigningMethodHS256, []byte("other"), valid)},
		{"refresh key", sign(jwt.SigningMethodHS256, []byte("refresh-key"), valid)},
		{"no exp", sign(jwt.SigningMethodHS256, []byte("session-key"), noExp)},
		{"uid not a uuid", sign(jwt.SigningMethodHS256, []byte("session-key"), badUID)},
		{"refresh token as session", pair.RefreshToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := tk.Verify(c.token); err != ErrTokenInvalid {
				t.Fatalf("Verify = %v, want ErrTokenInvalid", err)
			}
		})
	}
	if _, err := tk.Verify(sign(jwt.SigningMethodHS256, []byte("session-key"), valid)); err != nil {
		t.Fatalf("valid token rejected: %v", err)
	}
}

func TestIssueVerifyExpire(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	tk := newTokens(t, nil, clk)
	pair, err := tk.Issue(userID, "alice", map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.Verify(pair.Token)
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != userID || c.Username != "alice" || c.Vars["k"] != "v" || c.ExpiresAt != clk.Now().Unix()+60 {
		t.Fatalf("claims = %+v", c)
	}
	r, err := tk.VerifyRefresh(pair.RefreshToken)
	if err != nil || r.TokenID != c.TokenID || r.ExpiresAt != clk.Now().Unix()+3600 {
		t.Fatalf("refresh claims = %+v, %v", r, err)
	}
	if _, err := tk.VerifyRefresh(pair.Token); err != ErrRefreshInvalid {
		t.Fatalf("session token accepted as refresh: %v", err)
	}
	clk.Add(59 * time.Second)
	if _, err := tk.Verify(pair.Token); err != nil {
		t.Fatalf("token rejected before exp: %v", err)
	}
	clk.Add(time.Second)
	if _, err := tk.Verify(pair.Token); err != ErrTokenInvalid {
		t.Fatalf("token accepted at exp: %v", err)
	}
	if _, err := tk.VerifyRefresh(pair.RefreshToken); err != nil {
		t.Fatalf("refresh rejected before its exp: %v", err)
	}
}

func TestRefreshKeepsSession(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	tk := newTokens(t, nil, clk)
	pair, _ := tk.Issue(userID, "alice", map[string]string{"k": "v"})
	old, _ := tk.VerifyRefresh(pair.RefreshToken)
	clk.Add(30 * time.Second)
	next, err := tk.Refresh(old, "alice2", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.Verify(next.Token)
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenID != old.TokenID || c.Username != "alice2" || c.Vars["k"] != "v" || c.ExpiresAt != clk.Now().Unix()+60 {
		t.Fatalf("refreshed claims = %+v", c)
	}
	next, _ = tk.Refresh(old, "alice2", map[string]string{"n": "m"})
	c, _ = tk.Verify(next.Token)
	if c.Vars["n"] != "m" || c.Vars["k"] != "" {
		t.Fatalf("new vars not used: %+v", c.Vars)
	}
}

func TestRevocation(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	store := &memStore{}
	tk := newTokens(t, store, clk)

	a, _ := tk.Issue(userID, "alice", nil)
	b, _ := tk.Issue(userID, "alice", nil)
	ac, _ := tk.Verify(a.Token)
	if err := tk.RevokeSession(ctx, ac); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Verify(a.Token); err == nil {
		t.Fatal("revoked session token still valid")
	}
	if _, err := tk.VerifyRefresh(a.RefreshToken); err != nil {
		t.Fatal("revoking a session token must leave its refresh token valid, as Nakama")
	}
	if _, err := tk.Verify(b.Token); err != nil {
		t.Fatal("revoking one token revoked another")
	}
	ar, _ := tk.VerifyRefresh(a.RefreshToken)
	if err := tk.RevokeRefresh(ctx, ar); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.VerifyRefresh(a.RefreshToken); err == nil {
		t.Fatal("revoked refresh token still valid")
	}

	// Revocations survive a restart.
	again := newTokens(t, store, clk)
	if _, err := again.Verify(a.Token); err == nil {
		t.Fatal("revocation lost on restart")
	}
	if _, err := again.Verify(b.Token); err != nil {
		t.Fatal(err)
	}

	// Revoking a user ends every earlier session, not later ones.
	clk.Add(time.Millisecond)
	if err := again.RevokeUser(ctx, userID); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Millisecond)
	c, _ := again.Issue(userID, "alice", nil)
	if _, err := again.Verify(b.Token); err == nil {
		t.Fatal("token issued before RevokeUser still valid")
	}
	if _, err := again.VerifyRefresh(b.RefreshToken); err == nil {
		t.Fatal("refresh issued before RevokeUser still valid")
	}
	if _, err := again.Verify(c.Token); err != nil {
		t.Fatalf("token issued after RevokeUser rejected: %v", err)
	}
	third := newTokens(t, store, clk)
	if _, err := third.Verify(b.Token); err == nil {
		t.Fatal("user revocation lost on restart")
	}
}

func TestTimeUUIDOrdersTokens(t *testing.T) {
	at := time.Unix(1_700_000_000, 123_456_789)
	got, ok := runtime.TimeOf(runtime.NewTimeUUID(at))
	if !ok || got.Sub(at).Abs() > time.Microsecond {
		t.Fatalf("TimeOf = %v, %v; want %v", got, ok, at)
	}
}
