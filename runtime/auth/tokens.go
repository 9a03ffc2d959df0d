// Package auth issues and verifies session and refresh tokens.
//
// Tokens are HS256 JWTs with Nakama's claim names (tid, uid, usn, vrs, exp,
// iat), so Nakama's clients read them unchanged. Verification accepts only
// HS256 and requires exp. A token is valid until it expires unless revoked:
// revocations (a logout of one token, or of every token of a user issued
// before an instant) are kept in memory for the hot path and in a
// runtime.TokenStore so that they outlive a restart.
//
// Token ids are time-ordered UUIDs (version 7), so "every token of this user
// issued before T" needs no list of issued tokens: the token id says when its
// session began. A refreshed pair keeps its id, as in Nakama, so logging out
// an id ends every token of that session.
package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/arbiterhq/arbiter/runtime"
)

// Errors returned by verification.
var (
	// ErrTokenInvalid: a session token is malformed, forged, expired or revoked.
	ErrTokenInvalid = runtime.ErrUnauthenticated.With("Auth token invalid")
	// ErrRefreshInvalid: a refresh token is malformed, forged, expired or revoked.
	ErrRefreshInvalid = runtime.ErrUnauthenticated.With("Refresh token invalid or expired.")
)

// Config configures Tokens.
type Config struct {
	SessionKey    string
	RefreshKey    string
	TokenExpiry   time.Duration
	RefreshExpiry time.Duration
	// Store keeps revocations; nil keeps them in memory only.
	Store runtime.TokenStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Claims are a token's claims, named as Nakama names them.
type Claims struct {
	TokenID   string            `json:"tid,omitempty"`
	UserID    string            `json:"uid,omitempty"`
	Username  string            `json:"usn,omitempty"`
	Vars      map[string]string `json:"vrs,omitempty"`
	ExpiresAt int64             `json:"exp,omitempty"`
	IssuedAt  int64             `json:"iat,omitempty"`
}

// Pair is a session token and its refresh token.
type Pair struct {
	Token        string
	RefreshToken string
	Claims       Claims // of the session token
}

// Tokens issues, verifies and revokes tokens. It is safe for concurrent use.
type Tokens struct {
	cfg        Config
	sessionKey []byte
	refreshKey []byte
	parser     *jwt.Parser

	mu      sync.RWMutex
	revoked map[string]int64     // kind+token id → unix expiry of the entry
	before  map[string]time.Time // user id → tokens whose session began at or before are revoked
	pruned  time.Time
}

// New returns Tokens with the revocations of cfg.Store loaded.
func New(ctx context.Context, cfg Config) (*Tokens, error) {
	if cfg.SessionKey == "" || cfg.RefreshKey == "" {
		return nil, errors.New("auth: session and refresh keys must be set")
	}
	if cfg.TokenExpiry <= 0 || cfg.RefreshExpiry <= 0 {
		return nil, errors.New("auth: token expiries must be positive")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Tokens{
		cfg:        cfg,
		sessionKey: []byte(cfg.SessionKey),
		refreshKey: []byte(cfg.RefreshKey),
		parser: jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(), jwt.WithTimeFunc(cfg.Now)),
		revoked: map[string]int64{},
		before:  map[string]time.Time{},
	}
	if cfg.Store != nil {
		rs, err := cfg.Store.Revocations(ctx, cfg.Now())
		if err != nil {
			return nil, fmt.Errorf("auth: loading revocations: %w", err)
		}
		for _, r := range rs {
			t.remember(r)
		}
	}
	return t, nil
}

// Issue returns a new session for a user.
func (t *Tokens) Issue(userID, username string, vars map[string]string) (Pair, error) {
	now := t.cfg.Now()
	return t.sign(Claims{
		TokenID:  runtime.NewTimeUUID(now).String(),
		UserID:   userID,
		Username: username,
		Vars:     vars,
		IssuedAt: now.Unix(),
	}, now)
}

// Refresh returns a new pair for the session of a verified refresh token,
// keeping its token id and issue time, with the user's current username and
// vars (the old ones when vars is nil).
func (t *Tokens) Refresh(old Claims, username string, vars map[string]string) (Pair, error) {
	c := old
	c.Username = username
	if vars != nil {
		c.Vars = vars
	}
	return t.sign(c, t.cfg.Now())
}

func (t *Tokens) sign(c Claims, now time.Time) (Pair, error) {
	if len(c.Vars) == 0 {
		c.Vars = nil
	}
	c.ExpiresAt = now.Add(t.cfg.TokenExpiry).Unix()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.sessionKey)
	if err != nil {
		return Pair{}, err
	}
	r := c
	r.ExpiresAt = now.Add(t.cfg.RefreshExpiry).Unix()
	refresh, err := jwt.NewWithClaims(jwt.SigningMethodHS256, r).SignedString(t.refreshKey)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Token: token, RefreshToken: refresh, Claims: c}, nil
}

