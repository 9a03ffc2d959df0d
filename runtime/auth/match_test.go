package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/arbiterhq/arbiter/runtime"
)

func TestVerifyMatchToken(t *testing.T) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	tk := newTokens(t, nil, clk)
	matchID := runtime.NewUUID().String() + "."
	good, err := tk.MatchToken(matchID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tk.VerifyMatchToken(good)
	if err != nil || got != matchID {
		t.Fatalf("VerifyMatchToken(valid) = %q, %v; want %q", got, err, matchID)
	}

	sign := func(method jwt.SigningMethod, key any, claims jwt.Claims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exp := clk.Now().Add(MatchTokenTTL).Unix()
	claims := func(mid string, exp int64) jwt.MapClaims { return jwt.MapClaims{"mid": mid, "exp": exp} }
	parts := strings.Split(good, ".")
	other := runtime.NewUUID().String() + "."
	session, err := tk.Issue(userID, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "garbage"},
		{"three garbage parts", "a.b.c"},
		{"forged payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"mid":"`+other+`","exp":9999999999}`)) + "." + parts[2]},
		{"bad signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"another key", sign(jwt.SigningMethodHS256, []byte("another-key"), claims(matchID, exp))},
		{"refresh key", sign(jwt.SigningMethodHS256, []byte("refresh-key"), claims(matchID, exp))},
		{"HS512", sign(jwt.SigningMethodHS512, []byte("session-key"), claims(matchID, exp))},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(matchID, exp))},
		{"expired", sign(jwt.SigningMethodHS256, []byte("session-key"), claims(matchID, clk.Now().Add(-time.Second).Unix()))},
		{"no exp", sign(jwt.SigningMethodHS256, []byte("session-key"), jwt.MapClaims{"mid": matchID})},
		{"no mid", sign(jwt.SigningMethodHS256, []byte("session-key"), jwt.MapClaims{"exp": exp})},
		{"session token", session.Token},
		{"refresh token", session.RefreshToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := tk.VerifyMatchToken(c.token)
			if err != ErrMatchTokenInvalid || id != "" {
				t.Fatalf("VerifyMatchToken = %q, %v; want ErrMatchTokenInvalid", id, err)
			}
		})
	}

	// A token signed outside Tokens by the rules is accepted: the cases
	// above fail for the reason they name.
	if id, err := tk.VerifyMatchToken(sign(jwt.SigningMethodHS256, []byte("session-key"), claims(other, exp))); err != nil || id != other {
		t.Fatalf("hand-signed token: %q, %v", id, err)
	}

	// The token expires after MatchTokenTTL.
	clk.Add(MatchTokenTTL - time.Second)
	if _, err := tk.VerifyMatchToken(good); err != nil {
		t.Fatalf("token rejected before its TTL: %v", err)
	}
	clk.Add(2 * time.Second)
	if _, err := tk.VerifyMatchToken(good); err != ErrMatchTokenInvalid {
		t.Fatalf("token past its TTL: %v, want ErrMatchTokenInvalid", err)
	}
}
