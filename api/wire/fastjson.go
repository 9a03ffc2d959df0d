package wire

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
)

// The realtime messages that dominate traffic — rpc, ping and match data —
// are encoded and decoded here by hand: protojson, which handles every other
// message, spends most of a small RPC's CPU in reflection. The output is the
// JSON protojson writes (proto field names, int64 as strings, bytes in
// base64, default values left out), without its deliberately random
// spacing. Decoding takes the fast path only for input it fully
// understands and otherwise hands the frame to protojson, so every error
// and every accepted spelling stays protojson's; tests and a fuzz target
// check that both paths agree.

// appendEnvelopeJSON appends env when it is one of the fast messages; ok is
// false for any other message.
func appendEnvelopeJSON(b []byte, env *rtapi.Envelope) (_ []byte, ok bool) {
	switch m := env.Message.(type) {
	case *rtapi.Envelope_MatchData:
		if m.MatchData == nil || !validStrings(env.Cid, m.MatchData.MatchId) || !validPresence(m.MatchData.Presence) {
			return b, false
		}
		b = openEnvelope(b, env.Cid, "match_data")
		return closeEnvelope(appendMatchData(b, m.MatchData)), true
	case *rtapi.Envelope_Rpc:
		if m.Rpc == nil || !validStrings(env.Cid, m.Rpc.Id, m.Rpc.Payload, m.Rpc.HttpKey) {
			return b, false
		}
		b = openEnvelope(b, env.Cid, "rpc")
		return closeEnvelope(appendRPC(b, m.Rpc)), true
	case *rtapi.Envelope_Pong:
		if !validStrings(env.Cid) {
			return b, false
		}
		return closeEnvelope(append(openEnvelope(b, env.Cid, "pong"), '{', '}')), true
	}
	return b, false
}

// validStrings reports whether every string is valid UTF-8, which protojson
// requires (it fails on anything else; the fast path then lets it).
func validStrings(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

func validPresence(p *rtapi.UserPresence) bool {
	return p == nil || (p.Status == nil && validStrings(p.UserId, p.SessionId, p.Username))
}

func openEnvelope(b []byte, cid, field string) []byte {
	b = append(b, '{')
	if cid != "" {
		b = append(b, `"cid":`...)
		b = appendString(b, cid)
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, field...)
	return append(b, '"', ':')
}

func closeEnvelope(b []byte) []byte { return append(b, '}') }

// object writes the fields of one JSON object, commas included.
type object struct {
	b     []byte
	first bool
}

func (o *object) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *object) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendString(o.b, v)
	}
}

func appendRPC(b []byte, r *api.Rpc) []byte {
	o := object{b: append(b, '{'), first: true}
	o.str("id", r.Id)
	o.str("payload", r.Payload)
	o.str("http_key", r.HttpKey)
	return append(o.b, '}')
}

func appendMatchData(b []byte, d *rtapi.MatchData) []byte {
	o := object{b: append(b, '{'), first: true}
	o.str("match_id", d.MatchId)
	if p := d.Presence; p != nil {
		o.key("presence")
		o.b = appendPresence(o.b, p)
	}
	if d.OpCode != 0 {
		o.key("op_code")
		o.b = append(o.b, '"')
		o.b = strconv.AppendInt(o.b, d.OpCode, 10)
		o.b = append(o.b, '"')
	}
	if len(d.Data) > 0 {
		o.key("data")
		o.b = append(o.b, '"')
		o.b = base64.StdEncoding.AppendEncode(o.b, d.Data)
		o.b = append(o.b, '"')
	}
	if d.Reliable {
		o.key("reliable")
		o.b = append(o.b, "true"...)
	}
	return append(o.b, '}')
}

func appendPresence(b []byte, p *rtapi.UserPresence) []byte {
	o := object{b: append(b, '{'), first: true}
	o.str("user_id", p.UserId)
	o.str("session_id", p.SessionId)
	o.str("username", p.Username)
	if p.Persistence {
		o.key("persistence")
		o.b = append(o.b, "true"...)
	}
	return append(o.b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as protojson does:
// quote, backslash and control characters; everything else as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSizeHint guesses the encoded size of a fast message, so that
// encoding allocates once.
func jsonSizeHint(env *rtapi.Envelope) int {
	n := 64 + len(env.Cid)
	switch m := env.Message.(type) {
	case *rtapi.Envelope_MatchData:
		d := m.MatchData
		n += 160 + len(d.GetMatchId()) + len(d.GetData())*4/3
	case *rtapi.Envelope_Rpc:
		n += len(m.Rpc.GetId()) + len(m.Rpc.GetPayload())*5/4 + len(m.Rpc.GetHttpKey())
	}
	return n
}
