package main

import (
	"encoding/json"
	"testing"

	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"
)

// FuzzMatchDataFastPath checks the tool's quick match_data decoder against
// protojson: whatever both accept, spelled with the exact keys the server
// writes, must decode to the same envelope, and no input makes it panic.
// (encoding/json matches keys without regard to case, protojson does not;
// the server only writes the exact names.)
func FuzzMatchDataFastPath(f *testing.F) {
	f.Add([]byte(`{"match_data":{"match_id":"m.n","presence":{"user_id":"u","session_id":"s","username":"n"},"op_code":"7","data":"MTIz","reliable":true}}`))
	f.Add([]byte(`{"match_data":{"match_id":"m."}}`))
	f.Add([]byte(`{"match_data":{"op_code":7}}`))
	f.Add([]byte(`{"match_data":null}`))
	f.Add([]byte(`{"match_presence_event":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, slow rtapi.Envelope
		if !unmarshalMatchData(data, &fast) {
			return
		}
		if jsonIn.Unmarshal(data, &slow) != nil || !exactKeys(data) {
			return // the tool only reads what the server writes
		}
		if !proto.Equal(&fast, &slow) {
			t.Fatalf("%s: fast %v, protojson %v", data, &fast, &slow)
		}
	})
}

// matchDataKeys are the keys of a match_data push as the server spells them.
var matchDataKeys = map[string]bool{"match_data": true, "match_id": true, "presence": true, "user_id": true,
	"session_id": true, "username": true, "op_code": true, "data": true, "reliable": true}

// exactKeys reports whether every object key in the JSON data is one of
// matchDataKeys, spelled exactly.
func exactKeys(data []byte) bool {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return true
		}
		for k, e := range m {
			if !matchDataKeys[k] || !walk(e) {
				return false
			}
		}
		return true
	}
	return walk(v)
}

// FuzzStamp checks that parseStamp reads back what stamp writes and never
// panics on other payloads.
func FuzzStamp(f *testing.F) {
	f.Add(int64(1763780000000000000), 3, 17, 64, []byte("1 2 3"))
	f.Add(int64(0), 0, 0, 0, []byte("x y z...."))
	f.Fuzz(func(t *testing.T, sent int64, player, seq, size int, other []byte) {
		parseStamp(other)
		if sent < 0 || player < 0 || seq < 0 || size > 4096 {
			return
		}
		s, p, q, ok := parseStamp(stamp(nil, sent, player, seq, size))
		if !ok || s != sent || p != player || q != seq {
			t.Fatalf("stamp(%d, %d, %d, %d) read back as %d %d %d %v", sent, player, seq, size, s, p, q, ok)
		}
	})
}

// FuzzProc feeds arbitrary bytes to the /proc parsers: they may refuse
// them but must not panic.
func FuzzProc(f *testing.F) {
	f.Add([]byte("1234 (arbiter) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"))
	f.Add([]byte("VmRSS:\t  1024 kB\nVmHWM:\t2048 kB\n"))
	f.Add([]byte("Max open files            20000                20000                files\n"))
	f.Add([]byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1CC0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = parseStat(data)
		_ = parseStatus(data)
		_ = listenInodes(data, 7360)
		_ = parseMaxOpenFiles(data)
	})
}
