package runtime

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"time"
)

// The ports below are what the engine needs from persistence. Each is small
// and owned here; storage/sqlite and storage/postgres implement all of them
// and pass the shared conformance suite in storage/storagetest.

// IdentityStore finds accounts by identity and creates them.
type IdentityStore interface {
	// Identify returns the account linked to id. When none is and create is
	// set, it creates the account nu, links id (with its Secret) to it and
	// reports Created; when none is and create is not set, it returns
	// ErrNotFound. Creating fails with ErrUsernameTaken when another account
	// holds nu.Username. If another caller links id first, Identify returns
	// that account, not an error.
	Identify(ctx context.Context, id Identity, create bool, nu NewUser) (Identified, error)
}

// AccountStore reads and changes accounts.
type AccountStore interface {
	// Account returns the account with its identities, or ErrNotFound.
	Account(ctx context.Context, userID string) (Account, error)
	// UpdateAccount changes the fields of u that are set; ErrNotFound for an
	// unknown user, ErrUsernameTaken for a username another account holds.
	UpdateAccount(ctx context.Context, userID string, u AccountUpdate) error
	// Users returns the users with any of the ids or usernames (unknown ones
	// are left out; each user at most once).
	Users(ctx context.Context, ids, usernames []string) ([]User, error)
}

// TokenStore keeps token revocations so that logouts outlive a restart.
type TokenStore interface {
	// Revoke records r.
	Revoke(ctx context.Context, r Revocation) error
	// Revocations returns every revocation that has not expired at now.
	Revocations(ctx context.Context, now time.Time) ([]Revocation, error)
}

// ObjectStore keeps storage objects. A caller of "" is the server, which may
// read and write every object; a user id as caller applies Nakama's
// permissions: a user reads their own objects with read permission 1 or 2
// and other users' objects with read permission 2, and writes or deletes
// only their own objects whose stored write permission is 1.
type ObjectStore interface {
	// ReadObjects returns the objects named by ids that exist and that
	// caller may read, in no particular order.
	ReadObjects(ctx context.Context, caller string, ids []ObjectID) ([]Object, error)
	// WriteObjects writes all objects or none. A failed version check returns
	// ErrVersionMismatch and a refused permission ErrPermission. The acks are
	// in the order of ws. The new version is ObjectVersion(value).
	WriteObjects(ctx context.Context, caller string, ws []ObjectWrite) ([]ObjectAck, error)
	// DeleteObjects deletes all objects or none: if any id names no object
	// the caller may delete (missing, another version when Version is set,
	// or for a user caller not their own with write permission 1), nothing
	// is deleted and it returns ErrDeleteRejected, as Nakama does.
	DeleteObjects(ctx context.Context, caller string, ids []ObjectID) error
	// ListObjects returns a page of the objects of a collection that the
	// caller may read and the cursor of the next page ("" when there is
	// none). With q.UserID nil a user caller sees every owner's public
	// objects (read 2), as Nakama lists them, and the server every object;
	// with q.UserID set, only that owner's objects are listed (a pointer to
	// "" selects the server's own objects).
	ListObjects(ctx context.Context, q ObjectList) ([]Object, string, error)
}

// ObjectVersion is the version of a stored value: the hex MD5 of its bytes,
// as Nakama computes it.
func ObjectVersion(value string) string {
	sum := md5.Sum([]byte(value))
	return hex.EncodeToString(sum[:])
}
