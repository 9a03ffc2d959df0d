package nk

import (
	"math"
	"strconv"
	"strings"
)

// parseNumber converts a numeric string as Lua coerces strings to numbers.
func parseNumber(s string, integer bool) (any, bool) {
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		n, ierr := strconv.ParseInt(s, 0, 64)
		if ierr != nil {
			return nil, false
		}
		f = float64(n)
	}
	if integer {
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return nil, false
		}
		return int64(f), true
	}
	return f, true
}

// FormatNumber formats a number as Lua's tostring does: integers without
// a fraction, others with up to 14 significant digits.
func FormatNumber(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', 14, 64)
	}
	return ""
}

// AsInt returns an integer-valued number as int64.
func AsInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) && !math.IsNaN(x) {
			return int64(x), true
		}
	}
	return 0, false
}

// AsString returns a string or byte value as a string.
func AsString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}
