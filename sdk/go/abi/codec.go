package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
)

// Tags of the value encoding.
const (
	TagNil    = 0x00
	TagFalse  = 0x01
	TagTrue   = 0x02
	TagInt    = 0x03
	TagFloat  = 0x04
	TagString = 0x05
	TagBytes  = 0x06
	TagList   = 0x07
	TagMap    = 0x08
)

// Limits of the value encoding, as the host enforces them on everything it
// reads (a guest should too).
const (
	// MaxMessageBytes is the largest encoded message.
	MaxMessageBytes = 16 << 20
	// MaxDepth is the deepest nesting of lists and maps: a scalar at top
	// level is depth 0, the elements of a top-level list depth 1.
	MaxDepth = 64
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("malformed value")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Decode decodes one message: exactly one value, no trailing bytes, into
// nil, bool, int64, float64, string, []byte, []any or map[string]any.
// Strings and byte slices are copied, so b may be reused afterwards.
func Decode(b []byte) (any, error) {
	var d Decoder
	d.Reset(b)
	v := d.Value()
	if err := d.End(); err != nil {
		return nil, err
	}
	return v, nil
}

// Decoder reads one message value by value (see the package documentation).
// The zero value reads an empty message; Reset gives it one.
//
// Every Read method consumes exactly one value. When the value is of
// another type than asked for it is skipped and the method returns the zero
// value and false; a malformed message sets Err, after which every method
// returns zero values and false.
type Decoder struct {
	b     []byte
	off   int
	depth int // the depth of the next value
	err   error
}

// Reset makes d read message b from its start.
func (d *Decoder) Reset(b []byte) {
	*d = Decoder{b: b}
	if len(b) > MaxMessageBytes {
		d.err = malformed("message of %d bytes exceeds %d", len(b), MaxMessageBytes)
	}
}

// Err returns the first decoding error, or nil.
func (d *Decoder) Err() error { return d.err }

// End returns the first decoding error, or an error if bytes are left over
// after the values read.
func (d *Decoder) End() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = malformed("%d trailing bytes", len(d.b)-d.off)
	}
	return d.err
}

// Tag returns the tag of the next value without consuming it, or -1 at the
// end of the message or after an error.
func (d *Decoder) Tag() int {
	if d.err != nil || d.off >= len(d.b) {
		return -1
	}
	return int(d.b[d.off])
}

// fail records the first error and empties what is left to read, so that
// the fast paths below, which do not look at err, find nothing.
func (d *Decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b, d.off = nil, 0
}

func (d *Decoder) uvarint() uint64 {
	// One byte, the common case, without a loop: a host that checks for
	// termination at every loop back-edge (the server does) makes loops
	// costly for guests.
	if d.off < len(d.b) {
		if c := d.b[d.off]; c < 0x80 {
			d.off++
			return uint64(c)
		}
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		if n == 0 {
			d.fail(malformed("truncated varint at %d", d.off))
		} else {
			d.fail(malformed("varint overflow at %d", d.off))
		}
		return 0
	}
	d.off += n
	return v
}

// length reads a length or count that cannot exceed the bytes left.
func (d *Decoder) length() int {
	at := d.off
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail(malformed("length %d at %d exceeds the %d bytes left", n, at, len(d.b)-d.off))
		return 0
	}
	return int(n)
}

