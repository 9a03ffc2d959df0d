package runtime

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
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
// read, write and delete every object; a user id as caller applies Nakama's
// permissions: a user reads their own objects with read permission 1 or 2
// and other users' objects with read permission 2, and writes or deletes
// only their own objects (UserID equal to the caller) whose stored write
// permission is 1.
//
// Versions: a Version of "" is no precondition; any other Version must equal
// the stored version. For writes, "*" means the object must not exist. For
// deletes, "*" is a version no stored object has, so a delete with "*" is
// always rejected.
type ObjectStore interface {
	// ReadObjects returns the objects named by ids that exist and that
	// caller may read, in no particular order.
	ReadObjects(ctx context.Context, caller string, ids []ObjectID) ([]Object, error)
	// WriteObjects writes all objects or none. A failed version check returns
	// ErrVersionMismatch and a refused permission ErrPermission: a user
	// caller writing an object of another owner (even a new one), or
	// overwriting one of their own whose stored write permission is 0. The
	// acks are in the order of ws. The new version is ObjectVersion(value).
	WriteObjects(ctx context.Context, caller string, ws []ObjectWrite) ([]ObjectAck, error)
	// DeleteObjects deletes all objects or none, as Nakama does; when one id
	// is refused nothing is deleted and it returns ErrDeleteRejected. A user
	// caller is refused any id that deletes no row: missing, another version
	// when Version is set, not their own, or write permission 0. The server
	// skips a missing object named without a Version, and is refused an id
	// whose Version does not match the stored one or names a missing object.
	DeleteObjects(ctx context.Context, caller string, ids []ObjectID) error
	// ListObjects returns a page of the objects of a collection that the
	// caller may read and the cursor of the next page ("" when there is
	// none). With q.UserID nil, a user caller sees the public objects (read
	// 2) of every owner, their own included, and the server every object.
	// With q.UserID set, only that owner's objects are listed (a pointer to
	// "" selects the server's own objects): a user caller sees their own
	// objects with read 1 or 2 and another owner's with read 2; the server
	// sees all of them. A cursor the store did not make gives ErrBadCursor.
	ListObjects(ctx context.Context, q ObjectList) ([]Object, string, error)
}

// ObjectVersion is the version of a stored value: the hex MD5 of its bytes,
// as Nakama computes it.
func ObjectVersion(value string) string {
	sum := md5.Sum([]byte(value))
	return hex.EncodeToString(sum[:])
}

// NotificationStore keeps persistent notifications until their user deletes
// them.
type NotificationStore interface {
	// AddNotifications stores ns, all or none. Each has its ID and
	// CreateTime set; Persistent is not stored (every stored one is).
	AddNotifications(ctx context.Context, ns []Notification) error
	// ListNotifications returns up to limit of the user's notifications
	// after cursor ("" for the first), ordered by create time then id, and
	// a cacheable cursor pointing at the last one returned: listing again
	// with it returns only newer notifications. With no notification to
	// return, the cursor given is returned. The listed ones have
	// Persistent set. A cursor the store did not make gives ErrBadCursor.
	ListNotifications(ctx context.Context, userID string, limit int, cursor string) ([]Notification, string, error)
	// DeleteNotifications deletes the user's notifications with those ids;
	// ids of no notification of theirs are ignored.
	DeleteNotifications(ctx context.Context, userID string, ids []string) error
}

// MessageStore keeps the history of chat channels.
type MessageStore interface {
	// AddMessage stores m, whose ID, CreateTime and UpdateTime are set.
	AddMessage(ctx context.Context, m ChannelMessage) error
	// UpdateMessage sets the Content, Username and UpdateTime of the message
	// m.ID of channel m.ChannelID when m.SenderID sent it, and returns its
	// create time; ErrNotFound when there is no such message of that sender.
	UpdateMessage(ctx context.Context, m ChannelMessage) (time.Time, error)
	// RemoveMessage deletes the message id of a channel when senderID sent
	// it, and returns its create time; ErrNotFound when there is no such
	// message of that sender.
	RemoveMessage(ctx context.Context, channelID, id, senderID string) (time.Time, error)
	// ListMessages returns a page of a channel's messages with Nakama's
	// three cursors (see MessagePage). A cursor the store did not make, or
	// made for another channel or the other direction, gives ErrBadCursor.
	ListMessages(ctx context.Context, q MessageList) (MessagePage, error)
}

// StoredModule is a module file uploaded through the admin API.
type StoredModule struct {
	// Path is the file's path in the module set, slash-separated and
	// relative ("games/chess.lua").
	Path string
	// Data is the file; List leaves it nil unless asked.
	Data []byte
	// Size is the length of Data in bytes.
	Size int64
	// Hash is the hex SHA-256 of Data.
	Hash string
	// UpdateTime is when the file was last stored.
	UpdateTime time.Time
}

// ModuleStore keeps uploaded module files, so that they outlive a restart.
type ModuleStore interface {
	// PutModule stores data under path, replacing any earlier file there,
	// and returns what it stored (without Data).
	PutModule(ctx context.Context, path string, data []byte) (StoredModule, error)
	// GetModule returns the file stored under path, or ErrNotFound.
	GetModule(ctx context.Context, path string) (StoredModule, error)
	// ListModules returns every stored file, sorted by path; with data set
	// the files' bytes too.
	ListModules(ctx context.Context, data bool) ([]StoredModule, error)
	// DeleteModule removes the file stored under path, or returns
	// ErrNotFound when there is none.
	DeleteModule(ctx context.Context, path string) error
}

// ModuleHash is the hash a ModuleStore records: the hex SHA-256 of data.
func ModuleHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
