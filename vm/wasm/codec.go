package wasm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Tags of the value encoding (sdk/ABI.md §3).
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

// Limits of the value encoding.
const (
	// MaxMessageBytes is the largest encoded message the host reads or writes.
	MaxMessageBytes = 16 << 20
	// MaxDepth is the deepest nesting of lists and maps.
	MaxDepth = 64
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("malformed value")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Decode decodes one message: exactly one value, no trailing bytes. Strings
// and byte slices are copied, so b may be reused afterwards.
func Decode(b []byte) (any, error) {
	if len(b) > MaxMessageBytes {
		return nil, malformed("message of %d bytes exceeds %d", len(b), MaxMessageBytes)
	}
	d := decoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, malformed("%d trailing bytes", len(b)-d.off)
	}
	return v, nil
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		if n == 0 {
			return 0, malformed("truncated varint at %d", d.off)
		}
		return 0, malformed("varint overflow at %d", d.off)
	}
	d.off += n
	return v, nil
}

// length reads a length or count that cannot exceed the bytes left.
func (d *decoder) length() (int, error) {
	at := d.off
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.b)-d.off) {
		return 0, malformed("length %d at %d exceeds the %d bytes left", n, at, len(d.b)-d.off)
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
		return nil, malformed("truncated value at %d", d.off)
	}
	tag := d.b[d.off]
	d.off++
	switch tag {
	case tagNil:
		return nil, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagInt:
		u, err := d.uvarint()
		return int64(u>>1) ^ -int64(u&1), err
	case tagFloat:
		if len(d.b)-d.off < 8 {
			return nil, malformed("truncated float at %d", d.off)
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
		d.off += 8
		return f, nil
	case tagString:
		s, err := d.raw()
		return string(s), err
	case tagBytes:
		s, err := d.raw()
		if err != nil {
			return nil, err
		}
		return append([]byte{}, s...), nil
	case tagList, tagMap:
		if depth >= MaxDepth {
			return nil, malformed("nesting deeper than %d", MaxDepth)
		}
		if tag == tagList {
			return d.list(depth + 1)
		}
		return d.dict(depth + 1)
	}
	return nil, malformed("unknown tag 0x%02x at %d", tag, d.off-1)
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
			return nil, malformed("duplicate map key %q", k)
		}
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		m[string(k)] = v
	}
	return m, nil
}

// Encoder appends encoded values to a buffer it reuses. The zero value is
// ready to use.
type Encoder struct {
	buf []byte
}

// Reset empties the buffer, keeping its memory.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// Bytes returns the encoded bytes, valid until the next change.
func (e *Encoder) Bytes() []byte { return e.buf }

// Nil appends nil.
func (e *Encoder) Nil() { e.buf = append(e.buf, tagNil) }

// Bool appends a bool.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, tagTrue)
	} else {
		e.buf = append(e.buf, tagFalse)
	}
}

// Int appends an int.
func (e *Encoder) Int(v int64) {
	e.buf = append(e.buf, tagInt)
	e.buf = binary.AppendUvarint(e.buf, uint64(v<<1)^uint64(v>>63))
}

// Float appends a float.
func (e *Encoder) Float(v float64) {
	e.buf = append(e.buf, tagFloat)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// String appends a string.
func (e *Encoder) String(s string) {
	e.buf = append(e.buf, tagString)
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Raw appends a byte string.
func (e *Encoder) Raw(b []byte) {
	e.buf = append(e.buf, tagBytes)
	e.buf = binary.AppendUvarint(e.buf, uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// List appends the header of a list of n values, which must follow.
func (e *Encoder) List(n int) {
	e.buf = append(e.buf, tagList)
	e.buf = binary.AppendUvarint(e.buf, uint64(n))
}

// Map appends the header of a map of n entries; n Key/value pairs follow.
func (e *Encoder) Map(n int) {
	e.buf = append(e.buf, tagMap)
	e.buf = binary.AppendUvarint(e.buf, uint64(n))
}

// Key appends a map key.
func (e *Encoder) Key(k string) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(k)))
	e.buf = append(e.buf, k...)
}

// Value appends any value of the neutral model, plus the Go types nk
// functions commonly return (int, []string, map[string]string, ...).
// Map keys are written sorted, so equal values encode equally.
func (e *Encoder) Value(v any) error { return e.value(v, 0) }

func (e *Encoder) value(v any, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("cannot encode: nesting deeper than %d", MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		e.Nil()
	case bool:
		e.Bool(x)
	case int64:
		e.Int(x)
	case int:
		e.Int(int64(x))
	case int32:
		e.Int(int64(x))
	case uint32:
		e.Int(int64(x))
	case float64:
		e.Float(x)
	case float32:
		e.Float(float64(x))
	case string:
		e.String(x)
	case []byte:
		e.Raw(x)
	case []any:
		e.List(len(x))
		for _, el := range x {
			if err := e.value(el, depth+1); err != nil {
				return err
			}
		}
	case []string:
		e.List(len(x))
		for _, s := range x {
			e.String(s)
		}
	case []map[string]any:
		e.List(len(x))
		for _, m := range x {
			if err := e.value(m, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		return e.dict(x, depth)
	case map[string]string:
		e.Map(len(x))
		for _, k := range sortedKeys(x) {
			e.Key(k)
			e.String(x[k])
		}
	default:
		return fmt.Errorf("cannot encode a value of type %T", v)
	}
	return nil
}

func (e *Encoder) dict(m map[string]any, depth int) error {
	e.Map(len(m))
	for _, k := range sortedKeys(m) {
		e.Key(k)
		if err := e.value(m[k], depth+1); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Encode returns the encoding of v.
func Encode(v any) ([]byte, error) {
	var e Encoder
	if err := e.Value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}
