package rest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/arbiterhq/arbiter/api/rest"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

const (
	serverKey  = "test-server-key"
	sessionKey = "test-session-key"
	refreshKey = "test-refresh-key"
)

// fixture is the REST API over a real SQLite store in a temporary folder.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	tokens *auth.Tokens
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "arbiter.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	tokens, err := auth.New(ctx, auth.Config{
		SessionKey: sessionKey, RefreshKey: refreshKey,
		TokenExpiry: time.Minute, RefreshExpiry: time.Hour, Store: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := rest.New(rest.Deps{
		Accounts: account.New(account.Deps{
			Identities: store, Accounts: store, Tokens: tokens,
			BcryptCost: 4, // bcrypt.MinCost: these tests are not about hashing
		}),
		Objects:   object.New(store),
		Tokens:    tokens,
		ServerKey: serverKey,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, tokens: tokens}
}

// req is one HTTP request to the API.
type req struct {
	method, path string
	auth         []string // Authorization header values
	body         string
}

// reply is a decoded answer.
type reply struct {
	status      int
	contentType string
	body        map[string]any
	raw         string
}

func (f *fixture) do(r req) reply {
	f.t.Helper()
	hr, err := http.NewRequestWithContext(f.t.Context(), r.method, f.srv.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range r.auth {
		hr.Header.Add("Authorization", a)
	}
	res, err := f.srv.Client().Do(hr)
	if err != nil {
		f.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	out := reply{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), raw: string(raw)}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		f.t.Fatalf("%s %s: answer is not a JSON object: %q", r.method, r.path, raw)
	}
	return out
}

// ok sends r and requires 200.
func (f *fixture) ok(r req) map[string]any {
	f.t.Helper()
	out := f.do(r)
	if out.status != http.StatusOK {
		f.t.Fatalf("%s %s: status %d, want 200: %s", r.method, r.path, out.status, out.raw)
	}
	return out.body
}

func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

func bearer(token string) string { return "Bearer " + token }

// user is an account with a session.
type user struct {
	id, token, refresh string
}

// newUser authenticates a new device and returns its session.
func (f *fixture) newUser() user {
	f.t.Helper()
	body := f.ok(req{method: "POST", path: "/v2/account/authenticate/device", auth: []string{basic(serverKey)},
		body: `{"id":"` + runtime.NewUUID().String() + `"}`})
	u := user{token: body["token"].(string), refresh: body["refresh_token"].(string)}
	c, err := f.tokens.Verify(u.token)
	if err != nil {
		f.t.Fatalf("issued token does not verify: %v", err)
	}
	u.id = c.UserID
	return u
}

// sign signs claims with method and key, outside the server's Tokens.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tamper replaces the payload of a signed token, keeping its signature.
func tamper(t *testing.T, token string, change func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	change(claims)
	b, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// normalize undoes protojson's deliberate instability: its error messages
// begin "proto:" and then a space or a no-break space, chosen per binary.
func normalize(msg string) string { return strings.ReplaceAll(msg, "\u00a0", " ") }

// badCase is a request the API must refuse with a status, code and message.
type badCase struct {
	name string
	// build returns the request; it may create users and tokens.
	build func(f *fixture, u user) req
	// status, code and message are the expected answer.
	status  int
	code    runtime.Code
	message string
}

// runBad runs cases on one server and checks after each that the server
// still answers a valid request.
func runBad(t *testing.T, cases []badCase) {
	t.Helper()
	f := newFixture(t)
	u := f.newUser()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			r := c.build(f, u)
			got := f.do(r)
			if got.status != c.status || runtime.Code(num(got.body["code"])) != c.code || normalize(str(got.body["message"])) != c.message {
				t.Errorf("%s %s:\n got %d %s\nwant %d {\"code\":%d,\"message\":%q}", r.method, r.path, got.status, got.raw, c.status, c.code, c.message)
			}
			if got.contentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got.contentType)
			}
			if e, ok := got.body["error"]; ok && e != got.body["message"] {
				t.Errorf("error field %q differs from message %q", e, got.body["message"])
			}
			// The server keeps serving.
			f.ok(req{method: "GET", path: "/v2/account", auth: []string{bearer(u.token)}})
		})
	}
}

func num(v any) float64 { n, _ := v.(float64); return n }
func str(v any) string  { s, _ := v.(string); return s }

