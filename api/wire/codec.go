package wire

import (
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime/session"
)

// Codec encodes and decodes realtime envelopes in both wire formats. It
// implements session.Codec.
type Codec struct{}

var protoMarshal = proto.MarshalOptions{}

// Encode returns env in format f.
func (Codec) Encode(env *rtapi.Envelope, f session.Format) ([]byte, error) {
	if f == session.Protobuf {
		return protoMarshal.Marshal(env)
	}
	if b, ok := appendEnvelopeJSON(make([]byte, 0, jsonSizeHint(env)), env); ok {
		return b, nil
	}
	return marshal.Marshal(env)
}

// Decode parses a client frame in format f into env.
func (Codec) Decode(frame []byte, f session.Format, env *rtapi.Envelope) error {
	if f == session.Protobuf {
		return proto.Unmarshal(frame, env)
	}
	if decodeEnvelopeJSON(frame, env) {
		return nil
	}
	return socketUnmarshal.Unmarshal(frame, env)
}
