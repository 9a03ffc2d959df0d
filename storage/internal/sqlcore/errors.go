package sqlcore

import "github.com/arbiterhq/arbiter/runtime"

// Errors of the shared code. The invalid-argument ones are for inputs the
// stores refuse before touching the database: the engine validates requests
// first, and these guard the stores' own invariants.
var (
	errIdentityKind   = runtime.NewError(runtime.InvalidArgument, "Unknown identity kind.")
	errIdentityID     = runtime.NewError(runtime.InvalidArgument, "Identity id is required.")
	errNewUser        = runtime.NewError(runtime.InvalidArgument, "A new account needs an id and a username.")
	errUsername       = runtime.NewError(runtime.InvalidArgument, "Username is required.")
	errObjectName     = runtime.NewError(runtime.InvalidArgument, "Storage objects need a collection and a key.")
	errObjectPerm     = runtime.NewError(runtime.InvalidArgument, "Storage object permissions are out of range.")
	errCursor         = runtime.NewError(runtime.InvalidArgument, "Invalid storage cursor.")
	errNoSuchIdentity = runtime.ErrNotFound.With("Account not found.")
	errNoSuchUser     = runtime.ErrNotFound.With("User account not found.")
)
