package arbiter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Tags of the value encoding (ABI.md §3).
const (
	tagNil    = 0x00
	tagFalse  = 0x01
	tagTrue   = 0x02
	tagInt    = 0x03
	tagFloat  = 0x04
	tagString = 0x05
	tagBytes  = 0x06
	tagList   = 0x07
	tagMap    = 0x08
)

// Limits of the encoding, as the host enforces them.
const (
	MaxMessageBytes = 16 << 20
	MaxDepth        = 64
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("arbiter: malformed value")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Decode decodes one encoded value: nil, bool, int64, float64, string,
// []byte, []any or map[string]any. Strings and bytes are copied.
func Decode(b []byte) (any, error) {
	if len(b) > MaxMessageBytes {
		return nil, malformed("message of %d bytes", len(b))
	}
	d := decoder{b: b}
	v, err := d.value(0)
	if err == nil && d.off != len(b) {
		err = malformed("%d trailing bytes", len(b)-d.off)
	}
	return v, err
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) length() (int, error) {
	n, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 {
		return 0, malformed("bad varint at %d", d.off)
	}
	d.off += k
	if n > uint64(len(d.b)-d.off) {
		return 0, malformed("length %d exceeds the bytes left", n)
	}
	return int(n), nil
}

func (d *decoder) raw() ([]byte, error) {
	n, err := d.length()
	if err != nil {
		return nil, err
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s, nil
}

func (d *decoder) value(depth int) (any, error) {
	if d.off >= len(d.b) {
		return nil, malformed("truncated value")
	}
	tag := d.b[d.off]
	d.off++
	switch tag {
	case tagNil:
		return nil, nil
	case tagFalse, tagTrue:
		return tag == tagTrue, nil
	case tagInt:
		u, k := binary.Uvarint(d.b[d.off:])
		if k <= 0 {
			return nil, malformed("bad varint at %d", d.off)
		}
		d.off += k
		return int64(u>>1) ^ -int64(u&1), nil
	case tagFloat:
		if len(d.b)-d.off < 8 {
			return nil, malformed("truncated float")
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
		d.off += 8
		return f, nil
	case tagString:
		s, err := d.raw()
		return string(s), err
	case tagBytes:
		s, err := d.raw()
		return append([]byte{}, s...), err
	case tagList, tagMap:
		if depth >= MaxDepth {
			return nil, malformed("nesting deeper than %d", MaxDepth)
		}
		if tag == tagList {
			return d.list(depth + 1)
		}
		return d.dict(depth + 1)
	}
	return nil, malformed("unknown tag 0x%02x", tag)
}

func (d *decoder) list(depth int) (any, error) {
	n, err := d.length()
	if err != nil {
		return nil, err
	}
	l := make([]any, n)
	for i := range l {
		if l[i], err = d.value(depth); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (d *decoder) dict(depth int) (any, error) {
	n, err := d.length()
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, n)
	for range n {
		k, err := d.raw()
		if err != nil {
			return nil, err
		}
		if _, dup := m[string(k)]; dup {
			return nil, malformed("duplicate key %q", k)
		}
		if m[string(k)], err = d.value(depth); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Encode encodes v: nil, bool, any integer or float type, string, []byte,
// []any, []string, map[string]any, map[string]string, []map[string]any,
// or a Presence.
func Encode(v any) ([]byte, error) {
	var e encoder
	err := e.value(v, 0)
	return e.b, err
}

type encoder struct{ b []byte }

func (e *encoder) uvarint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }

func (e *encoder) str(tag byte, s string) {
	e.b = append(e.b, tag)
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) integer(n int64) {
	e.b = append(e.b, tagInt)
	e.uvarint(uint64(n<<1) ^ uint64(n>>63))
}

func (e *encoder) header(tag byte, n int) {
	e.b = append(e.b, tag)
	e.uvarint(uint64(n))
}

func (e *encoder) key(k string) {
	e.uvarint(uint64(len(k)))
	e.b = append(e.b, k...)
}

func (e *encoder) value(v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("arbiter: cannot encode nesting deeper than %d", MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, tagNil)
	case bool:
		if x {
			e.b = append(e.b, tagTrue)
		} else {
			e.b = append(e.b, tagFalse)
		}
	case int:
		e.integer(int64(x))
	case int8:
		e.integer(int64(x))
	case int16:
		e.integer(int64(x))
	case int32:
		e.integer(int64(x))
	case int64:
		e.integer(x)
	case uint8:
		e.integer(int64(x))
	case uint16:
		e.integer(int64(x))
	case uint32:
		e.integer(int64(x))
	case float32:
		e.float(float64(x))
	case float64:
		e.float(x)
	case string:
		e.str(tagString, x)
	case []byte:
		e.str(tagBytes, string(x))
	case []any:
		e.header(tagList, len(x))
		for _, el := range x {
			if err := e.value(el, depth+1); err != nil {
				return err
			}
		}
	case []string:
		e.header(tagList, len(x))
		for _, s := range x {
			e.str(tagString, s)
		}
	case []map[string]any:
		e.header(tagList, len(x))
		for _, m := range x {
			if err := e.value(m, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		e.header(tagMap, len(x))
		for _, k := range sortedKeys(x) {
			e.key(k)
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
	case map[string]string:
		e.header(tagMap, len(x))
		for _, k := range sortedKeys(x) {
			e.key(k)
			e.str(tagString, x[k])
		}
	case Presence:
		return e.value(x.value(), depth)
	case *Presence:
		if x == nil {
			e.b = append(e.b, tagNil)
			return nil
		}
		return e.value(x.value(), depth)
	default:
		return fmt.Errorf("arbiter: cannot encode a value of type %T", v)
	}
	return nil
}

func (e *encoder) float(f float64) {
	e.b = append(e.b, tagFloat)
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
