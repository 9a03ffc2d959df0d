// Package account authenticates users and reads and changes their accounts,
// with Nakama's validation rules and messages.
package account

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/auth"
)

// Errors a client may see, with Nakama's messages.
var (
	ErrUserNotFound       = runtime.ErrNotFound.With("User account not found.")
	ErrAccountNotFound    = runtime.ErrNotFound.With("Account not found.")
	ErrBanned             = runtime.NewError(runtime.PermissionDenied, "User account banned.")
	ErrInvalidCredentials = runtime.NewError(runtime.Unauthenticated, "Invalid credentials.")
	ErrNoFields           = runtime.NewError(runtime.InvalidArgument, "No fields to update.")
	// ErrUsernameInUse is how an update reports a taken username: Nakama
	// answers InvalidArgument there, and AlreadyExists on authenticate (so
	// this is not derived from runtime.ErrUsernameTaken, whose code it would
	// keep).
	ErrUsernameInUse = runtime.NewError(runtime.InvalidArgument, "Username is already in use.")
)

// Deps are what a Service needs.
type Deps struct {
	Identities runtime.IdentityStore
	Accounts   runtime.AccountStore
	Tokens     *auth.Tokens
	// Online reports whether a user has a live socket; nil means never.
	Online func(userID string) bool
	// BcryptCost is the cost of password hashes; 0 means bcrypt.DefaultCost.
	BcryptCost int
}

// Service authenticates users and manages their accounts.
type Service struct {
	d Deps
}

// New returns a Service.
func New(d Deps) *Service {
	if d.BcryptCost == 0 {
		d.BcryptCost = bcrypt.DefaultCost
	}
	if d.Online == nil {
		d.Online = func(string) bool { return false }
	}
	return &Service{d: d}
}

// Credentials are what a client authenticates with.
type Credentials struct {
	Kind runtime.IdentityKind
	// ID is the device id, custom id or email address. An empty email with
	// a Username logs in by username and password, as Nakama allows.
	ID       string
	Password string
	Username string
	Create   bool
	Vars     map[string]string
}

// Session is the result of authenticating.
type Session struct {
	auth.Pair
	Created bool
}

// Authenticate finds (or creates) the account of c and starts a session.
func (s *Service) Authenticate(ctx context.Context, c Credentials) (Session, error) {
	if err := validateCredentials(&c); err != nil {
		return Session{}, err
	}
	var (
		found runtime.Identified
		err   error
	)
	if c.Kind == runtime.IdentityEmail {
		found, err = s.identifyEmail(ctx, c)
	} else {
		found, err = s.identify(ctx, runtime.Identity{Kind: c.Kind, ID: c.ID}, c.Create, c.Username)
	}
	if err != nil {
		return Session{}, err
	}
	pair, err := s.d.Tokens.Issue(found.User.ID, found.User.Username, c.Vars)
	if err != nil {
		return Session{}, err
	}
	return Session{Pair: pair, Created: found.Created}, nil
}

func (s *Service) identify(ctx context.Context, id runtime.Identity, create bool, username string) (runtime.Identified, error) {
	if username == "" {
		username = generateUsername()
	}
	nu := runtime.NewUser{ID: runtime.NewUUID().String(), Username: username}
	found, err := s.d.Identities.Identify(ctx, id, create, nu)
	switch {
	case errors.Is(err, runtime.ErrNotFound):
		return found, ErrUserNotFound
	case errors.Is(err, runtime.ErrUsernameTaken):
		return found, runtime.ErrUsernameTaken.With("Username is already in use.")
	case err != nil:
		return found, err
	case found.Disabled:
		return found, ErrBanned
	}
	return found, nil
}

// identifyEmail checks the password of an existing account, or creates one
// with a fresh hash; hashing happens only when an account is created.
func (s *Service) identifyEmail(ctx context.Context, c Credentials) (runtime.Identified, error) {
	id := runtime.Identity{Kind: runtime.IdentityEmail, ID: c.ID}
	if c.ID == "" {
		id = runtime.Identity{Kind: runtime.IdentityUsername, ID: c.Username}
	}
	found, err := s.identify(ctx, id, false, "")
	if errors.Is(err, ErrUserNotFound) && c.Create && id.Kind == runtime.IdentityEmail {
		hash, herr := bcrypt.GenerateFromPassword([]byte(c.Password), s.d.BcryptCost)
		if herr != nil {
			return found, herr
		}
		id.Secret = hash
		found, err = s.identify(ctx, id, true, c.Username)
		if err == nil && found.Created {
			return found, nil
		}
	}
	if err != nil {
		return found, err
	}
	if len(found.Secret) == 0 || bcrypt.CompareHashAndPassword(found.Secret, []byte(c.Password)) != nil {
		return runtime.Identified{}, ErrInvalidCredentials
	}
	return found, nil
}

