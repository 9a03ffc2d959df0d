package sqlcore

import "github.com/arbiterhq/arbiter/runtime"

// Errors of the shared code. The invalid-argument ones are for inputs the
// stores refuse before touching the database: the engine validates requests
// first, and these guard the stores' own invariants.
var (
	errIdentityKind     = runtime.NewError(runtime.InvalidArgument, "Unknown identity kind.")
	errCreateByUsername = runtime.NewError(runtime.InvalidArgument, "A username finds an account but cannot create one.")
	errIdentityID       = runtime.NewError(runtime.InvalidArgument, "Identity id is required.")
	errNewUser          = runtime.NewError(runtime.InvalidArgument, "A new account needs an id and a username.")
	errUsername         = runtime.NewError(runtime.InvalidArgument, "Username is required.")
	errObjectName       = runtime.NewError(runtime.InvalidArgument, "Storage objects need a collection and a key.")
	errObjectPerm       = runtime.NewError(runtime.InvalidArgument, "Storage object permissions are out of range.")
	errNotification     = runtime.NewError(runtime.InvalidArgument, "A notification needs an id and a user id.")
	errMessage          = runtime.NewError(runtime.InvalidArgument, "A channel message needs an id and a channel id.")
	errNoSuchMessage    = runtime.ErrNotFound.With("Channel message not found.")
	errNoSuchIdentity   = runtime.ErrNotFound.With("Account not found.")
	errNoSuchUser       = runtime.ErrNotFound.With("User account not found.")
)
