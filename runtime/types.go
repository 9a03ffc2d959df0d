package runtime

import "time"

// User is the public face of an account.
type User struct {
	ID          string
	Username    string
	DisplayName string
	AvatarURL   string
	LangTag     string
	Location    string
	Timezone    string
	// Metadata is a JSON object, "{}" when empty. Only the server writes it.
	Metadata   string
	EdgeCount  int
	CreateTime time.Time
	UpdateTime time.Time
	// Online is not stored: the engine fills it in from the presence tracker.
	Online bool
}

// Account is a user with the identities linked to it.
type Account struct {
	User        User
	Email       string
	CustomID    string
	Devices     []string
	Wallet      string // JSON object, "{}" when empty
	VerifyTime  time.Time
	DisableTime time.Time
}

// AccountUpdate changes the fields that are not nil.
type AccountUpdate struct {
	Username    *string
	DisplayName *string
	AvatarURL   *string
	LangTag     *string
	Location    *string
	Timezone    *string
	Metadata    *string // JSON object
}

// IdentityKind names the kind of identity an account is found by.
type IdentityKind uint8

// The identity kinds.
const (
	IdentityDevice IdentityKind = iota + 1
	IdentityCustom
	IdentityEmail
	// IdentityUsername finds an account by username, for a password login;
	// it is never used to create one.
	IdentityUsername
)

// String returns the kind's name.
func (k IdentityKind) String() string {
	switch k {
	case IdentityDevice:
		return "device"
	case IdentityCustom:
		return "custom"
	case IdentityEmail:
		return "email"
	case IdentityUsername:
		return "username"
	}
	return "unknown"
}

// Identity is an external identifier linked to an account: a device id,
// a custom id or an email address (or a username, for lookups). Secret is
// the bcrypt hash of the account's password, stored with the email identity
// and returned on lookup by email or username; empty for the other kinds.
type Identity struct {
	Kind   IdentityKind
	ID     string
	Secret []byte
}

// NewUser is what an account is created with.
type NewUser struct {
	ID       string
	Username string
}

// Identified is the result of looking up (or creating) an account by identity.
type Identified struct {
	User    User
	Secret  []byte // the stored secret of the identity (email password hash)
	Created bool
	// Disabled is set when an operator disabled the account.
	Disabled bool
}

// Revocation invalidates one token (TokenID set) or every token of a user
// issued before Before (TokenID empty). Expires says when the entry may be
// forgotten because the tokens it covers have expired anyway.
type Revocation struct {
	UserID  string
	TokenID string
	Before  time.Time
	Expires time.Time
}

// Storage object permissions, as Nakama numbers them.
const (
	ReadNone   = 0 // only the server reads it
	ReadOwner  = 1 // the owner and the server read it
	ReadPublic = 2 // anyone reads it
	WriteNone  = 0 // only the server writes it
	WriteOwner = 1 // the owner and the server write it
)

// Object is a stored JSON document owned by a user or, with an empty
// UserID, by the server.
type Object struct {
	Collection      string
	Key             string
	UserID          string
	Value           string
	Version         string
	PermissionRead  int
	PermissionWrite int
	CreateTime      time.Time
	UpdateTime      time.Time
}

// ObjectID names an object. Version is used by deletes as a precondition.
type ObjectID struct {
	Collection string
	Key        string
	UserID     string
	Version    string
}

// ObjectWrite is one object to write. Version is a precondition: empty means
// none, "*" means the object must not exist, anything else must equal the
// stored version.
type ObjectWrite struct {
	Collection      string
	Key             string
	UserID          string
	Value           string
	Version         string
	PermissionRead  int
	PermissionWrite int
}

// ObjectAck is the result of one write.
type ObjectAck struct {
	Collection string
	Key        string
	UserID     string
	Version    string
	CreateTime time.Time
	UpdateTime time.Time
}

// ObjectList selects objects of a collection for listing; see
// ObjectStore.ListObjects for what each caller sees. An invalid Cursor gives
// ErrBadCursor.
type ObjectList struct {
	Caller     string
	Collection string
	UserID     *string
	Limit      int
	Cursor     string
}

// Notification is a message to a user, delivered live to their sockets and,
// when Persistent, stored until they delete it. Codes of zero and below are
// reserved for the server; SenderID is empty for the server.
type Notification struct {
	ID         string
	UserID     string
	Subject    string
	Content    string // JSON object
	Code       int
	SenderID   string
	CreateTime time.Time
	Persistent bool
}

// ChannelMessage is a chat message. ChannelID is the channel's wire id
// ("2...room", "3.<group>..", "4.<user>.<user>.").
type ChannelMessage struct {
	ChannelID  string
	ID         string
	Code       int
	SenderID   string
	Username   string
	Content    string // JSON object
	CreateTime time.Time
	UpdateTime time.Time
	Persistent bool
}

// MessageList selects a page of a channel's stored messages: oldest first
// when Forward, newest first otherwise, starting after Cursor (a cursor of
// a MessagePage, "" for the first page). Limit must be positive.
type MessageList struct {
	ChannelID string
	Limit     int
	Forward   bool
	Cursor    string
}

// MessagePage is a page of channel messages, in the order asked for, with
// the cursors of Nakama's ChannelMessageList: Next lists the page after
// this one ("" when there is none), Prev the page before it (set only when
// the request had a cursor and the page is not empty), and Cacheable lists,
// forward, what is newer than the last message of this page; with no
// messages it is the request's cursor turned forward. Messages have
// Persistent set.
type MessagePage struct {
	Messages  []ChannelMessage
	Next      string
	Prev      string
	Cacheable string
}