// fixed returns a build function for a request that needs no state.
func fixed(r req) func(*fixture, user) req { return func(*fixture, user) req { return r } }

// asUser returns a build function for a request with the user's token.
func asUser(method, path, body string) func(*fixture, user) req {
	return func(_ *fixture, u user) req {
		return req{method: method, path: path, auth: []string{bearer(u.token)}, body: body}
	}
}

// authenticate returns a build function for an authenticate request.
func authenticate(kind, query, body string) func(*fixture, user) req {
	return fixed(req{method: "POST", path: "/v2/account/authenticate/" + kind + query, auth: []string{basic(serverKey)}, body: body})
}

func TestServerKey(t *testing.T) {
	const path = "/v2/account/authenticate/device"
	const body = `{"id":"device-0123456789"}`
	withAuth := func(auth ...string) func(*fixture, user) req {
		return fixed(req{method: "POST", path: path, auth: auth, body: body})
	}
	required := "Server key required"
	invalid := "Server key invalid"
	runBad(t, []badCase{
		{"missing", withAuth(), 401, runtime.Unauthenticated, required},
		{"two headers", withAuth(basic(serverKey), basic(serverKey)), 401, runtime.Unauthenticated, required},
		{"wrong key", withAuth(basic("wrong")), 401, runtime.Unauthenticated, invalid},
		{"key as password", withAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(":"+serverKey))), 401, runtime.Unauthenticated, invalid},
		{"no colon", withAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(serverKey))), 401, runtime.Unauthenticated, invalid},
		{"not base64", withAuth("Basic %%%"), 401, runtime.Unauthenticated, invalid},
		{"url base64 unpadded", withAuth("Basic " + base64.RawURLEncoding.EncodeToString([]byte(serverKey+":x"))), 401, runtime.Unauthenticated, invalid},
		{"lower-case scheme", withAuth("basic " + base64.StdEncoding.EncodeToString([]byte(serverKey+":"))), 401, runtime.Unauthenticated, invalid},
		{"bearer token", func(_ *fixture, u user) req {
			return req{method: "POST", path: path, auth: []string{bearer(u.token)}, body: body}
		}, 401, runtime.Unauthenticated, invalid},
		{"refresh without key", fixed(req{method: "POST", path: "/v2/account/session/refresh", body: `{"token":"x"}`}),
			401, runtime.Unauthenticated, required},
	})
}

