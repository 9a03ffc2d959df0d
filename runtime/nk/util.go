package nk

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// The utility group: JSON, UUIDs, time, encodings and hashes. None uses a
// service.

func (a *API) utilFuncs() []*Func {
	return append(append(jsonFuncs(), codecFuncs()...), hashFuncs()...)
}

func inputParam(doc string) Param { return Param{Name: "input", Type: TypeBytes, Doc: doc} }

func jsonFuncs() []*Func {
	return []*Func{
		{
			Name: "json_encode",
			Doc:  "Encodes a value as JSON: tables with keys as objects (keys sorted), lists as arrays, an empty table as {}, integral numbers as integers; <, > and & are escaped.",
			Params: []Param{{Name: "value", Type: TypeAny,
				Doc: "The value to encode; nil encodes as null. Functions encode as their description."}},
			Results: []Result{{Name: "json", Type: TypeString, Doc: "The JSON text."}},
			Run:     runJSONEncode,
		},
		{
			Name:    "json_decode",
			Doc:     "Decodes JSON text: objects as tables with keys (null members left out), arrays as lists, numbers as numbers, null as nil.",
			Params:  []Param{{Name: "json", Type: TypeString, Doc: "The JSON text; must not be empty."}},
			Results: []Result{{Name: "value", Type: TypeAny, Nilable: true, Doc: "The decoded value."}},
			Run:     runJSONDecode,
		},
		{
			Name:    "uuid_v4",
			Doc:     "Returns a new random (version 4) UUID.",
			Results: []Result{{Name: "uuid", Type: TypeString, Doc: "The UUID in canonical form (36 characters)."}},
			Run:     func(*Call, []any) ([]any, error) { return []any{runtime.NewUUID().String()}, nil },
		},
		{
			Name: "uuid_bytes_to_string",
			Doc:  "Converts a 16-byte UUID to its canonical string form.",
			Params: []Param{{Name: "uuid_bytes", Type: TypeBytes,
				Doc: "The 16 bytes of the UUID."}},
			Results: []Result{{Name: "uuid", Type: TypeString, Doc: "The UUID in canonical form."}},
			Run:     runUUIDBytesToString,
		},
		{
			Name:    "uuid_string_to_bytes",
			Doc:     "Converts a UUID string to its 16 bytes.",
			Params:  []Param{{Name: "uuid", Type: TypeString, Doc: "The UUID in canonical form."}},
			Results: []Result{{Name: "uuid_bytes", Type: TypeBytes, Doc: "The 16 bytes of the UUID."}},
			Run:     runUUIDStringToBytes,
		},
		{
			Name: "time",
			Doc:  "Returns the current time, or the time a date table describes, as UTC unix milliseconds.",
			Params: []Param{{Name: "date", Type: TypeTable, Optional: true,
				Doc: "A table {year, month, day, hour?, min?, sec?, msec?} read as UTC (hour defaults to 12, min, sec and msec to 0); nil for now."}},
			Results: []Result{{Name: "time", Type: TypeInt, Doc: "UTC unix milliseconds."}},
			Run:     runTime,
		},
	}
}

func runJSONEncode(_ *Call, args []any) ([]any, error) {
	b, err := encodeJSON(args[0])
	if err != nil {
		return nil, Errorf("error encoding to JSON: %v", err)
	}
	return []any{string(b)}, nil
}

func runJSONDecode(_ *Call, args []any) ([]any, error) {
	s := args[0].(string)
	if s == "" {
		return nil, badArg("json_decode", 1, "expects JSON string")
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, Errorf("not a valid JSON string: %v", err)
	}
	return []any{v}, nil
}

func runUUIDBytesToString(_ *Call, args []any) ([]any, error) {
	b := args[0].([]byte)
	if len(b) == 0 {
		return nil, badArg("uuid_bytes_to_string", 1, "expects a UUID byte string")
	}
	if len(b) != 16 {
		return nil, badArg("uuid_bytes_to_string", 1, "not a valid UUID byte string")
	}
	var u runtime.UUID
	copy(u[:], b)
	return []any{u.String()}, nil
}

