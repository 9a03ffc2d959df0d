package arbiter

import (
	"fmt"

	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// The value encoding is package abi's, shared with the server.

// Limits of the encoding, as the host enforces them.
const (
	MaxMessageBytes = abi.MaxMessageBytes
	MaxDepth        = abi.MaxDepth
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = abi.ErrMalformed

// Decode decodes one encoded value: nil, bool, int64, float64, string,
// []byte, []any or map[string]any. Strings and bytes are copied.
func Decode(b []byte) (any, error) { return abi.Decode(b) }

// Encode encodes v: nil, bool, any integer or float type, string, []byte,
// []any, []string, map[string]any, map[string]string, []map[string]any,
// or a Presence.
func Encode(v any) ([]byte, error) { return abi.Encode(v) }

// in is the decoder of the current export's input. Exports are never
// called re-entrantly, so one is enough.
var in abi.Decoder

// readInput reads an export's input map, calling field with each key that
// is not "tick" or "context" (field reads the value, or leaves it to be
// skipped). Tick and context, when present, are returned. An input that
// is not a map is an error; an empty input is an empty map.
func readInput(b []byte, field func(key []byte)) (tick int64, ctx *Context, err error) {
	if len(b) == 0 {
		return 0, nil, nil
	}
	in.Reset(b)
	isMap := in.Map(func(k []byte) {
		switch {
		case isTick(k):
			tick, _ = in.ReadInt()
		case isContext(k):
			ctx = readContext()
		case field != nil:
			field(k)
		}
	})
	if err := in.End(); err != nil {
		return 0, nil, err
	}
	if !isMap {
		return 0, nil, fmt.Errorf("%w: the input is not a map", abi.ErrMalformed)
	}
	return tick, ctx, nil
}

// readPresence reads a presence map of the input. Like readMessages it
// reads entry by entry and compares keys inline (see keys.go).
func readPresence() Presence {
	var p Presence
	n, ok := in.EnterMap()
	if !ok {
		return p
	}
	for range n {
		switch k := in.Key(); {
		case isUserID(k):
			p.UserID = readViewOf(&in)
		case isSessionID(k):
			p.SessionID = readViewOf(&in)
		case isUsername(k):
			p.Username = readViewOf(&in)
		case isNode(k):
			p.Node = readViewOf(&in)
		case isReason(k):
			r, _ := in.ReadInt()
			p.Reason = int(r)
		default:
			in.Skip()
		}
	}
	in.Leave()
	return p
}

// readPresences reads a list of presences of the input.
func readPresences() []Presence {
	n, ok := in.EnterList()
	if !ok {
		return []Presence{}
	}
	ps := make([]Presence, n)
	for i := range ps {
		ps[i] = readPresence()
	}
	in.Leave()
	return ps
}

// readMessages reads match_loop's messages. Their data are views of the
// input (see view): a match may keep them.
func readMessages() []Message {
	n, ok := in.EnterList()
	if !ok {
		return []Message{}
	}
	msgs := make([]Message, n)
	for i := range msgs {
		m := &msgs[i]
		m.Data = []byte{}
		entries, ok := in.EnterMap()
		if !ok {
			continue
		}
		for range entries {
			switch k := in.Key(); {
			case isSender(k):
				m.Sender = readPresence()
			case isOpCode(k):
				m.OpCode, _ = in.ReadInt()
			case isData(k):
				if d, _ := in.ReadBytes(); d != nil {
					m.Data = d
				}
			case isReliable(k):
				m.Reliable, _ = in.ReadBool()
			case isReceiveTimeMs(k):
				m.ReceiveTimeMs, _ = in.ReadInt()
			default:
				in.Skip()
			}
		}
		in.Leave()
	}
	in.Leave()
	return msgs
}

// scratch encodes the arguments of host calls; the host reads them during
// the call, so it is reused call after call.
var scratch abi.Encoder
