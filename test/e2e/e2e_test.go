package e2e

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// TestNakamaJS runs every JavaScript test file with Nakama's official client
// against a server on each store.
func TestNakamaJS(t *testing.T) {
	requireNode(t)
	files := testFiles(t)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, serverOptions{Store: b.open(t)})
			runNode(t, s, files...)
		})
	}
}

// TestDataSurvivesRestart writes through one server, stops it and reads
// through a new one on the same data. With SQLite the second server reopens
// the file; with PostgreSQL it runs on the same schema. Accounts, objects,
// the signing keys and logouts must all carry over.
func TestDataSurvivesRestart(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			opts := serverOptions{DataDir: t.TempDir(), Store: b.open(t)}

			first := startServer(t, opts)
			c := newClient(t, first)
			device := "restart-" + runtime.NewUUID().String()
			auth := c.ok("POST", "/v2/account/authenticate/device?username=restarted", "", map[string]any{"id": device})
			if auth["created"] != true {
				t.Fatalf("first authenticate: created = %v, want true", auth["created"])
			}
			token := str(auth, "token")
			account := c.ok("GET", "/v2/account", token, nil)
			userID := str(account, "user.id")
			value := `{"level":7,"items":["sword"]}`
			acks := c.ok("PUT", "/v2/storage", token, map[string]any{"objects": []any{
				map[string]any{"collection": "saves", "key": "slot1", "value": value, "permission_read": 2},
			}})
			version := str(acks, "acks.0.version")
			if version != runtime.ObjectVersion(value) {
				t.Fatalf("write ack version = %q, want %q", version, runtime.ObjectVersion(value))
			}
			// A second session, logged out before the restart.
			revoked := str(c.ok("POST", "/v2/account/authenticate/device", "", map[string]any{"id": device}), "token")
			c.ok("POST", "/v2/session/logout", revoked, map[string]any{"token": revoked})
			first.stop(t)

			second := startServer(t, opts)
			c = newClient(t, second)
			again := c.ok("POST", "/v2/account/authenticate/device", "", map[string]any{"id": device})
			if _, ok := again["created"]; ok {
				t.Errorf("authenticate after restart: created = %v, want absent", again["created"])
			}
			if got := str(c.ok("GET", "/v2/account", str(again, "token"), nil), "user.id"); got != userID {
				t.Errorf("user after restart = %q, want %q", got, userID)
			}
			// The token issued before the restart still works; the logged-out one does not.
			account = c.ok("GET", "/v2/account", token, nil)
			if got := str(account, "user.username"); got != "restarted" {
				t.Errorf("username after restart = %q, want restarted", got)
			}
			if r := c.do("GET", "/v2/account", revoked, nil); r.Status != http.StatusUnauthorized {
				t.Errorf("logged-out token after restart: status %d, want 401 (%v)", r.Status, r.Body)
			}
			read := c.ok("POST", "/v2/storage", token, map[string]any{"object_ids": []any{
				map[string]any{"collection": "saves", "key": "slot1", "user_id": userID},
			}})
			if got := str(read, "objects.0.version"); got != version {
				t.Errorf("version after restart = %q, want %q (%v)", got, version, read)
			}
			if got := str(read, "objects.0.value"); !sameJSON(t, got, value) {
				t.Errorf("value after restart = %s, want %s", got, value)
			}
			list := c.ok("GET", "/v2/storage/saves?user_id="+url.QueryEscape(userID), token, nil)
			if got := str(list, "objects.0.key"); got != "slot1" {
				t.Errorf("listing after restart = %v, want slot1", list)
			}
		})
	}
}
