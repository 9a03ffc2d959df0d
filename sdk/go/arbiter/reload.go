package arbiter

import "fmt"

// Hot reload (ABI.md §5.6). When the server loads a new version of the
// module while matches run, each match handler's policy says what its
// running matches do: keep their code (the default) or migrate to the new
// version, their state handed across by MatchSnapshot (old version) and
// MatchRestore (new version).

// Reload policies of a match handler.
const (
	// ReloadKeep: running matches finish on the version they started with.
	ReloadKeep = "keep"
	// ReloadMigrate: running matches move to the new version at their next
	// tick boundary; the Match must implement Migratable in both versions.
	ReloadMigrate = "migrate"
)

// Migratable is a Match whose state can move to a new version of the
// module.
type Migratable interface {
	// MatchSnapshot returns the state as bytes, in a format of the
	// module's choice. It must not change the state: if the new version
	// cannot restore it, the match goes on with this one.
	MatchSnapshot(ctx *Context, tick int64, state any) ([]byte, error)
	// MatchRestore rebuilds a state from the bytes an earlier version's
	// MatchSnapshot returned; it is called instead of MatchInit. A nil state
	// or an error refuses the data (the match stays on the old version).
	MatchRestore(ctx *Context, tick int64, data []byte) (state any, err error)
}

var policies = map[string]string{}

// SetReloadPolicy sets the reload policy of match handler name: ReloadKeep
// or ReloadMigrate. Call it from an init function of package main.
func SetReloadPolicy(name, policy string) { policies[name] = policy }

func callMatchSnapshot(b []byte) []byte {
	return serve(b, nil, func(tick int64, ctx *Context) []byte {
		mg, refused := migratable(ctx)
		if refused != nil {
			return refused
		}
		data, err := mg.MatchSnapshot(current.ctx, tick, current.state)
		if err != nil {
			return replyErr(err)
		}
		if data == nil {
			data = []byte{}
		}
		return reply(statusOK, data)
	})
}

func callMatchRestore(b []byte) []byte {
	var data []byte
	return serve(b, func(k []byte) {
		if string(k) == "data" {
			v, _ := in.ReadBytes() // bytes, or a string
			data = append([]byte{}, v...)
		}
	}, func(tick int64, ctx *Context) []byte {
		mg, refused := migratable(ctx)
		if refused != nil {
			return refused
		}
		state, err := mg.MatchRestore(current.ctx, tick, data)
		if err != nil {
			return replyErr(err)
		}
		if state == nil {
			return replyStatus(statusNilState)
		}
		current.state = state
		return replyStatus(statusOK)
	})
}

// migratable keeps the context of a snapshot or restore call and returns
// the match as a Migratable, or the reply that refuses the call.
func migratable(ctx *Context) (Migratable, []byte) {
	if current.m == nil {
		return nil, errorReply(statusError, "arbiter: no match in this instance", 0)
	}
	if ctx != nil {
		current.ctx = ctx
	}
	mg, ok := current.m.(Migratable)
	if !ok {
		return nil, errorReply(statusError, fmt.Sprintf("arbiter: match %T does not implement Migratable", current.m), 0)
	}
	return mg, nil
}