// Refresh starts a new session from a refresh token. vars replace the old
// session's vars when not nil.
func (s *Service) Refresh(ctx context.Context, refreshToken string, vars map[string]string) (Session, error) {
	if refreshToken == "" {
		return Session{}, runtime.NewError(runtime.InvalidArgument, "Refresh token is required.")
	}
	claims, err := s.d.Tokens.VerifyRefresh(refreshToken)
	if err != nil {
		return Session{}, err
	}
	acct, err := s.d.Accounts.Account(ctx, claims.UserID)
	switch {
	case errors.Is(err, runtime.ErrNotFound):
		return Session{}, ErrUserNotFound
	case err != nil:
		return Session{}, err
	case !acct.DisableTime.IsZero():
		return Session{}, ErrBanned
	}
	if len(vars) == 0 {
		vars = nil // Nakama cannot tell an empty map from none
	}
	pair, err := s.d.Tokens.Refresh(claims, acct.User.Username, vars)
	if err != nil {
		return Session{}, err
	}
	return Session{Pair: pair}, nil
}

// Logout revokes the given tokens of the caller, or every token of the
// caller when both are empty.
func (s *Service) Logout(ctx context.Context, userID, token, refreshToken string) error {
	if token == "" && refreshToken == "" {
		return s.d.Tokens.RevokeUser(ctx, userID)
	}
	if token != "" {
		c, err := s.d.Tokens.Verify(token)
		if err != nil || c.UserID != userID {
			return runtime.NewError(runtime.InvalidArgument, "Session token invalid.")
		}
		if err := s.d.Tokens.RevokeSession(ctx, c); err != nil {
			return err
		}
	}
	if refreshToken != "" {
		c, err := s.d.Tokens.VerifyRefresh(refreshToken)
		if err != nil || c.UserID != userID {
			return runtime.NewError(runtime.InvalidArgument, "Refresh token invalid.")
		}
		if err := s.d.Tokens.RevokeRefresh(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// Account returns a user's account.
func (s *Service) Account(ctx context.Context, userID string) (runtime.Account, error) {
	a, err := s.d.Accounts.Account(ctx, userID)
	if errors.Is(err, runtime.ErrNotFound) {
		return a, ErrAccountNotFound
	}
	if err != nil {
		return a, err
	}
	a.User.Online = s.d.Online(userID)
	return a, nil
}

// UpdateAccount changes the fields of u that are set.
func (s *Service) UpdateAccount(ctx context.Context, userID string, u runtime.AccountUpdate) error {
	if err := validateUpdate(u); err != nil {
		return err
	}
	err := s.d.Accounts.UpdateAccount(ctx, userID, u)
	switch {
	case errors.Is(err, runtime.ErrUsernameTaken):
		return ErrUsernameInUse
	case errors.Is(err, runtime.ErrNotFound):
		return ErrAccountNotFound
	}
	return err
}

// Users returns the users with the given ids or usernames; unknown ones are
// left out.
func (s *Service) Users(ctx context.Context, ids, usernames []string) ([]runtime.User, error) {
	for _, id := range ids {
		if !runtime.ValidUUID(id) {
			return nil, runtime.Errorf(runtime.InvalidArgument, "ID '%s' is not a valid system ID.", id)
		}
	}
	if len(ids) == 0 && len(usernames) == 0 {
		return nil, nil
	}
	users, err := s.d.Accounts.Users(ctx, ids, usernames)
	if err != nil {
		return nil, err
	}
	for i := range users {
		users[i].Online = s.d.Online(users[i].ID)
	}
	return users, nil
}

const usernameLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// generateUsername returns ten random letters, as Nakama names new users.
func generateUsername() string {
	var b strings.Builder
	max := big.NewInt(int64(len(usernameLetters)))
	for range 10 {
		n, _ := rand.Int(rand.Reader, max)
		b.WriteByte(usernameLetters[n.Int64()])
	}
	return b.String()
}