func TestBearer(t *testing.T) {
	now := time.Now()
	claims := func(u user, exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"tid": runtime.NewUUID().String(), "uid": u.id, "usn": "someone", "exp": exp.Unix(), "iat": now.Unix()}
	}
	withToken := func(token func(t *testing.T, f *fixture, u user) string) func(*fixture, user) req {
		return func(f *fixture, u user) req {
			return req{method: "GET", path: "/v2/account", auth: []string{bearer(token(f.t, f, u))}}
		}
	}
	invalid := "Auth token invalid"
	cases := []badCase{
		{"missing", fixed(req{method: "GET", path: "/v2/account"}), 401, runtime.Unauthenticated, "Auth token required"},
		{"empty", fixed(req{method: "GET", path: "/v2/account", auth: []string{""}}), 401, runtime.Unauthenticated, invalid},
		{"no scheme", func(_ *fixture, u user) req {
			return req{method: "GET", path: "/v2/account", auth: []string{u.token}}
		}, 401, runtime.Unauthenticated, invalid},
		{"lower-case scheme", func(_ *fixture, u user) req {
			return req{method: "GET", path: "/v2/account", auth: []string{"bearer " + u.token}}
		}, 401, runtime.Unauthenticated, invalid},
		{"two headers", func(_ *fixture, u user) req {
			return req{method: "GET", path: "/v2/account", auth: []string{bearer(u.token), bearer(u.token)}}
		}, 401, runtime.Unauthenticated, invalid},
		{"server key", fixed(req{method: "GET", path: "/v2/account", auth: []string{basic(serverKey)}}), 401, runtime.Unauthenticated, invalid},
		{"garbage", fixed(req{method: "GET", path: "/v2/account", auth: []string{bearer("garbage")}}), 401, runtime.Unauthenticated, invalid},
		{"three dots", fixed(req{method: "GET", path: "/v2/account", auth: []string{bearer("a.b.c")}}), 401, runtime.Unauthenticated, invalid},
		{"tampered uid", withToken(func(t *testing.T, f *fixture, u user) string {
			other := f.newUser()
			return tamper(t, u.token, func(c map[string]any) { c["uid"] = other.id })
		}), 401, runtime.Unauthenticated, invalid},
		{"tampered exp", withToken(func(t *testing.T, _ *fixture, u user) string {
			return tamper(t, u.token, func(c map[string]any) { c["exp"] = now.Add(24 * time.Hour).Unix() })
		}), 401, runtime.Unauthenticated, invalid},
		{"truncated signature", withToken(func(_ *testing.T, _ *fixture, u user) string {
			return u.token[:len(u.token)-2]
		}), 401, runtime.Unauthenticated, invalid},
		{"expired", withToken(func(t *testing.T, _ *fixture, u user) string {
			return sign(t, jwt.SigningMethodHS256, []byte(sessionKey), claims(u, now.Add(-time.Minute)))
		}), 401, runtime.Unauthenticated, invalid},
		{"expires this second", withToken(func(t *testing.T, _ *fixture, u user) string {
			return sign(t, jwt.SigningMethodHS256, []byte(sessionKey), claims(u, time.Now()))
		}), 401, runtime.Unauthenticated, invalid},
		{"no exp", withToken(func(t *testing.T, _ *fixture, u user) string {
			c := claims(u, now)
			delete(c, "exp")
			return sign(t, jwt.SigningMethodHS256, []byte(sessionKey), c)
		}), 401, runtime.Unauthenticated, invalid},
		{"alg none", withToken(func(t *testing.T, _ *fixture, u user) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(u, now.Add(time.Minute)))
		}), 401, runtime.Unauthenticated, invalid},
		{"HS512 with the right key", withToken(func(t *testing.T, _ *fixture, u user) string {
			return sign(t, jwt.SigningMethodHS512, []byte(sessionKey), claims(u, now.Add(time.Minute)))
		}), 401, runtime.Unauthenticated, invalid},
		{"HS256 with another key", withToken(func(t *testing.T, _ *fixture, u user) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another key"), claims(u, now.Add(time.Minute)))
		}), 401, runtime.Unauthenticated, invalid},
		{"uid not a UUID", withToken(func(t *testing.T, _ *fixture, u user) string {
			c := claims(u, now.Add(time.Minute))
			c["uid"] = "alice"
			return sign(t, jwt.SigningMethodHS256, []byte(sessionKey), c)
		}), 401, runtime.Unauthenticated, invalid},
		{"refresh token as session token", withToken(func(_ *testing.T, _ *fixture, u user) string {
			return u.refresh
		}), 401, runtime.Unauthenticated, invalid},
		{"logged out", withToken(func(_ *testing.T, f *fixture, _ user) string {
			other := f.newUser()
			f.ok(req{method: "POST", path: "/v2/session/logout", auth: []string{bearer(other.token)}, body: `{"token":"` + other.token + `"}`})
			return other.token
		}), 401, runtime.Unauthenticated, invalid},
	}
	runBad(t, cases)

	// A token signed outside the server but by the rules is accepted: the
	// cases above fail for the reason they name, not for another.
	f := newFixture(t)
	u := f.newUser()
	good := sign(t, jwt.SigningMethodHS256, []byte(sessionKey), claims(u, time.Now().Add(time.Minute)))
	f.ok(req{method: "GET", path: "/v2/account", auth: []string{bearer(good)}})
}

