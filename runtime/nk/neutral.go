package nk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// Helpers over the neutral value model shared by the function groups.

// badArg is ArgError for a function known by name, for use inside Run.
func badArg(name string, n int, msg string) error {
	return ArgError(&Func{Name: name}, n, msg)
}

// wrap returns a service error as a VM error with Nakama's prefix.
func wrap(prefix string, err error) error {
	return &Error{Message: prefix + err.Error()}
}

// unavailable is the error of a function whose service is not wired.
func unavailable(name string) error {
	return Errorf("%s: service not available on this server", name)
}

// callCtx returns the context of a call, Background when it has none.
func callCtx(c *Call) context.Context {
	if c == nil || c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// listElems returns the elements of a table read as an array: a list's
// elements, and none for a map, as Nakama reads a table whose array part is
// empty (Len() == 0).
func listElems(v any) []any {
	l, _ := v.([]any)
	return l
}

// allElems returns every value of a table: a list's elements, or a map's
// values in key order (Nakama's ForEach over the whole table).
func allElems(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = x[k]
		}
		return out
	}
	return nil
}

// tableMap returns a table as a map, as Nakama converts a table it expects
// to be an object: a list becomes a map keyed by 1-based index.
func tableMap(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case []any:
		m := make(map[string]any, len(x))
		for i, e := range x {
			if e != nil {
				m[strconv.Itoa(i+1)] = e
			}
		}
		return m
	}
	return nil
}

// isTable reports whether v is a table (list or map).
func isTable(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return true
	}
	return false
}

// encodeJSON encodes a neutral value as Nakama's json_encode does: integral
// numbers as integers, an empty table as {}, map keys sorted, and <, > and &
// escaped.
func encodeJSON(v any) ([]byte, error) {
	return json.Marshal(jsonable(v))
}

// jsonable converts a neutral value to values encoding/json encodes as
// Nakama does.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonable(e)
		}
		return m
	case []any:
		if len(x) == 0 {
			return map[string]any{} // an empty Lua table is an object
		}
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonable(e)
		}
		return l
	case []byte:
		return string(x)
	case Function:
		return fmt.Sprintf("function: %p", x)
	}
	return v
}

// decodeJSON decodes JSON into neutral values: objects as maps (null members
// left out, as a Lua table cannot hold nil), arrays as lists, integral
// numbers that fit as int64 and other numbers as float64.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		// Report the error as json.Unmarshal words it, as Nakama does.
		var probe any
		if uerr := json.Unmarshal(data, &probe); uerr != nil {
			return nil, uerr
		}
		return nil, err
	}
	return fromJSON(v), nil
}

// decodeObject decodes a stored JSON object (storage values, metadata).
func decodeObject(s string) (map[string]any, error) {
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return map[string]any{}, nil
		}
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = fromJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
		return x
	case json.Number:
		return jsonNumber(x)
	}
	return v
}

func jsonNumber(n json.Number) any {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// errHasFunction: a value that must be copied holds a function, which
// belongs to one VM and cannot be shared.
var errHasFunction = errors.New("value holds a function")

// copyValue returns a deep copy of a neutral value and its approximate size
// in bytes. Functions cannot be copied.
func copyValue(v any) (any, int, error) {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		size := 16
		for k, e := range x {
			c, n, err := copyValue(e)
			if err != nil {
				return nil, 0, err
			}
			m[k] = c
			size += len(k) + 16 + n
		}
		return m, size, nil
	case []any:
		l := make([]any, len(x))
		size := 16
		for i, e := range x {
			c, n, err := copyValue(e)
			if err != nil {
				return nil, 0, err
			}
			l[i] = c
			size += n
		}
		return l, size, nil
	case []byte:
		return bytes.Clone(x), len(x) + 16, nil
	case string:
		return x, len(x) + 16, nil
	case Function:
		return nil, 0, errHasFunction
	}
	return v, 16, nil
}

// unixSeconds returns t as Nakama's tables carry times: unix seconds.
func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// ownerOut returns the owner of an object as Nakama's tables show it: the
// nil UUID for the server.
func ownerOut(userID string) string {
	if userID == "" {
		return runtime.NilUUID
	}
	return userID
}

// ownerIn returns the owner of an object as the object service takes it:
// "" for the server (the nil UUID).
func ownerIn(userID string) string {
	if userID == runtime.NilUUID {
		return ""
	}
	return userID
}
