package arbiter

import (
	"fmt"

	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// The exports' logic, independent of the wasm boundary: each takes the
// input message and returns the reply (status byte, then a value).
//
// Inputs are read with the typed decoder of codec.go, straight into the
// SDK's structs: no map is built per call, and strings and data are views
// of the input (keys.go). Replies are written into one encoder reused call
// after call.

var out abi.Encoder // the reply of the current export; valid until the next

// reply encodes a reply.
func reply(status byte, v any) []byte {
	out.Reset()
	out.Byte(status)
	if v != nil || status == statusOK {
		if err := out.Value(v); err != nil {
			return errorReply(statusError, fmt.Sprintf("arbiter: cannot encode reply: %v", err), 0)
		}
	}
	return out.Bytes()
}

// replyStatus is a reply of a status alone (OK: nil).
func replyStatus(status byte) []byte {
	out.Reset()
	out.Byte(status)
	if status == statusOK {
		out.Nil()
	}
	return out.Bytes()
}

func errorReply(status byte, msg string, code int) []byte {
	out.Reset()
	out.Byte(status)
	if code != 0 {
		out.Map(2)
		out.Key("code")
		out.Int(int64(code))
	} else {
		out.Map(1)
	}
	out.Key("message")
	out.String(msg)
	return out.Bytes()
}

func replyErr(err error) []byte {
	if e, ok := err.(*Error); ok {
		return errorReply(statusError, e.Message, e.Code)
	}
	return errorReply(statusError, err.Error(), 0)
}

// serve runs an export: it reads the input (readInput, with field for the
// export's own keys) and runs fn, turning panics into errors.
func serve(b []byte, field func(key []byte), fn func(tick int64, ctx *Context) []byte) (r []byte) {
	defer func() {
		if p := recover(); p != nil {
			r = errorReply(statusError, fmt.Sprintf("panic: %v", p), 0)
		}
	}()
	tick, ctx, err := readInput(b, field)
	if err != nil {
		return errorReply(statusMalformed, fmt.Sprintf("arbiter: bad input: %v", err), 0)
	}
	return fn(tick, ctx)
}

// orEmpty is the context of a call whose input had none.
func orEmpty(c *Context) *Context {
	if c == nil {
		return emptyContext()
	}
	return c
}

func callInit(b []byte) []byte {
	var load bool
	return serve(b, func(k []byte) {
		if string(k) == "load" {
			load, _ = in.ReadBool()
		}
	}, func(_ int64, ctx *Context) []byte {
		if !load {
			// Only the instance made at load registers (ABI.md §5.3): the
			// instance of each new match skips the work.
			return replyStatus(statusOK)
		}
		if onLoad != nil {
			if err := onLoad(orEmpty(ctx)); err != nil {
				return replyErr(err)
			}
		}
		return reply(statusOK, registrations())
	})
}

func callRPC(b []byte) []byte {
	var id, payload string
	return serve(b, func(k []byte) {
		switch string(k) {
		case "id":
			id, _ = in.ReadString()
		case "payload":
			payload, _ = in.ReadString()
		}
	}, func(_ int64, ctx *Context) []byte {
		fn := rpcs[id]
		if fn == nil {
			return errorReply(statusNotFound, "RPC function not found: "+id, CodeNotFound)
		}
		res, err := fn(orEmpty(ctx), payload)
		if err != nil {
			return replyErr(err)
		}
		return reply(statusOK, res)
	})
}

func callMatchmaker(b []byte) []byte {
	var entries []MatchmakerEntry
	return serve(b, func(k []byte) {
		if string(k) != "entries" {
			return
		}
		l, _ := in.Value().([]any)
		entries = make([]MatchmakerEntry, len(l))
		for i, x := range l {
			em, _ := x.(map[string]any)
			entries[i].Presence = presenceOf(em["presence"])
			entries[i].Properties, _ = em["properties"].(map[string]any)
			entries[i].PartyID, _ = em["party_id"].(string)
		}
	}, func(_ int64, ctx *Context) []byte {
		if matchmaker == nil {
			return errorReply(statusNotFound, "no matchmaker hook", 0)
		}
		id, err := matchmaker(orEmpty(ctx), entries)
		if err != nil {
			return replyErr(err)
		}
		if id == "" {
			return replyStatus(statusOK)
		}
		return reply(statusOK, id)
	})
}

func callShutdown(b []byte) []byte {
	return serve(b, nil, func(_ int64, ctx *Context) []byte {
		if shutdown != nil {
			if err := shutdown(orEmpty(ctx)); err != nil {
				return replyErr(err)
			}
		}
		return replyStatus(statusOK)
	})
}