func TestRefreshAndLogout(t *testing.T) {
	refresh := func(body func(f *fixture, u user) string) func(*fixture, user) req {
		return func(f *fixture, u user) req {
			return req{method: "POST", path: "/v2/account/session/refresh", auth: []string{basic(serverKey)}, body: body(f, u)}
		}
	}
	logout := func(body func(f *fixture, u user) string) func(*fixture, user) req {
		return func(f *fixture, u user) req {
			return req{method: "POST", path: "/v2/session/logout", auth: []string{bearer(u.token)}, body: body(f, u)}
		}
	}
	refreshInvalid := "Refresh token invalid or expired."
	runBad(t, []badCase{
		{"refresh without token", refresh(func(*fixture, user) string { return `{}` }), 400, runtime.InvalidArgument, "Refresh token is required."},
		{"refresh with garbage", refresh(func(*fixture, user) string { return `{"token":"garbage"}` }), 401, runtime.Unauthenticated, refreshInvalid},
		{"refresh with a session token", refresh(func(_ *fixture, u user) string { return `{"token":"` + u.token + `"}` }), 401, runtime.Unauthenticated, refreshInvalid},
		{"refresh with a tampered token", refresh(func(f *fixture, u user) string {
			return `{"token":"` + tamper(f.t, u.refresh, func(c map[string]any) { c["usn"] = "admin" }) + `"}`
		}), 401, runtime.Unauthenticated, refreshInvalid},
		{"refresh with vars not strings", refresh(func(*fixture, user) string { return `{"token":"x","vars":{"a":1}}` }),
			400, runtime.InvalidArgument, "proto: (line 1:26): invalid value for string field value: 1"},
		{"logout with a garbage token", logout(func(*fixture, user) string { return `{"token":"garbage"}` }), 400, runtime.InvalidArgument, "Session token invalid."},
		{"logout with a garbage refresh token", logout(func(*fixture, user) string { return `{"refresh_token":"garbage"}` }), 400, runtime.InvalidArgument, "Refresh token invalid."},
		{"logout of a refresh token as a session token", logout(func(_ *fixture, u user) string { return `{"token":"` + u.refresh + `"}` }), 400, runtime.InvalidArgument, "Session token invalid."},
		{"logout of another user's token", logout(func(f *fixture, _ user) string {
			return `{"token":"` + f.newUser().token + `"}`
		}), 400, runtime.InvalidArgument, "Session token invalid."},
	})
}

func TestAuthenticateInput(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	device := func(id string) string { return `{"id":` + quote(id) + `}` }
	email := func(addr, password string) string {
		return `{"email":` + quote(addr) + `,"password":` + quote(password) + `}`
	}
	bad := runtime.InvalidArgument
	runBad(t, []badCase{
		// Bodies.
		{"malformed JSON", authenticate("device", "", `{"id":`), 400, bad, "proto: unexpected EOF"},
		{"not JSON", authenticate("device", "", `not json`), 400, bad, "proto: syntax error (line 1:1): invalid value not"},
		{"array body", authenticate("device", "", `[]`), 400, bad, "proto: syntax error (line 1:1): unexpected token ["},
		{"trailing garbage", authenticate("device", "", `{"id":"abcdefghijk"} x`), 400, bad, "proto: syntax error (line 1:22): invalid value x"},
		{"id not a string", authenticate("device", "", `{"id":123}`), 400, bad, "proto: (line 1:7): invalid value for string field id: 123"},
		// Device ids.
		{"device id missing", authenticate("device", "", `{}`), 400, bad, "Device ID is required."},
		{"device id empty body", authenticate("device", "", ``), 400, bad, "Device ID is required."},
		{"device id 9 bytes", authenticate("device", "", device(long(9))), 400, bad, "Device ID invalid, must be 10-128 bytes."},
		{"device id 129 bytes", authenticate("device", "", device(long(129))), 400, bad, "Device ID invalid, must be 10-128 bytes."},
		{"device id with a space", authenticate("device", "", device("device id 123")), 400, bad, "Device ID invalid, no spaces or control characters allowed."},
		{"device id with a tab", authenticate("device", "", device("device\tid123")), 400, bad, "Device ID invalid, no spaces or control characters allowed."},
		{"device id with a NUL", authenticate("device", "", device("device\x00id123")), 400, bad, "Device ID invalid, no spaces or control characters allowed."},
		{"short device id with a space", authenticate("device", "", device("a b")), 400, bad, "Device ID invalid, no spaces or control characters allowed."},
		// Custom ids.
		{"custom id missing", authenticate("custom", "", `{}`), 400, bad, "Custom ID is required."},
		{"custom id 5 bytes", authenticate("custom", "", device(long(5))), 400, bad, "Custom ID invalid, must be 6-128 bytes."},
		{"custom id 129 bytes", authenticate("custom", "", device(long(129))), 400, bad, "Custom ID invalid, must be 6-128 bytes."},
		{"custom id with a space", authenticate("custom", "", device("custom id")), 400, bad, "Custom ID invalid, no spaces or control characters allowed."},
		{"custom id with a newline", authenticate("custom", "", device("custom\nid")), 400, bad, "Custom ID invalid, no spaces or control characters allowed."},
		// Email.
		{"email and password missing", authenticate("email", "", `{}`), 400, bad, "Email address and password is required."},
		{"email without username", authenticate("email", "", `{"password":"long enough"}`), 400, bad, "Username is required when email address is not supplied."},
		{"email with a space", authenticate("email", "", email("some one@example.com", "long enough")), 400, bad, "Invalid email address, no spaces or control characters allowed."},
		{"email without @", authenticate("email", "", email("someone.example.com", "long enough")), 400, bad, "Invalid email address format."},
		{"email without dot", authenticate("email", "", email("someone@example", "long enough")), 400, bad, "Invalid email address format."},
		{"email too short", authenticate("email", "", email("a@b.cd", "long enough")), 400, bad, "Invalid email address, must be 10-255 bytes."},
		{"email too long", authenticate("email", "", email(long(250)+"@b.com", "long enough")), 400, bad, "Invalid email address, must be 10-255 bytes."},
		{"password 7 bytes", authenticate("email", "", email("someone@example.com", "1234567")), 400, bad, "Password must be at least 8 characters long."},
		{"password missing", authenticate("email", "", `{"email":"someone@example.com"}`), 400, bad, "Password must be at least 8 characters long."},
		{"password 73 bytes", authenticate("email", "", email("someone@example.com", long(73))), 400, bad, "Password must be at most 72 bytes long."},
		// Query parameters.
		{"username 129 bytes", authenticate("device", "?username="+long(129), device("device-0123456789")), 400, bad, "Username invalid, must be 1-128 bytes."},
		{"username with a control character", authenticate("custom", "?username=a%01b", device("custom-0123")), 400, bad, "Username invalid, no spaces or control characters allowed."},
		{"username with a newline", authenticate("email", "?username=a%0Ab", email("someone@example.com", "long enough")), 400, bad, "Username invalid, no spaces or control characters allowed."},
		{"create not a boolean", authenticate("device", "?create=maybe", device("device-0123456789")), 400, bad, `Invalid create value: "maybe".`},
		// Lookups.
		{"unknown device with create=false", authenticate("device", "?create=false", device("device-unknown-1")), 404, runtime.NotFound, "User account not found."},
		{"unknown custom id with create=0", authenticate("custom", "?create=0", device("custom-unknown")), 404, runtime.NotFound, "User account not found."},
		{"unknown email with create=f", authenticate("email", "?create=f", email("nobody@example.com", "long enough")), 404, runtime.NotFound, "User account not found."},
		{"unknown username login", authenticate("email", "?username=nobody", `{"password":"long enough"}`), 404, runtime.NotFound, "User account not found."},
	})
}

