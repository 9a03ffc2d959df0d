package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"
)

func TestStampRoundTrip(t *testing.T) {
	tests := []struct {
		sent         int64
		player, seq  int
		size, length int
	}{
		{123456789, 3, 42, 0, len("123456789 3 42")},
		{0, 0, 0, 0, len("0 0 0")},
		{987654321012, 63, 99999, 200, 200},
	}
	for _, tt := range tests {
		data := stamp(nil, tt.sent, tt.player, tt.seq, tt.size)
		if len(data) != tt.length {
			t.Errorf("stamp length %d, want %d", len(data), tt.length)
		}
		s, p, q, ok := parseStamp(data)
		if !ok || s != tt.sent || p != tt.player || q != tt.seq {
			t.Errorf("parseStamp(%q) = %d %d %d %v", data, s, p, q, ok)
		}
	}
	for _, bad := range []string{"", "1 2", "a b c", "1 2 3 4", "-1 2 3", "1 2 x..."} {
		if _, _, _, ok := parseStamp([]byte(bad)); ok {
			t.Errorf("parseStamp(%q) accepted", bad)
		}
	}
}

func TestMatchIDFrom(t *testing.T) {
	tests := []struct {
		payload, want, err string
	}{
		{`{"match_id":"0b4e4d1e-7c55-4b3b-9b8e-1e1f3f2a9d10.arbiter"}`, "0b4e4d1e-7c55-4b3b-9b8e-1e1f3f2a9d10.arbiter", ""},
		{"0b4e4d1e-7c55-4b3b-9b8e-1e1f3f2a9d10.nakama", "0b4e4d1e-7c55-4b3b-9b8e-1e1f3f2a9d10.nakama", ""},
		{`{"matchid":"x.y"}`, "", "not a match id"},
		{`{"match_id":`, "", "answered"},
		{"", "", "not a match id"},
	}
	for _, tt := range tests {
		got, err := matchIDFrom(tt.payload)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("matchIDFrom(%q) err = %v, want %q", tt.payload, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("matchIDFrom(%q) = %q, %v", tt.payload, got, err)
		}
	}
}

// TestCodec checks the envelopes on the wire: protojson with proto field
// names, int64 as strings and bytes as base64, or protobuf.
func TestCodec(t *testing.T) {
	env := &rtapi.Envelope{Cid: "7", Message: &rtapi.Envelope_MatchDataSend{MatchDataSend: &rtapi.MatchDataSend{
		MatchId: "m.arbiter", OpCode: 1, Data: []byte("hi")}}}
	js := codec{}
	data, err := js.marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(string(data)), "")
	want := `{"cid":"7","match_data_send":{"match_id":"m.arbiter","op_code":"1","data":"aGk="}}`
	if compact != want {
		t.Fatalf("json = %s, want %s", compact, want)
	}
	var back rtapi.Envelope
	// Unknown fields from a newer server are ignored.
	if err := js.unmarshal([]byte(`{"cid":"7","rpc":{"id":"echo","payload":"x"},"new_field":1}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.GetRpc().GetPayload() != "x" {
		t.Fatalf("rpc = %v", back.GetRpc())
	}
	pb := codec{protobuf: true}
	data, err = pb.marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	var got rtapi.Envelope
	if err := pb.unmarshal(data, &got); err != nil || !proto.Equal(&got, env) {
		t.Fatalf("protobuf round trip: %v, %v", &got, err)
	}
	if js.frameType() == pb.frameType() {
		t.Fatal("json and protobuf must use different frame types")
	}
}

func TestDescribeErr(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&httpError{Status: 401, Message: "Server key invalid"}, "HTTP 401: Server key invalid"},
		{&rtError{Code: 6, Message: "RPC function not found"}, "error envelope 6 (RUNTIME_FUNCTION_NOT_FOUND): RPC function not found"},
		{errReplyTimeout, "timeout: no reply in time"},
	}
	for _, tt := range tests {
		if got := describeErr(tt.err); got != tt.want {
			t.Errorf("describeErr(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestRestMessage(t *testing.T) {
	if got := restMessage([]byte(`{"code":16,"message":"Server key invalid"}`)); got != "Server key invalid" {
		t.Fatal(got)
	}
	if got := restMessage([]byte("  plain text\n")); got != "plain text" {
		t.Fatal(got)
	}
}

func TestModule(t *testing.T) {
	src := string(loadechoModule)
	for _, want := range []string{`nk.register_rpc(create, "loadecho_create")`, `nk.match_create("loadecho"`,
		"function M.match_loop", "dispatcher.broadcast_message(m.op_code, m.data)", "return M"} {
		if !strings.Contains(src, want) {
			t.Errorf("module lacks %q", want)
		}
	}
	dir := filepath.Join(t.TempDir(), "mods")
	path, err := writeModule(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "loadecho.lua" {
		t.Fatalf("path %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != src {
		t.Fatalf("written module differs: %v", err)
	}
}

func TestRunExitCodes(t *testing.T) {
	var out, errOut strings.Builder
	if code := run([]string{"-print-module"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "loadecho_create") {
		t.Fatalf("-print-module: code %d, out %q", code, clip(out.String(), 60))
	}
	errOut.Reset()
	if code := run([]string{"-scenario", "rpc", "-addr", "10.1.2.3:7350"}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "refusing a non-loopback target") {
		t.Fatalf("non-loopback: code %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"-scenario", "nope"}, &out, &errOut); code != 2 {
		t.Fatalf("bad flag: code %d", code)
	}
}

func TestTally(t *testing.T) {
	ty := newTally()
	ty.add("b", 2)
	ty.add("a", 1)
	ty.add("b", 1)
	if got := ty.String(); got != "1 × a; 3 × b" {
		t.Fatalf("String = %q", got)
	}
	if m := ty.snapshot(); len(m) != 2 || m["b"] != 3 {
		t.Fatalf("snapshot = %v", m)
	}
}
