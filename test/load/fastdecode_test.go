package main

import (
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"
)

// TestMatchDataFastPath checks that the tool's quick decoding of match_data
// pushes gives what protojson gives.
func TestMatchDataFastPath(t *testing.T) {
	envs := []*rtapi.Envelope{
		{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{MatchId: "m.n", OpCode: 7, Data: []byte("123 0 4...."), Reliable: true,
			Presence: &rtapi.UserPresence{UserId: "u", SessionId: "s", Username: "n"}}}},
		{Message: &rtapi.Envelope_MatchData{MatchData: &rtapi.MatchData{MatchId: "m."}}},
	}
	for _, env := range envs {
		b, err := jsonOut.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		var fast, slow rtapi.Envelope
		if !unmarshalMatchData(b, &fast) {
			t.Fatalf("%s: fast path refused", b)
		}
		if err := jsonIn.Unmarshal(b, &slow); err != nil || !proto.Equal(&fast, &slow) {
			t.Fatalf("%s: fast %v, protojson %v (%v)", b, &fast, &slow, err)
		}
	}
	var e rtapi.Envelope
	if unmarshalMatchData([]byte(`{"match_presence_event":{}}`), &e) {
		t.Fatal("took another message")
	}
}
