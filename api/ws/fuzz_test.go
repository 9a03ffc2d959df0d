package ws

import (
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// fuzzProcess feeds one frame to the pipeline of a socket with no network:
// whatever the frame, the pipeline must answer or close, never panic.
func fuzzProcess(f *testing.F, format session.Format, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	srv := newServer(&testing.T{}, Config{})
	cfg, _ := Config{}.withDefaults()
	f.Fuzz(func(t *testing.T, frame []byte) {
		c := newConn(nil, nil, &sync.Mutex{}, &cfg)
		c.sess = session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(), Format: format}, c)
		srv.handler.d.Pipeline.process(c, frame)
		srv.tracker.UntrackAll(c.sess, session.ReasonDisconnect)
		srv.handler.d.Status.UnfollowAll(c.sess)
	})
}

func FuzzProcessJSON(f *testing.F) {
	fuzzProcess(f, session.JSON,
		`{"cid":"1","ping":{}}`,
		`{"cid":"2","match_create":{"name":"x"}}`,
		`{"cid":"3","match_join":{"match_id":"6c3a4a2e-7a1b-4d7e-9f55-0a1b2c3d4e5f."}}`,
		`{"match_data_send":{"match_id":"x.","op_code":"1","data":"aGk="}}`,
		`{"cid":"4","status_update":{"status":"hi"}}`,
		`{"cid":"5","status_follow":{"user_ids":["bad"]}}`,
		`{"cid":"6","rpc":{"id":"x","payload":"{}"}}`,
		`{"cid":"7"}`, `{}`, `[]`, `null`, `{"cid":1}`)
}

func FuzzProcessProtobuf(f *testing.F) {
	fuzzProcess(f, session.Protobuf,
		"\x0a\x011\xba\x01\x00",      // cid "1", ping
		"\x0a\x012\x6a\x03\x0a\x01x", // match_create{name:"x"}
		"\x0a\x013",                  // cid only
		"\xff\xff\xff\xff", "", "\x08\x96\x01")
}
