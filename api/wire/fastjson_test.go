package wire

import (
	"testing"

	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/runtime/session"
)

var decodeSeeds = []string{
	`{"cid":"1","ping":{}}`,
	`{"ping":{}}`,
	` { "cid" : "7" , "rpc" : { "id" : "echo" , "payload" : "{\"a\":1}" } } `,
	`{"cid":"2","rpc":{"id":"x","httpKey":"k"}}`,
	`{"rpc":{"id":"\u00e9\ud83d\ude00\n\t\"\\\/"}}`,
	`{"match_data_send":{"match_id":"m.","op_code":"12","data":"aGVsbG8=","reliable":true}}`,
	`{"matchDataSend":{"matchId":"m.","opCode":-3,"data":"","reliable":false}}`,
	`{"match_data_send":{"match_id":"m.","op_code":"01"}}`,
	`{"match_data_send":{"match_id":"m.","data":"aGVsbG8"}}`,
	`{"match_data_send":{"match_id":"m.","presences":[{"session_id":"s"}]}}`,
	`{"cid":"1"}`, `{}`, `{"cid":1,"ping":{}}`, `{"ping":{},"ping":{}}`, `{"ping":{"x":1}}`,
	`{"rpc":{"id":"a","id":"b"}}`, `{"rpc":{"id":"\ud800"}}`, `{"rpc":{"id":"a"}}x`,
	`{"match_data_send":{"reliable":truex}}`, `{"match_create":{"name":"x"}}`, "{\"rpc\":{\"id\":\"\xff\"}}",
}

// TestFastDecodeAgreesWithProtojson checks the hand-written decoder on the
// seeds: whenever it accepts a frame, protojson accepts it and decodes the
// same message.
func TestFastDecodeAgreesWithProtojson(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, []byte(s))
	}
	var fast int
	for _, s := range decodeSeeds[:7] {
		var e rtapi.Envelope
		if decodeEnvelopeJSON([]byte(s), &e) {
			fast++
		}
	}
	if fast != 7 {
		t.Fatalf("the fast path took %d of the 7 common frames", fast)
	}
}

func checkDecode(t *testing.T, b []byte) {
	t.Helper()
	var fast, slow rtapi.Envelope
	if !decodeEnvelopeJSON(b, &fast) {
		return
	}
	if err := socketUnmarshal.Unmarshal(b, &slow); err != nil {
		t.Fatalf("fast path accepted %q, protojson refuses it: %v", b, err)
	}
	if !proto.Equal(&fast, &slow) {
		t.Fatalf("%q: fast path decoded %v, protojson %v", b, &fast, &slow)
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecode)
}

// TestFastEncodeRoundTrips checks that what the fast encoder writes decodes
// (with protojson) to the same message.
func TestFastEncodeRoundTrips(t *testing.T) {
	envs := []*rtapi.Envelope{
		{Cid: "3", Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "echo", Payload: "{\"a\":\"\u2028<>&\x01\"}"}}},
		{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{}}},
		{Cid: "9", Message: &rtapi.Envelope_Pong{Pong: &rtapi.Pong{}}},
		{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{
			MatchId: "m.x", OpCode: -42, Data: []byte{0, 1, 254, 255}, Reliable: true,
			Presence: &rtapi.UserPresence{UserId: "u", SessionId: "s", Username: "n\"ame", Persistence: true}}}},
		{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{MatchId: "m."}}},
	}
	for _, env := range envs {
		b, err := Codec{}.Encode(env, session.JSON)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := appendEnvelopeJSON(nil, env); !ok {
			t.Fatalf("%v did not take the fast path", env)
		}
		var got rtapi.Envelope
		if err := socketUnmarshal.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !proto.Equal(&got, env) {
			t.Fatalf("%s decodes to %v, want %v", b, &got, env)
		}
	}
	// Invalid UTF-8 is protojson's to refuse.
	bad := &rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "\xff"}}}
	if _, err := (Codec{}).Encode(bad, session.JSON); err == nil {
		t.Fatal("invalid UTF-8 encoded")
	}
}

func BenchmarkDecodeRPC(b *testing.B) {
	frame := []byte(`{"cid":"12","rpc":{"id":"echo","payload":"{\"ping\":\"pong\"}"}}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var e rtapi.Envelope
			decodeEnvelopeJSON(frame, &e)
		}
	})
	b.Run("protojson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var e rtapi.Envelope
			_ = socketUnmarshal.Unmarshal(frame, &e)
		}
	})
}

func BenchmarkEncodeMatchData(b *testing.B) {
	env := &rtapi.Envelope{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{
		MatchId: "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f.arbiter", OpCode: 1, Data: []byte("0123456789abcdef0123456789abcdef"),
		Presence: &rtapi.UserPresence{UserId: "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f", SessionId: "6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f", Username: "player"}}}}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendEnvelopeJSON(nil, env)
		}
	})
	b.Run("protojson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = marshal.Marshal(env)
		}
	})
}