func TestAuthenticateConflicts(t *testing.T) {
	f := newFixture(t)
	basicAuth := []string{basic(serverKey)}
	f.ok(req{method: "POST", path: "/v2/account/authenticate/email?username=taken", auth: basicAuth,
		body: `{"email":"first@example.com","password":"long enough"}`})
	cases := []struct {
		name, path, body string
		status           int
		code             runtime.Code
		message          string
	}{
		{"username taken on create", "/v2/account/authenticate/device?username=taken", `{"id":"device-0123456789"}`,
			409, runtime.AlreadyExists, "Username is already in use."},
		{"wrong password", "/v2/account/authenticate/email", `{"email":"FIRST@example.com","password":"wrong password"}`,
			401, runtime.Unauthenticated, "Invalid credentials."},
		{"wrong password by username", "/v2/account/authenticate/email?username=taken", `{"password":"wrong password"}`,
			401, runtime.Unauthenticated, "Invalid credentials."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			got := f.do(req{method: "POST", path: c.path, auth: basicAuth, body: c.body})
			if got.status != c.status || runtime.Code(num(got.body["code"])) != c.code || str(got.body["message"]) != c.message {
				t.Errorf("got %d %s, want %d %d %q", got.status, got.raw, c.status, c.code, c.message)
			}
		})
	}
	// The right password still works, by address (any case) and by username.
	for _, c := range []struct{ name, path, body string }{
		{"right password by address", "/v2/account/authenticate/email", `{"email":"First@Example.com","password":"long enough"}`},
		{"right password by username", "/v2/account/authenticate/email?username=taken", `{"password":"long enough"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			got := f.do(req{method: "POST", path: c.path, auth: basicAuth, body: c.body})
			if got.status != http.StatusOK || got.body["created"] != nil {
				t.Errorf("got %d %s, want 200 and an existing account", got.status, got.raw)
			}
		})
	}
}

func TestAccountInput(t *testing.T) {
	bad := runtime.InvalidArgument
	runBad(t, []badCase{
		{"no fields", asUser("PUT", "/v2/account", `{}`), 400, bad, "No fields to update."},
		{"empty body", asUser("PUT", "/v2/account", ``), 400, bad, "No fields to update."},
		{"nulls only", asUser("PUT", "/v2/account", `{"username":null,"display_name":null}`), 400, bad, "No fields to update."},
		{"malformed JSON", asUser("PUT", "/v2/account", `{"username":`), 400, bad, "proto: unexpected EOF"},
		{"username empty", asUser("PUT", "/v2/account", `{"username":""}`), 400, bad, "Username invalid, must be 1-128 bytes."},
		{"username 129 bytes", asUser("PUT", "/v2/account", `{"username":"`+strings.Repeat("u", 129)+`"}`), 400, bad, "Username invalid, must be 1-128 bytes."},
		{"username with a tab", asUser("PUT", "/v2/account", `{"username":"a\tb"}`), 400, bad, "Username invalid, no spaces or control characters allowed."},
		{"username taken", func(f *fixture, u user) req {
			other := f.newUser()
			f.ok(req{method: "PUT", path: "/v2/account", auth: []string{bearer(other.token)}, body: `{"username":"held-by-other"}`})
			return req{method: "PUT", path: "/v2/account", auth: []string{bearer(u.token)}, body: `{"username":"held-by-other"}`}
		}, 400, bad, "Username is already in use."},
		{"display name 256 bytes", asUser("PUT", "/v2/account", `{"display_name":"`+strings.Repeat("d", 256)+`"}`), 400, bad, "Display name invalid, must be at most 255 bytes."},
		{"lang tag 19 bytes", asUser("PUT", "/v2/account", `{"lang_tag":"`+strings.Repeat("l", 19)+`"}`), 400, bad, "Lang tag invalid, must be at most 18 bytes."},
		{"user id not a UUID", asUser("GET", "/v2/user?ids=nope", ``), 400, bad, "ID 'nope' is not a valid system ID."},
		{"second user id not a UUID", asUser("GET", "/v2/user?ids=6a5f4b3e-0000-4000-8000-000000000000&ids=6a5f4b3e-0000-4000-8000-00000000000", ``),
			400, bad, "ID '6a5f4b3e-0000-4000-8000-00000000000' is not a valid system ID."},
	})
}

func TestStorageInput(t *testing.T) {
	bad := runtime.InvalidArgument
	write := func(objects string) func(*fixture, user) req {
		return asUser("PUT", "/v2/storage", `{"objects":[`+objects+`]}`)
	}
	names := "Invalid collection or key value supplied. They must be set."
	runBad(t, []badCase{
		{"malformed JSON", asUser("PUT", "/v2/storage", `{"objects":[`), 400, bad, "proto: unexpected EOF"},
		{"value not a string", write(`{"collection":"c","key":"k","value":5}`), 400, bad, "proto: (line 1:49): invalid value for string field value: 5"},
		{"value an array", write(`{"collection":"c","key":"k","value":"[1,2]"}`), 400, bad, "Value must be a JSON object."},
		{"value a string", write(`{"collection":"c","key":"k","value":"\"text\""}`), 400, bad, "Value must be a JSON object."},
		{"value not JSON", write(`{"collection":"c","key":"k","value":"{nope"}`), 400, bad, "Value must be a JSON object."},
		{"value empty", write(`{"collection":"c","key":"k","value":""}`), 400, bad, names},
		{"collection empty", write(`{"collection":"","key":"k","value":"{}"}`), 400, bad, names},
		{"key missing", write(`{"collection":"c","value":"{}"}`), 400, bad, names},
		{"collection 129 bytes", write(`{"collection":"` + strings.Repeat("c", 129) + `","key":"k","value":"{}"}`), 400, bad,
			"Invalid collection or key value supplied. They must be at most 128 bytes."},
		{"read permission 3", write(`{"collection":"c","key":"k","value":"{}","permission_read":3}`), 400, bad, "Invalid Read permission supplied. It must be either 0, 1 or 2."},
		{"read permission -1", write(`{"collection":"c","key":"k","value":"{}","permission_read":-1}`), 400, bad, "Invalid Read permission supplied. It must be either 0, 1 or 2."},
		{"write permission 2", write(`{"collection":"c","key":"k","value":"{}","permission_write":2}`), 400, bad, "Invalid Write permission supplied. It must be either 0 or 1."},
		{"permission not a number", write(`{"collection":"c","key":"k","value":"{}","permission_read":"x"}`), 400, bad, `proto: (line 1:72): invalid value for int32 field value: "x"`},
		{"permission a fraction", write(`{"collection":"c","key":"k","value":"{}","permission_read":2.5}`), 400, bad, "proto: (line 1:72): invalid value for int32 field value: 2.5"},
		{"second object bad", write(`{"collection":"c","key":"k","value":"{}"},{"collection":"c","key":"k2","value":"[]"}`), 400, bad, "Value must be a JSON object."},
		{"version on a missing object", write(`{"collection":"c","key":"absent","value":"{}","version":"` + runtime.ObjectVersion("{}") + `"}`), 400, bad,
			"Storage write rejected - version check failed."},
		{"wrong version", func(f *fixture, u user) req {
			f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"v","key":"k","value":"{\"n\":1}"}]}`})
			return req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)},
				body: `{"objects":[{"collection":"v","key":"k","value":"{\"n\":2}","version":"` + runtime.ObjectVersion(`{"n":0}`) + `"}]}`}
		}, 400, bad, "Storage write rejected - version check failed."},
		{"create-only on an existing object", func(f *fixture, u user) req {
			f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"v","key":"once","value":"{}"}]}`})
			return req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"v","key":"once","value":"{}","version":"*"}]}`}
		}, 400, bad, "Storage write rejected - version check failed."},
		{"overwrite of a write=0 object", func(f *fixture, u user) req {
			f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"v","key":"locked","value":"{}","permission_write":0}]}`})
			return req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"v","key":"locked","value":"{\"a\":1}"}]}`}
		}, 400, bad, "Storage write rejected - permission denied."},
		// Reads.
		{"read without key", asUser("POST", "/v2/storage", `{"object_ids":[{"collection":"c"}]}`), 400, bad, names},
		{"read with a bad user id", asUser("POST", "/v2/storage", `{"object_ids":[{"collection":"c","key":"k","user_id":"nope"}]}`), 400, bad,
			"Invalid user ID - make sure user ID is a valid UUID."},
		{"read with the nil user id", asUser("POST", "/v2/storage", `{"object_ids":[{"collection":"c","key":"k","user_id":"`+runtime.NilUUID+`"}]}`), 400, bad,
			"Invalid user ID - make sure user ID is a valid UUID."},
		// Deletes.
		{"delete without collection", asUser("PUT", "/v2/storage/delete", `{"object_ids":[{"key":"k"}]}`), 400, bad, names},
		{"delete of a missing object", asUser("PUT", "/v2/storage/delete", `{"object_ids":[{"collection":"c","key":"missing"}]}`), 400, bad,
			"Storage delete rejected - not found, version check failed, or permission denied."},
		{"delete with a wrong version", func(f *fixture, u user) req {
			f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: `{"objects":[{"collection":"d","key":"k","value":"{}"}]}`})
			return req{method: "PUT", path: "/v2/storage/delete", auth: []string{bearer(u.token)},
				body: `{"object_ids":[{"collection":"d","key":"k","version":"` + runtime.ObjectVersion(`{"x":1}`) + `"}]}`}
		}, 400, bad, "Storage delete rejected - not found, version check failed, or permission denied."},
		// Listings.
		{"limit 0", asUser("GET", "/v2/storage/c?limit=0", ``), 400, bad, "Invalid limit - limit must be between 1 and 100."},
		{"limit 101", asUser("GET", "/v2/storage/c?limit=101", ``), 400, bad, "Invalid limit - limit must be between 1 and 100."},
		{"limit -1", asUser("GET", "/v2/storage/c?limit=-1", ``), 400, bad, "Invalid limit - limit must be between 1 and 100."},
		{"limit not a number", asUser("GET", "/v2/storage/c?limit=ten", ``), 400, bad, `Invalid limit value: "ten".`},
		{"list with a bad user id", asUser("GET", "/v2/storage/c?user_id=nope", ``), 400, bad, "Invalid user ID - make sure user ID is a valid UUID."},
		{"list with a bad user id in the path", asUser("GET", "/v2/storage/c/nope", ``), 400, bad, "Invalid user ID - make sure user ID is a valid UUID."},
		{"bad cursor", asUser("GET", "/v2/storage/c?cursor=%25%25%25", ``), 400, bad, "Malformed cursor was used."},
		{"cursor of garbage base64", asUser("GET", "/v2/storage/c?cursor=bm90IGpzb24", ``), 400, bad, "Malformed cursor was used."},
	})
}