func (d *Decoder) raw() []byte {
	n := d.length()
	if d.err != nil {
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

// tag consumes the next tag; ok is false at the end or after an error.
func (d *Decoder) tag() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	if d.off >= len(d.b) {
		d.fail(malformed("truncated value at %d", d.off))
		return 0, false
	}
	t := d.b[d.off]
	d.off++
	return t, true
}

func (d *Decoder) float() float64 {
	if len(d.b)-d.off < 8 {
		d.fail(malformed("truncated float at %d", d.off))
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return f
}

func zigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// enterDepth checks that a container may open at the current depth.
func (d *Decoder) enterDepth() bool {
	if d.depth >= MaxDepth {
		d.fail(malformed("nesting deeper than %d", MaxDepth))
		return false
	}
	return true
}

// Value reads the next value into the neutral model, as Decode does.
func (d *Decoder) Value() any {
	t, ok := d.tag()
	if !ok {
		return nil
	}
	switch t {
	case TagNil:
		return nil
	case TagFalse:
		return false
	case TagTrue:
		return true
	case TagInt:
		return zigzag(d.uvarint())
	case TagFloat:
		return d.float()
	case TagString:
		return string(d.raw())
	case TagBytes:
		s := d.raw()
		if d.err != nil {
			return nil
		}
		return append([]byte{}, s...)
	case TagList:
		if !d.enterDepth() {
			return nil
		}
		n := d.length()
		l := make([]any, n)
		d.depth++
		for i := range l {
			if l[i] = d.Value(); d.err != nil {
				break
			}
		}
		d.depth--
		if d.err != nil {
			return nil
		}
		return l
	case TagMap:
		if !d.enterDepth() {
			return nil
		}
		n := d.length()
		m := make(map[string]any, n)
		d.depth++
		for range n {
			k := d.raw()
			if d.err != nil {
				break
			}
			if _, dup := m[string(k)]; dup {
				d.fail(malformed("duplicate map key %q", k))
				break
			}
			v := d.Value()
			if d.err != nil {
				break
			}
			m[string(k)] = v
		}
		d.depth--
		if d.err != nil {
			return nil
		}
		return m
	}
	d.fail(malformed("unknown tag 0x%02x at %d", t, d.off-1))
	return nil
}

// Skip consumes the next value, whatever it is.
func (d *Decoder) Skip() {
	t, ok := d.tag()
	if !ok {
		return
	}
	d.skipAfter(t)
}

func (d *Decoder) skipAfter(t byte) {
	switch t {
	case TagNil, TagFalse, TagTrue:
	case TagInt:
		d.uvarint()
	case TagFloat:
		d.float()
	case TagString, TagBytes:
		d.raw()
	case TagList, TagMap:
		if !d.enterDepth() {
			return
		}
		n := d.length()
		d.depth++
		for range n {
			if t == TagMap {
				d.raw()
			}
			if d.Skip(); d.err != nil {
				break
			}
		}
		d.depth--
	default:
		d.fail(malformed("unknown tag 0x%02x at %d", t, d.off-1))
	}
}

// EnterMap reads the header of a map and returns its entry count n: the
// caller then reads n keys (Key), each followed by exactly one value, and
// calls Leave. When the next value is not a map it is skipped and ok is
// false (no Leave); so it is on an error. Map does the same with a
// callback; EnterMap costs fewer function calls, which matters in guests
// (see Decoder.uvarint).
func (d *Decoder) EnterMap() (n int, ok bool) {
	if o := d.off; o+1 < len(d.b) && d.b[o] == TagMap && d.b[o+1] < 0x80 && d.depth < MaxDepth {
		if n = int(d.b[o+1]); n <= len(d.b)-o-2 {
			d.off, d.depth = o+2, d.depth+1
			return n, true
		}
	}
	return d.enter(TagMap)
}

// EnterList reads the header of a list as EnterMap reads a map's: n values
// follow, then Leave.
func (d *Decoder) EnterList() (n int, ok bool) {
	if o := d.off; o+1 < len(d.b) && d.b[o] == TagList && d.b[o+1] < 0x80 && d.depth < MaxDepth {
		if n = int(d.b[o+1]); n <= len(d.b)-o-2 {
			d.off, d.depth = o+2, d.depth+1
			return n, true
		}
	}
	return d.enter(TagList)
}

// enter is the general case of EnterMap and EnterList.
func (d *Decoder) enter(want byte) (int, bool) {
	t, ok := d.tag()
	if !ok {
		return 0, false
	}
	if t != want {
		d.skipAfter(t)
		return 0, false
	}
	if !d.enterDepth() {
		return 0, false
	}
	n := d.length()
	if d.err != nil {
		return 0, false
	}
	d.depth++
	return n, true
}

// Leave ends a map or list opened by EnterMap or EnterList.
func (d *Decoder) Leave() { d.depth-- }

// Key reads a map key as a view of the message (empty after an error).
func (d *Decoder) Key() []byte {
	if o := d.off; o < len(d.b) {
		if n := int(d.b[o]); n < 0x80 && n <= len(d.b)-o-1 {
			d.off = o + 1 + n
			return d.b[o+1 : o+1+n : o+1+n]
		}
	}
	return d.raw()
}

// RawValue consumes the next value and returns its encoding, a view of the
// message (nil on an error).
func (d *Decoder) RawValue() []byte {
	start := d.off
	d.Skip()
	if d.err != nil {
		return nil
	}
	return d.b[start:d.off:d.off]
}

// ReadBool reads a bool.
func (d *Decoder) ReadBool() (v, ok bool) {
	if o := d.off; o < len(d.b) && (d.b[o] == TagTrue || d.b[o] == TagFalse) {
		d.off++
		return d.b[o] == TagTrue, true
	}
	t, ok := d.tag()
	switch {
	case !ok:
		return false, false
	case t == TagTrue:
		return true, true
	case t == TagFalse:
		return false, true
	}
	d.skipAfter(t)
	return false, false
}

// ReadInt reads an int, or a float without fraction that fits an int64.
func (d *Decoder) ReadInt() (int64, bool) {
	if o := d.off; o+1 < len(d.b) && d.b[o] == TagInt && d.b[o+1] < 0x80 {
		d.off += 2
		return zigzag(uint64(d.b[o+1])), true
	}
	t, ok := d.tag()
	switch {
	case !ok:
		return 0, false
	case t == TagInt:
		v := zigzag(d.uvarint())
		return v, d.err == nil
	case t == TagFloat:
		f := d.float()
		if d.err == nil && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return int64(f), true
		}
		return 0, false
	}
	d.skipAfter(t)
	return 0, false
}

// ReadFloat reads a float, or an int.
func (d *Decoder) ReadFloat() (float64, bool) {
	t, ok := d.tag()
	switch {
	case !ok:
		return 0, false
	case t == TagFloat:
		f := d.float()
		return f, d.err == nil
	case t == TagInt:
		v := zigzag(d.uvarint())
		return float64(v), d.err == nil
	}
	d.skipAfter(t)
	return 0, false
}

// ReadBytes reads a string or bytes value and returns its bytes as a view
// of the message, valid as long as the message's buffer is.
func (d *Decoder) ReadBytes() ([]byte, bool) {
	if o := d.off; o+1 < len(d.b) && (d.b[o] == TagString || d.b[o] == TagBytes) && d.b[o+1] < 0x80 {
		if n, at := int(d.b[o+1]), o+2; n <= len(d.b)-at {
			d.off = at + n
			return d.b[at : at+n : at+n], true
		}
	}
	t, ok := d.tag()
	switch {
	case !ok:
		return nil, false
	case t == TagString || t == TagBytes:
		s := d.raw()
		return s, d.err == nil
	}
	d.skipAfter(t)
	return nil, false
}

// ReadString reads a string (or bytes) value as a new string.
func (d *Decoder) ReadString() (string, bool) {
	b, ok := d.ReadBytes()
	return string(b), ok
}

// Map reads a map, calling each with every key (a view of the message)
// in turn; each must read the entry's value with one Read method, Value,
// Skip, Map or List (a value it leaves unread is skipped). It returns false
// when the value is not a map (it is skipped) or on an error.
func (d *Decoder) Map(each func(key []byte)) bool {
	t, ok := d.tag()
	if !ok {
		return false
	}
	if t != TagMap {
		d.skipAfter(t)
		return false
	}
	if !d.enterDepth() {
		return false
	}
	n := d.length()
	d.depth++
	for range n {
		k := d.raw()
		if d.err != nil {
			break
		}
		at := d.off
		if each(k); d.off == at {
			d.Skip()
		}
		if d.err != nil {
			break
		}
	}
	d.depth--
	return d.err == nil
}

// List reads a list as Map reads a map: each is called with the index of
// every element and must read it. n is the element count, so that a caller
// can size its slice first: List calls count(n) before the first element
// when count is not nil.
func (d *Decoder) List(count func(n int), each func(i int)) bool {
	t, ok := d.tag()
	if !ok {
		return false
	}
	if t != TagList {
		d.skipAfter(t)
		return false
	}
	if !d.enterDepth() {
		return false
	}
	n := d.length()
	if d.err != nil {
		return false
	}
	if count != nil {
		count(n)
	}
	d.depth++
	for i := range n {
		at := d.off
		if each(i); d.off == at {
			d.Skip()
		}
		if d.err != nil {
			break
		}
	}
	d.depth--
	return d.err == nil
}

// Marshaler is a Go type that encodes itself (the SDK's Presence is one).
type Marshaler interface {
	MarshalABI(e *Encoder) error
}

// appendUvarint is binary.AppendUvarint with a loop-free path for one byte
// (see Decoder.uvarint).
func appendUvarint(b []byte, x uint64) []byte {
	if x < 0x80 {
		return append(b, byte(x))
	}
	return binary.AppendUvarint(b, x)
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

// Len returns the number of bytes encoded.
func (e *Encoder) Len() int { return len(e.buf) }

// Byte appends a raw byte (the status byte of a reply).
func (e *Encoder) Byte(b byte) { e.buf = append(e.buf, b) }

// Nil appends nil.
func (e *Encoder) Nil() { e.buf = append(e.buf, TagNil) }

// Bool appends a bool.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, TagTrue)
	} else {
		e.buf = append(e.buf, TagFalse)
	}
}

// Int appends an int.
func (e *Encoder) Int(v int64) {
	e.buf = append(e.buf, TagInt)
	e.buf = appendUvarint(e.buf, uint64(v<<1)^uint64(v>>63))
}

// Float appends a float.
func (e *Encoder) Float(v float64) {
	e.buf = append(e.buf, TagFloat)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// String appends a string.
func (e *Encoder) String(s string) {
	e.buf = append(e.buf, TagString)
	e.buf = appendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// Raw appends a byte string (tag bytes).
func (e *Encoder) Raw(b []byte) {
	e.buf = append(e.buf, TagBytes)
	e.buf = appendUvarint(e.buf, uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// List appends the header of a list of n values, which must follow.
func (e *Encoder) List(n int) {
	e.buf = append(e.buf, TagList)
	e.buf = appendUvarint(e.buf, uint64(n))
}

// Map appends the header of a map of n entries; n Key/value pairs follow.
func (e *Encoder) Map(n int) {
	e.buf = append(e.buf, TagMap)
	e.buf = appendUvarint(e.buf, uint64(n))
}

// Key appends a map key.
func (e *Encoder) Key(k string) {
	e.buf = appendUvarint(e.buf, uint64(len(k)))
	e.buf = append(e.buf, k...)
}

// Value appends any value of the neutral model and the Go types around it:
// every integer and float type, []string, []map[string]any,
// map[string]string and Marshalers. Map keys are written sorted, so equal
// values encode equally.
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
	case int16:
		e.Int(int64(x))
	case int8:
		e.Int(int64(x))
	case uint32:
		e.Int(int64(x))
	case uint16:
		e.Int(int64(x))
	case uint8:
		e.Int(int64(x))
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("cannot encode %d: larger than an int64", x)
		}
		e.Int(int64(x))
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fmt.Errorf("cannot encode %d: larger than an int64", x)
		}
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
		e.Map(len(x))
		for _, k := range SortedKeys(x) {
			e.Key(k)
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
	case map[string]string:
		e.Map(len(x))
		for _, k := range SortedKeys(x) {
			e.Key(k)
			e.String(x[k])
		}
	case Marshaler:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			e.Nil()
			return nil
		}
		return x.MarshalABI(e)
	default:
		return fmt.Errorf("cannot encode a value of type %T", v)
	}
	return nil
}

// Encode returns the encoding of v (see Encoder.Value).
func Encode(v any) ([]byte, error) {
	var e Encoder
	if err := e.Value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// SortedKeys returns the keys of m in increasing order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
