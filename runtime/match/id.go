package match

import (
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// ErrInvalidID: a match id that is not "<uuid>.<node>".
var ErrInvalidID = runtime.NewError(runtime.InvalidArgument, "Invalid match ID")

// ParseID splits a match id "<uuid>.<node>" into its parts. Relayed
// matches have an empty node.
func ParseID(id string) (uuid, node string, err error) {
	uuid, node, ok := strings.Cut(id, ".")
	if !ok || !runtime.ValidUUID(uuid) {
		return "", "", ErrInvalidID
	}
	return uuid, node, nil
}
