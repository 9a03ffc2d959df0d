package query

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Document is the indexed form of one object (a match label, a matchmaker
// ticket): its values flattened into named fields, each holding keyword,
// numeric and date values. Build one once per object with NewDocument,
// FromMap or a Builder, and evaluate any number of queries against it.
//
// A Document is immutable and safe for concurrent use. The zero Document
// has no fields: only queries that need no field match it.
type Document struct {
	fields []field // sorted by hash, then name; names unique
}

// field is one named field of a Document and its values.
type field struct {
	hash     uint64 // nameHash(name)
	name     string
	keywords []string
	numbers  []float64
	dates    []time.Time
}

// lookup returns the field with the given name and nameHash, nil if the
// document has none. Searching by hash compares integers rather than names
// that mostly share a prefix such as "label.".
func (d Document) lookup(name string, hash uint64) *field {
	lo, hi := 0, len(d.fields)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.fields[m].hash < hash {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for ; lo < len(d.fields) && d.fields[lo].hash == hash; lo++ {
		if d.fields[lo].name == name {
			return &d.fields[lo]
		}
	}
	return nil
}

// nameHash returns the 64-bit FNV-1a hash of a field name.
func nameHash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// Len returns the number of fields in the document.
func (d Document) Len() int { return len(d.fields) }

// NewDocument indexes a JSON object, as Nakama indexes a match label: every
// leaf goes under prefix + "." + its dotted path (just the path if prefix
// is ""). Strings are keywords, or dates when they parse as one; numbers
// are numeric; booleans are the keywords "T" and "F"; array elements are
// all indexed under the array's path; nulls are skipped.
//
// It returns an error if obj is not a JSON object (Nakama indexes such
// labels under no field); the Document is then empty but usable.
func NewDocument(prefix string, obj []byte) (Document, error) {
	var b Builder
	err := b.AddJSON(prefix, obj)
	return b.Document(), err
}

// FromMap indexes m as NewDocument indexes a JSON object, without encoding
// JSON: values may be nil, string, bool, any Go integer or float type,
// json.Number, time.Time, []any, []string, []float64, map[string]any or
// map[string]string. The matchmaker indexes ticket properties with
// FromMap("properties", props).
//
// It returns an error for a value of another type; the Document then holds
// the values indexed before it.
func FromMap(prefix string, m map[string]any) (Document, error) {
	var b Builder
	err := b.AddValue(prefix, m)
	return b.Document(), err
}

// Builder builds a Document field by field, for callers that index more
// than one object or add fields of their own (Nakama's match index also has
// label_string, tick_rate, handler_name, ...). The zero Builder is ready to
// use; it is not safe for concurrent use.
type Builder struct {
	fields map[string]*field
}

// get returns the field with the given name, creating it if needed.
func (b *Builder) get(name string) *field {
	if b.fields == nil {
		b.fields = make(map[string]*field)
	}
	f := b.fields[name]
	if f == nil {
		f = &field{name: name, hash: nameHash(name)}
		b.fields[name] = f
	}
	return f
}

// AddKeyword adds an exact (keyword) string value to the named field. No
// date detection is done.
func (b *Builder) AddKeyword(name, value string) {
	f := b.get(name)
	f.keywords = append(f.keywords, value)
}

// AddNumber adds a numeric value to the named field.
func (b *Builder) AddNumber(name string, value float64) {
	f := b.get(name)
	f.numbers = append(f.numbers, value)
}

// AddDate adds a date value to the named field.
func (b *Builder) AddDate(name string, value time.Time) {
	f := b.get(name)
	f.dates = append(f.dates, value)
}

// AddJSON indexes a JSON object under prefix, as NewDocument does. It
// returns an error, adding nothing, if obj is not a JSON object.
func (b *Builder) AddJSON(prefix string, obj []byte) error {
	var m map[string]any
	if err := json.Unmarshal(obj, &m); err != nil {
		return fmt.Errorf("query: document is not a JSON object: %w", err)
	}
	if m == nil {
		return errors.New("query: document is not a JSON object: null")
	}
	return b.AddValue(prefix, m)
}

// maxDepth bounds the nesting AddValue follows, so that a map that contains
// itself is an error rather than a stack overflow.
const maxDepth = 1000

// AddValue indexes v under the field name path, as FromMap indexes a map
// value: a map adds its entries under path + "." + key (key alone if path
// is ""), a slice adds each element under path, a string that parses as a
// date is a date, other strings are keywords, booleans are "T" and "F",
// numbers are numeric and nil is skipped.
func (b *Builder) AddValue(path string, v any) error {
	return b.walk(path, v, 0)
}

func (b *Builder) walk(path string, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("query: value at %q is nested too deeply", path)
	}
	switch v := v.(type) {
	case nil:
	case string:
		b.addString(path, v)
	case bool:
		b.AddKeyword(path, boolKeyword(v))
	case map[string]any:
		for k, e := range v {
			if err := b.walk(join(path, k), e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := b.walk(path, e, depth+1); err != nil {
				return err
			}
		}
	default:
		return b.walkOther(path, v)
	}
	return nil
}

// walkOther indexes the less common value types.
func (b *Builder) walkOther(path string, v any) error {
	switch v := v.(type) {
	case time.Time:
		b.AddDate(path, v)
	case json.Number:
		n, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("query: invalid number %q at %q", v, path)
		}
		b.AddNumber(path, n)
	case []string:
		for _, s := range v {
			b.addString(path, s)
		}
	case []float64:
		for _, n := range v {
			b.AddNumber(path, n)
		}
	case map[string]string:
		for k, s := range v {
			b.addString(join(path, k), s)
		}
	default:
		n, ok := toFloat(v)
		if !ok {
			return fmt.Errorf("query: unsupported value type %T at %q", v, path)
		}
		b.AddNumber(path, n)
	}
	return nil
}

// toFloat converts any Go integer or float value to float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// addString adds s as a date if it parses as one, else as a keyword.
func (b *Builder) addString(path, s string) {
	if t, ok := parseDate(s); ok {
		b.AddDate(path, t)
		return
	}
	b.AddKeyword(path, s)
}

// Document returns the document built so far and empties the Builder,
// which may then build another.
func (b *Builder) Document() Document {
	fields := make([]field, 0, len(b.fields))
	for _, f := range b.fields {
		fields = append(fields, *f)
	}
	slices.SortFunc(fields, func(x, y field) int {
		if c := cmp.Compare(x.hash, y.hash); c != 0 {
			return c
		}
		return strings.Compare(x.name, y.name)
	})
	b.fields = nil
	return Document{fields: fields}
}

// join returns the dotted field name of key under path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func boolKeyword(v bool) string {
	if v {
		return "T"
	}
	return "F"
}

// dateLayouts are the layouts a string must match to be indexed as a date,
// tried in order, as Nakama does; the same layouts parse the quoted dates
// of range queries.
var dateLayouts = [...]string{
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseDate parses s with dateLayouts. Every layout starts with a
// four-digit year and '-', which is checked first to keep indexing ordinary
// strings cheap.
func parseDate(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02") || s[4] != '-' ||
		!isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
