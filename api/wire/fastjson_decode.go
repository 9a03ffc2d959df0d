package wire

import (
	"encoding/base64"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
)

// decodeEnvelopeJSON decodes the common client messages (ping, rpc and
// match_data_send) without reflection. It returns false, leaving env as it
// was, for anything else or anything it is not sure of: the caller then
// decodes with protojson, which owns every error message.
func decodeEnvelopeJSON(frame []byte, env *rtapi.Envelope) bool {
	s := scanner{b: frame}
	var (
		cid     string
		haveCid bool
		apply   func(*rtapi.Envelope) // sets the one message
	)
	ok := s.object(func(key string) bool {
		switch key {
		case "cid":
			if haveCid {
				return false
			}
			haveCid = true
			var ok bool
			cid, ok = s.str()
			return ok
		case "ping":
			if apply != nil || !s.emptyObject() {
				return false
			}
			apply = func(e *rtapi.Envelope) { e.Message = &rtapi.Envelope_Ping{Ping: &rtapi.Ping{}} }
			return true
		case "rpc":
			r, ok := s.rpc()
			if !ok || apply != nil {
				return false
			}
			apply = func(e *rtapi.Envelope) { e.Message = &rtapi.Envelope_Rpc{Rpc: r} }
			return true
		case "match_data_send", "matchDataSend":
			d, ok := s.matchDataSend()
			if !ok || apply != nil {
				return false
			}
			apply = func(e *rtapi.Envelope) { e.Message = &rtapi.Envelope_MatchDataSend{MatchDataSend: d} }
			return true
		}
		return false
	})
	if !ok || !s.end() || apply == nil {
		return false
	}
	env.Cid = cid
	apply(env)
	return true
}

func (s *scanner) rpc() (*api.Rpc, bool) {
	r := &api.Rpc{}
	var seen [3]bool
	ok := s.object(func(key string) bool {
		var (
			dst *string
			i   int
		)
		switch key {
		case "id":
			dst, i = &r.Id, 0
		case "payload":
			dst, i = &r.Payload, 1
		case "http_key", "httpKey":
			dst, i = &r.HttpKey, 2
		default:
			return false
		}
		if seen[i] {
			return false
		}
		seen[i] = true
		v, ok := s.str()
		*dst = v
		return ok
	})
	return r, ok
}

func (s *scanner) matchDataSend() (*rtapi.MatchDataSend, bool) {
	d := &rtapi.MatchDataSend{}
	var seen [4]bool
	once := func(i int) bool {
		if seen[i] {
			return false
		}
		seen[i] = true
		return true
	}
	ok := s.object(func(key string) bool {
		switch key {
		case "match_id", "matchId":
			v, ok := s.str()
			d.MatchId = v
			return once(0) && ok
		case "op_code", "opCode":
			v, ok := s.int64()
			d.OpCode = v
			return once(1) && ok
		case "data":
			v, ok := s.bytes()
			d.Data = v
			return once(2) && ok
		case "reliable":
			v, ok := s.boolean()
			d.Reliable = v
			return once(3) && ok
		}
		return false // presences and anything else: protojson
	})
	return d, ok
}

// scanner reads the subset of JSON the fast path accepts.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// object reads an object, calling field for each key with the scanner on
// its value; field reads the value and reports success.
func (s *scanner) object(field func(key string) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.next(':') || !field(key) {
			return false
		}
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

func (s *scanner) emptyObject() bool { return s.next('{') && s.next('}') }

// str reads a string, unescaping it; invalid UTF-8 is left to protojson.
func (s *scanner) str() (string, bool) {
	if !s.next('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			return string(raw), utf8.Valid(raw)
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// escaped finishes a string that has escapes, from its start.
func (s *scanner) escaped(start int) (string, bool) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), utf8.Valid(out)
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return "", false
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.unicode()
			if !ok {
				return "", false
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

// unicode reads the hex digits of a \u escape (and a low surrogate after a
// high one); lone surrogates are left to protojson.
func (s *scanner) unicode() (rune, bool) {
	r, ok := s.hex4()
	if !ok {
		return 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, true
	}
	if s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
		return 0, false
	}
	s.i += 2
	lo, ok := s.hex4()
	if !ok {
		return 0, false
	}
	full := utf16.DecodeRune(r, lo)
	return full, full != utf8.RuneError
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(n), true
}

// int64 reads an integer written as a number or a string of digits.
func (s *scanner) int64() (int64, bool) {
	s.space()
	quoted := s.i < len(s.b) && s.b[s.i] == '"'
	if quoted {
		s.i++
	}
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits || (s.i-digits > 1 && s.b[digits] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	if err != nil {
		return 0, false
	}
	if quoted && !s.next('"') {
		return 0, false
	}
	return n, true
}

// bytes reads base64 in the standard alphabet with padding (what clients
// and protojson write); other spellings are left to protojson.
func (s *scanner) bytes() ([]byte, bool) {
	v, ok := s.str()
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	return b, err == nil
}

func (s *scanner) boolean() (bool, bool) {
	s.space()
	switch {
	case hasPrefix(s.b[s.i:], "true"):
		s.i += 4
		return true, true
	case hasPrefix(s.b[s.i:], "false"):
		s.i += 5
		return false, true
	}
	return false, false
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }
