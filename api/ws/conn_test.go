package ws

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWriterEndsWhenPingFails checks that a writer whose ping fails while
// frames are queued finishes the connection rather than looping over
// frames it will never write.
func TestWriterEndsWhenPingFails(t *testing.T) {
	got := make(chan *websocket.Conn, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := websocket.Upgrader{}
		if c, err := u.Upgrade(w, r, nil); err == nil {
			got <- c
		}
	}))
	defer hs.Close()
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	wsConn := <-got
	raw := wsConn.NetConn()
	cfg, _ := Config{}.withDefaults()
	c := newConn(wsConn, raw, &sync.Mutex{}, &cfg)
	c.queue, c.queued, c.pingDue = [][]byte{[]byte("frame")}, 5, true
	raw.Close() // every write fails from now on
	c.start()
	select {
	case <-c.writerEnd:
	case <-time.After(5 * time.Second):
		t.Fatal("the writer did not finish the connection after its ping failed")
	}
	if r := c.reason(); r != reasonWriteFailed {
		t.Fatalf("close reason %q, want %q", r, reasonWriteFailed)
	}
}
