package e2e

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/heroiclabs/nakama-common/api"
	"github.com/heroiclabs/nakama-common/rtapi"
)

// langModule answers with the language of the RPC's context.
const langModule = `local nk = require("nakama")
nk.register_rpc(function(context, payload)
  return tostring(context.lang)
end, "context_lang")
`

// TestSocketLangReachesLua checks that the lang parameter of /ws reaches a
// Lua RPC's context as context.lang, "en" when absent, as in Nakama.
func TestSocketLangReachesLua(t *testing.T) {
	dir := t.TempDir()
	writeText(t, dir, "lang.lua", langModule)
	s := startServer(t, serverOptions{Modules: []string{filepath.Join(dir, "lang.lua")}})
	c := newClient(t, s)
	token := str(c.ok("POST", "/v2/account/authenticate/device?create=true", "", map[string]string{"id": "lang-device-0001"}), "token")
	if token == "" {
		t.Fatal("no session token")
	}
	cases := []struct {
		name string
		lang string // "-": no parameter
		want string
	}{
		{"absent", "-", "en"},
		{"fr", "fr", "fr"},
		{"region", "pt-BR", "pt-BR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"format": {"protobuf"}, "token": {token}}
			if tc.lang != "-" {
				q.Set("lang", tc.lang)
			}
			ws, _, err := websocket.DefaultDialer.Dial("ws://"+s.Host+":"+s.Port+"/ws?"+q.Encode(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			so := newSocket(t, ws)
			env := so.request(&rtapi.Envelope{Message: &rtapi.Envelope_Rpc{Rpc: &api.Rpc{Id: "context_lang"}}})
			if got := env.GetRpc().GetPayload(); got != tc.want {
				t.Fatalf("context.lang = %q (answer %v), want %q", got, env, tc.want)
			}
		})
	}
}