func runUUIDStringToBytes(_ *Call, args []any) ([]any, error) {
	s := args[0].(string)
	if s == "" {
		return nil, badArg("uuid_string_to_bytes", 1, "expects a UUID string")
	}
	u, ok := runtime.ParseUUID(s)
	if !ok {
		return nil, badArg("uuid_string_to_bytes", 1, "not a valid UUID string")
	}
	return []any{u[:]}, nil
}

func runTime(_ *Call, args []any) ([]any, error) {
	if args[0] == nil {
		return []any{time.Now().UnixMilli()}, nil
	}
	m, _ := args[0].(map[string]any)
	field := func(name string, def int) int {
		switch x := m[name].(type) {
		case int64:
			return int(x)
		case float64:
			return int(x)
		}
		return def
	}
	t := time.Date(field("year", -1), time.Month(field("month", -1)), field("day", -1),
		field("hour", 12), field("min", 0), field("sec", 0), field("msec", 0)*int(time.Millisecond), time.UTC)
	return []any{t.UnixMilli()}, nil
}

func codecFuncs() []*Func {
	pad := func(def bool, doc string) Param {
		return Param{Name: "padding", Type: TypeBool, Optional: true, Default: def, Doc: doc}
	}
	return []*Func{
		{
			Name:    "base64_encode",
			Doc:     "Encodes bytes as standard base64.",
			Params:  []Param{inputParam("The bytes to encode; must not be empty."), pad(true, "Whether to pad the output with '='. Default true.")},
			Results: []Result{{Name: "output", Type: TypeString, Doc: "The base64 text."}},
			Run:     runEncode("base64_encode", base64.StdEncoding, base64.RawStdEncoding),
		},
		{
			Name:    "base64_decode",
			Doc:     "Decodes standard base64.",
			Params:  []Param{inputParam("The base64 text; must not be empty."), pad(true, "Whether to add missing '=' padding before decoding. Default true.")},
			Results: []Result{{Name: "output", Type: TypeBytes, Doc: "The decoded bytes."}},
			Run:     runDecode("base64_decode", base64.StdEncoding, true, "not a valid base64 string: %v"),
		},
		{
			Name:    "base64url_encode",
			Doc:     "Encodes bytes as URL-safe base64.",
			Params:  []Param{inputParam("The bytes to encode; must not be empty."), pad(true, "Whether to pad the output with '='. Default true.")},
			Results: []Result{{Name: "output", Type: TypeString, Doc: "The base64url text."}},
			Run:     runEncode("base64url_encode", base64.URLEncoding, base64.RawURLEncoding),
		},
		{
			Name:    "base64url_decode",
			Doc:     "Decodes URL-safe base64.",
			Params:  []Param{inputParam("The base64url text; must not be empty."), pad(false, "Whether the input is already padded; false adds missing '=' padding before decoding. Default false.")},
			Results: []Result{{Name: "output", Type: TypeBytes, Doc: "The decoded bytes."}},
			Run:     runDecode("base64url_decode", base64.URLEncoding, false, "not a valid base64 url string: %v"),
		},
		{
			Name:    "base16_encode",
			Doc:     "Encodes bytes as lower-case hexadecimal.",
			Params:  []Param{inputParam("The bytes to encode; must not be empty.")},
			Results: []Result{{Name: "output", Type: TypeString, Doc: "The hexadecimal text."}},
			Run:     runBase16Encode,
		},
		{
			Name:    "base16_decode",
			Doc:     "Decodes hexadecimal.",
			Params:  []Param{inputParam("The hexadecimal text; must not be empty.")},
			Results: []Result{{Name: "output", Type: TypeBytes, Doc: "The decoded bytes."}},
			Run:     runBase16Decode,
		},
	}
}

