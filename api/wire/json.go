package wire

import (
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// JSON options. Nakama writes proto field names (snake_case) and enums as
// numbers, leaves out default values, and writes int64 as strings and bytes
// as base64 (protojson does both). REST input ignores unknown fields, as the
// gateway does; socket input does not.
var (
	marshal = protojson.MarshalOptions{UseProtoNames: true, UseEnumNumbers: true}

	restUnmarshal   = protojson.UnmarshalOptions{DiscardUnknown: true}
	socketUnmarshal = protojson.UnmarshalOptions{DiscardUnknown: false}
)

// MarshalJSON encodes m as Nakama does.
func MarshalJSON(m proto.Message) ([]byte, error) { return marshal.Marshal(m) }

// AppendJSON appends the JSON encoding of m to b.
func AppendJSON(b []byte, m proto.Message) ([]byte, error) { return marshal.MarshalAppend(b, m) }

// UnmarshalREST decodes a REST body into m, ignoring unknown fields.
func UnmarshalREST(b []byte, m proto.Message) error { return restUnmarshal.Unmarshal(b, m) }

// UnmarshalSocket decodes a socket text frame into m.
func UnmarshalSocket(b []byte, m proto.Message) error { return socketUnmarshal.Unmarshal(b, m) }