func TestTransport(t *testing.T) {
	bad := runtime.InvalidArgument
	big := func(n int) string {
		// A valid write whose body is padded to n bytes with spaces.
		body := `{"objects":[{"collection":"big","key":"k","value":"{}"}]}`
		return body + strings.Repeat(" ", n-len(body))
	}
	runBad(t, []badCase{
		{"body over 256 KiB", asUser("PUT", "/v2/storage", big(rest.DefaultMaxBodyBytes+1)), 400, bad, "http: request body too large"},
		{"body of 1 MiB", asUser("PUT", "/v2/storage", big(1<<20)), 400, bad, "http: request body too large"},
		{"unauthenticated large body", fixed(req{method: "POST", path: "/v2/account/authenticate/device", body: big(1 << 20)}),
			401, runtime.Unauthenticated, "Server key required"},
		{"unknown path", fixed(req{method: "GET", path: "/v2/nothing"}), 404, runtime.NotFound, "Not Found"},
		{"unknown path under storage", asUser("GET", "/v2/storage/c/u/extra", ``), 404, runtime.NotFound, "Not Found"},
		{"unknown path outside v2", fixed(req{method: "GET", path: "/v3/account"}), 404, runtime.NotFound, "Not Found"},
		{"wrong method on account", asUser("DELETE", "/v2/account", ``), 501, runtime.Unimplemented, "Method Not Allowed"},
		{"wrong method on authenticate", fixed(req{method: "GET", path: "/v2/account/authenticate/device"}), 501, runtime.Unimplemented, "Method Not Allowed"},
		{"wrong method on storage list", asUser("POST", "/v2/storage/c", `{}`), 501, runtime.Unimplemented, "Method Not Allowed"},
		{"PATCH on storage", asUser("PATCH", "/v2/storage", `{}`), 501, runtime.Unimplemented, "Method Not Allowed"},
	})

	// A body of exactly the limit is accepted.
	f := newFixture(t)
	u := f.newUser()
	f.ok(req{method: "PUT", path: "/v2/storage", auth: []string{bearer(u.token)}, body: big(rest.DefaultMaxBodyBytes)})
}

