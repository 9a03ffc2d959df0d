package arbiter

import "fmt"

// The exports' logic, independent of the wasm boundary: each takes the
// input message and returns the reply (status byte, then a value).

var out encoder // the reply of the current export; valid until the next

// reply encodes a reply.
func reply(status byte, v any) []byte {
	out.b = append(out.b[:0], status)
	if v != nil || status == statusOK {
		if err := out.value(v, 0); err != nil {
			return errorReply(statusError, fmt.Sprintf("arbiter: cannot encode reply: %v", err), 0)
		}
	}
	return out.b
}

func errorReply(status byte, msg string, code int) []byte {
	m := map[string]any{"message": msg}
	if code != 0 {
		m["code"] = int64(code)
	}
	return reply(status, m)
}

func replyErr(err error) []byte {
	if e, ok := err.(*Error); ok {
		return errorReply(statusError, e.Message, e.Code)
	}
	return errorReply(statusError, err.Error(), 0)
}

// serve decodes the input map and runs fn, turning panics into errors.
func serve(in []byte, fn func(m map[string]any) []byte) (r []byte) {
	defer func() {
		if p := recover(); p != nil {
			r = errorReply(statusError, fmt.Sprintf("panic: %v", p), 0)
		}
	}()
	v, err := Decode(in)
	m, ok := v.(map[string]any)
	if err != nil || !ok && len(in) > 0 {
		return errorReply(statusMalformed, fmt.Sprintf("arbiter: bad input: %v", err), 0)
	}
	return fn(m)
}

func callInit(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		if load, _ := m["load"].(bool); load && onLoad != nil {
			if err := onLoad(contextOf(m["context"])); err != nil {
				return replyErr(err)
			}
		}
		return reply(statusOK, registrations())
	})
}

func callRPC(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		id, _ := m["id"].(string)
		fn := rpcs[id]
		if fn == nil {
			return errorReply(statusNotFound, "RPC function not found: "+id, CodeNotFound)
		}
		payload, _ := m["payload"].(string)
		res, err := fn(contextOf(m["context"]), payload)
		if err != nil {
			return replyErr(err)
		}
		return reply(statusOK, res)
	})
}

func callMatchmaker(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		if matchmaker == nil {
			return errorReply(statusNotFound, "no matchmaker hook", 0)
		}
		l, _ := m["entries"].([]any)
		entries := make([]MatchmakerEntry, len(l))
		for i, x := range l {
			em, _ := x.(map[string]any)
			entries[i].Presence = presenceOf(em["presence"])
			entries[i].Properties, _ = em["properties"].(map[string]any)
			entries[i].PartyID, _ = em["party_id"].(string)
		}
		id, err := matchmaker(contextOf(m["context"]), entries)
		if err != nil {
			return replyErr(err)
		}
		if id == "" {
			return reply(statusOK, nil)
		}
		return reply(statusOK, id)
	})
}

func callShutdown(in []byte) []byte {
	return serve(in, func(m map[string]any) []byte {
		if shutdown == nil {
			return reply(statusOK, nil)
		}
		if err := shutdown(contextOf(m["context"])); err != nil {
			return replyErr(err)
		}
		return reply(statusOK, nil)
	})
}
