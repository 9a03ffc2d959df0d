package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
	"google.golang.org/protobuf/proto"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// BenchmarkSocketRPC measures round trips of the sample echo RPC (Lua)
// over sockets: 64 sockets in a closed loop, each waiting for its answer
// before it sends again. ns/op is per RPC across all sockets.
func BenchmarkSocketRPC(b *testing.B) {
	s := startServer(b, serverOptions{Modules: []string{"../../modules"}, Config: func(c *app.Config) {
		c.LogLevel = "warn"
	}})
	const sockets = 64
	conns := make([]*websocket.Conn, sockets)
	for i := range conns {
		conns[i] = dialProtobuf(b, s, fmt.Sprintf("bench-rpc-device-%06d", i))
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/sockets + 1
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				env := &rtapi.Envelope{Cid: strconv.Itoa(i), Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "echo", Payload: `{"n":1}`}}}
				frame, _ := proto.Marshal(env)
				if err := c.WriteMessage(websocket.BinaryMessage, frame); err != nil {
					b.Error(err)
					return
				}
				_, reply, err := c.ReadMessage()
				if err != nil {
					b.Error(err)
					return
				}
				var got rtapi.Envelope
				if proto.Unmarshal(reply, &got) != nil || got.GetRpc().GetPayload() != `{"n":1}` {
					b.Errorf("reply %v", &got)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(per*sockets)/b.Elapsed().Seconds(), "rpc/s")
}

// dialProtobuf authenticates a device and opens a protobuf socket.
func dialProtobuf(tb testing.TB, s *server, device string) *websocket.Conn {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"id": device})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v2/account/authenticate/device?create=true", bytes.NewReader(body))
	req.SetBasicAuth("defaultkey", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var sess struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&sess); err != nil || sess.Token == "" {
		tb.Fatalf("authenticate: %v %d", err, resp.StatusCode)
	}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+s.Host+":"+s.Port+"/ws?format=protobuf&token="+sess.Token, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