// TestAcceptedInput checks inputs that look odd but that Nakama's gateway
// accepts.
func TestAcceptedInput(t *testing.T) {
	f := newFixture(t)
	u := f.newUser()
	auth := []string{bearer(u.token)}
	cases := []struct {
		name string
		r    req
	}{
		{"unknown fields are ignored", req{method: "POST", path: "/v2/account/authenticate/device?unknown=1", auth: []string{basic(serverKey)},
			body: `{"id":"device-accepted-1","surprise":{"deep":[1,2]}}`}},
		{"camelCase field names", req{method: "PUT", path: "/v2/storage", auth: auth,
			body: `{"objects":[{"collection":"c","key":"k","value":"{}","permissionRead":2,"permissionWrite":0}]}`}},
		{"numeric strings for int32", req{method: "PUT", path: "/v2/storage", auth: auth,
			body: `{"objects":[{"collection":"c","key":"k2","value":"{}","permission_read":"2"}]}`}},
		{"an empty write", req{method: "PUT", path: "/v2/storage", auth: auth, body: `{}`}},
		{"an empty read", req{method: "POST", path: "/v2/storage", auth: auth, body: ``}},
		{"a space in a username", req{method: "POST", path: "/v2/account/authenticate/custom?username=two%20words", auth: []string{basic(serverKey)},
			body: `{"id":"custom-spaced"}`}},
		{"nakama-js trailing ? and &", req{method: "POST", path: "/v2/account/authenticate/device?create=true&", auth: []string{basic(serverKey)},
			body: `{"id":"device-accepted-2"}`}},
		{"a nakama-js GET with a JSON content type and no body", req{method: "GET", path: "/v2/account?", auth: auth}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			f.ok(c.r)
		})
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
