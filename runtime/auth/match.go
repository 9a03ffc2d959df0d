package auth

import (
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/arbiterhq/arbiter/runtime"
)

// MatchTokenTTL is how long a matchmaker token lets its players join.
const MatchTokenTTL = 30 * time.Second

// ErrMatchTokenInvalid: a match token that is forged, expired or malformed.
var ErrMatchTokenInvalid = runtime.NewError(runtime.InvalidArgument, "Invalid match token")

// matchClaims are a matchmaker token's claims, named as Nakama names them.
type matchClaims struct {
	MatchID   string `json:"mid"`
	ExpiresAt int64  `json:"exp"`
}

func (c matchClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}
func (c matchClaims) GetIssuedAt() (*jwt.NumericDate, error)  { return nil, nil }
func (c matchClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c matchClaims) GetIssuer() (string, error)              { return "", nil }
func (c matchClaims) GetSubject() (string, error)             { return "", nil }
func (c matchClaims) GetAudience() (jwt.ClaimStrings, error)  { return nil, nil }

// MatchToken signs a short-lived token that lets the matched players join
// the relayed match matchID, as Nakama's matchmaker does.
func (t *Tokens) MatchToken(matchID string) (string, error) {
	c := matchClaims{MatchID: matchID, ExpiresAt: t.cfg.Now().Add(MatchTokenTTL).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.sessionKey)
}

// VerifyMatchToken returns the match id of a valid match token. A token
// without a match id (such as a session token, signed with the same key) is
// not one, as in Nakama.
func (t *Tokens) VerifyMatchToken(token string) (string, error) {
	var c matchClaims
	if _, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.sessionKey, nil }); err != nil {
		return "", ErrMatchTokenInvalid
	}
	if c.MatchID == "" {
		return "", ErrMatchTokenInvalid
	}
	return c.MatchID, nil
}