// Verify returns the claims of a valid session token, or ErrTokenInvalid.
func (t *Tokens) Verify(token string) (Claims, error) {
	c, err := t.parse(token, t.sessionKey, kindSession)
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	return c, nil
}

// VerifyRefresh returns the claims of a valid refresh token, or ErrRefreshInvalid.
func (t *Tokens) VerifyRefresh(token string) (Claims, error) {
	c, err := t.parse(token, t.refreshKey, kindRefresh)
	if err != nil {
		return Claims{}, ErrRefreshInvalid
	}
	return c, nil
}

const (
	kindSession = "s:"
	kindRefresh = "r:"
)

var errRevoked = errors.New("token revoked")

func (t *Tokens) parse(token string, key []byte, kind string) (Claims, error) {
	var c Claims
	_, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil })
	if err != nil {
		return Claims{}, err
	}
	if !runtime.ValidUUID(c.UserID) {
		return Claims{}, errors.New("token uid is not a UUID")
	}
	if t.isRevoked(kind, c) {
		return Claims{}, errRevoked
	}
	return c, nil
}

func (t *Tokens) isRevoked(kind string, c Claims) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if _, ok := t.revoked[kind+c.TokenID]; ok {
		return true
	}
	before, ok := t.before[c.UserID]
	if !ok {
		return false
	}
	return !began(c).After(before)
}

// began is when the token's session began: the time in its id, or its iat
// for ids that are not time-ordered.
func began(c Claims) time.Time {
	if u, ok := runtime.ParseUUID(c.TokenID); ok {
		if at, ok := runtime.TimeOf(u); ok {
			return at
		}
	}
	return time.Unix(c.IssuedAt, 0)
}

// RevokeSession revokes one session token.
func (t *Tokens) RevokeSession(ctx context.Context, c Claims) error {
	return t.revoke(ctx, runtime.Revocation{UserID: c.UserID, TokenID: kindSession + c.TokenID, Expires: time.Unix(c.ExpiresAt, 0)})
}

// RevokeRefresh revokes one refresh token (and the refreshes of its session).
func (t *Tokens) RevokeRefresh(ctx context.Context, c Claims) error {
	return t.revoke(ctx, runtime.Revocation{UserID: c.UserID, TokenID: kindRefresh + c.TokenID, Expires: time.Unix(c.ExpiresAt, 0)})
}

// RevokeUser revokes every token of a user issued until now.
func (t *Tokens) RevokeUser(ctx context.Context, userID string) error {
	now := t.cfg.Now()
	return t.revoke(ctx, runtime.Revocation{UserID: userID, Before: now, Expires: now.Add(t.cfg.RefreshExpiry)})
}

func (t *Tokens) revoke(ctx context.Context, r runtime.Revocation) error {
	if t.cfg.Store != nil {
		if err := t.cfg.Store.Revoke(ctx, r); err != nil {
			return err
		}
	}
	t.remember(r)
	return nil
}

func (t *Tokens) remember(r runtime.Revocation) {
	now := t.cfg.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.TokenID != "" {
		t.revoked[r.TokenID] = r.Expires.Unix()
	} else if r.Before.After(t.before[r.UserID]) {
		t.before[r.UserID] = r.Before
	}
	if now.Sub(t.pruned) > t.cfg.TokenExpiry {
		t.pruneLocked(now)
	}
}

// pruneLocked forgets revocations of tokens that have expired anyway.
func (t *Tokens) pruneLocked(now time.Time) {
	t.pruned = now
	for id, exp := range t.revoked {
		if exp < now.Unix() {
			delete(t.revoked, id)
		}
	}
	for user, before := range t.before {
		if before.Add(t.cfg.RefreshExpiry).Before(now) {
			delete(t.before, user)
		}
	}
}

// The methods below make Claims a jwt.Claims.

// GetExpirationTime returns exp.
func (c Claims) GetExpirationTime() (*jwt.NumericDate, error) {
	if c.ExpiresAt == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}

// GetIssuedAt returns iat.
func (c Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	if c.IssuedAt == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore returns nil: tokens have no nbf.
func (c Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer returns "": tokens have no iss.
func (c Claims) GetIssuer() (string, error) { return "", nil }

// GetSubject returns "": tokens have no sub.
func (c Claims) GetSubject() (string, error) { return "", nil }

// GetAudience returns nil: tokens have no aud.
func (c Claims) GetAudience() (jwt.ClaimStrings, error) { return nil, nil }