func nonEmpty(name string, args []any, msg string) ([]byte, error) {
	b := args[0].([]byte)
	if len(b) == 0 {
		return nil, badArg(name, 1, msg)
	}
	return b, nil
}

func runEncode(name string, padded, raw *base64.Encoding) func(*Call, []any) ([]any, error) {
	return func(_ *Call, args []any) ([]any, error) {
		b, err := nonEmpty(name, args, "expects string")
		if err != nil {
			return nil, err
		}
		enc := padded
		if !args[1].(bool) {
			enc = raw
		}
		return []any{enc.EncodeToString(b)}, nil
	}
}

// runDecode decodes with enc after padding the input to a multiple of four
// when the padding argument equals padWhen (Nakama's two functions differ).
func runDecode(name string, enc *base64.Encoding, padWhen bool, errFormat string) func(*Call, []any) ([]any, error) {
	return func(_ *Call, args []any) ([]any, error) {
		b, err := nonEmpty(name, args, "expects string")
		if err != nil {
			return nil, err
		}
		s := string(b)
		if args[1].(bool) == padWhen && len(s)%4 != 0 {
			s += strings.Repeat("=", 4-len(s)%4)
		}
		out, err := enc.DecodeString(s)
		if err != nil {
			return nil, Errorf(errFormat, err)
		}
		return []any{out}, nil
	}
}

func runBase16Encode(_ *Call, args []any) ([]any, error) {
	b, err := nonEmpty("base16_encode", args, "expects string")
	if err != nil {
		return nil, err
	}
	return []any{hex.EncodeToString(b)}, nil
}

func runBase16Decode(_ *Call, args []any) ([]any, error) {
	b, err := nonEmpty("base16_decode", args, "expects string")
	if err != nil {
		return nil, err
	}
	out, err := hex.DecodeString(string(b))
	if err != nil {
		return nil, Errorf("not a valid base16 string: %v", err)
	}
	return []any{out}, nil
}

func hashFuncs() []*Func {
	return []*Func{
		{
			Name:    "md5_hash",
			Doc:     "Returns the MD5 hash of the input as lower-case hexadecimal.",
			Params:  []Param{inputParam("The bytes to hash; must not be empty.")},
			Results: []Result{{Name: "hash", Type: TypeString, Doc: "32 hexadecimal characters."}},
			Run:     runMD5,
		},
		{
			Name:    "sha256_hash",
			Doc:     "Returns the SHA-256 hash of the input as lower-case hexadecimal.",
			Params:  []Param{inputParam("The bytes to hash; must not be empty.")},
			Results: []Result{{Name: "hash", Type: TypeString, Doc: "64 hexadecimal characters."}},
			Run:     runSHA256,
		},
		{
			Name: "hmac_sha256_hash",
			Doc:  "Returns the HMAC-SHA256 of the input with key, as raw bytes (not hexadecimal), as Nakama does.",
			Params: []Param{
				inputParam("The bytes to authenticate; must not be empty."),
				{Name: "key", Type: TypeBytes, Doc: "The secret key; must not be empty."},
			},
			Results: []Result{{Name: "mac", Type: TypeBytes, Doc: "The 32 bytes of the MAC."}},
			Run:     runHMAC,
		},
	}
}

func runMD5(_ *Call, args []any) ([]any, error) {
	b, err := nonEmpty("md5_hash", args, "expects input string")
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(b)
	return []any{hex.EncodeToString(sum[:])}, nil
}

func runSHA256(_ *Call, args []any) ([]any, error) {
	b, err := nonEmpty("sha256_hash", args, "expects input string")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return []any{hex.EncodeToString(sum[:])}, nil
}

func runHMAC(_ *Call, args []any) ([]any, error) {
	b, err := nonEmpty("hmac_sha256_hash", args, "expects input string")
	if err != nil {
		return nil, err
	}
	key := args[1].([]byte)
	if len(key) == 0 {
		return nil, badArg("hmac_sha256_hash", 2, "expects key string")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	return []any{mac.Sum(nil)}, nil
}
