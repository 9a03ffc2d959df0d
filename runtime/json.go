package runtime

import "encoding/json"

// IsJSONObject reports whether s is valid JSON whose top level is an object.
func IsJSONObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return json.Valid([]byte(s))
		}
		return false
	}
	return false
}
