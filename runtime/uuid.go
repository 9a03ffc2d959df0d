package runtime

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"time"
)

// NilUUID is the all-zero UUID, which Nakama uses for the server's own user.
const NilUUID = "00000000-0000-0000-0000-000000000000"

// UUID is a 16-byte universally unique identifier.
type UUID [16]byte

// NewUUID returns a random (version 4) UUID.
func NewUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// NameUUID returns the name-based (version 5, SHA-1) UUID of name in space.
func NameUUID(space UUID, name string) UUID {
	h := sha1.New()
	h.Write(space[:])
	h.Write([]byte(name))
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID parses the canonical 36-character form; ok is false for anything else.
func ParseUUID(s string) (u UUID, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return UUID{}, false
		}
		u[j] = hi<<4 | lo
		i += 2
		j++
	}
	return u, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ValidUUID reports whether s is a UUID in canonical form.
func ValidUUID(s string) bool {
	_, ok := ParseUUID(s)
	return ok
}

// String returns the canonical lower-case form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// NewTimeUUID returns a time-ordered (version 7) UUID for t: 48 bits of Unix
// milliseconds, then 12 bits of sub-millisecond fraction (RFC 9562, method
// 3), then random bits. TimeOf recovers the time to about 250 ns.
func NewTimeUUID(t time.Time) UUID {
	u := NewUUID()
	ns := t.UnixNano()
	ms := ns / 1e6
	frac := (ns % 1e6) * 4096 / 1e6
	u[0], u[1], u[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	u[3], u[4], u[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | byte(frac>>8)
	u[7] = byte(frac)
	return u
}

// TimeOf returns the time a version 7 UUID made by NewTimeUUID carries, and
// false for any other UUID.
func TimeOf(u UUID) (time.Time, bool) {
	if u[6]>>4 != 7 {
		return time.Time{}, false
	}
	ms := int64(u[0])<<40 | int64(u[1])<<32 | int64(u[2])<<24 | int64(u[3])<<16 | int64(u[4])<<8 | int64(u[5])
	frac := int64(u[6]&0x0f)<<8 | int64(u[7])
	return time.Unix(0, ms*1e6+frac*1e6/4096), true
}
