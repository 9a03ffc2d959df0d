package account

import (
	"errors"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// wantInvalid checks that err is an InvalidArgument error with message msg,
// or nil when msg is "".
func wantInvalid(t *testing.T, err error, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var e *runtime.Error
	if !errors.As(err, &e) || e.Code != runtime.InvalidArgument || e.Message != msg {
		t.Fatalf("err = %#v, want InvalidArgument %q", err, msg)
	}
}

func TestValidateUsername(t *testing.T) {
	const chars = "Username invalid, no spaces or control characters allowed."
	const length = "Username invalid, must be 1-128 bytes."
	cases := []struct {
		name, username, want string
	}{
		{"letters", "alice", ""},
		{"one byte", "a", ""},
		{"128 bytes", strings.Repeat("u", 128), ""},
		{"128 bytes of UTF-8", strings.Repeat("é", 64), ""},
		{"a space (Nakama allows it)", "two words", ""},
		{"unicode space", "a\u00a0b", ""},
		{"punctuation", "a[]b.c-d_e", ""},
		{"empty", "", length},
		{"129 bytes", strings.Repeat("u", 129), length},
		{"65 two-byte runes", strings.Repeat("é", 65), length},
		{"tab", "a\tb", chars},
		{"newline", "a\nb", chars},
		{"carriage return", "a\rb", chars},
		{"NUL", "a\x00b", chars},
		{"DEL", "a\x7fb", chars},
		{"control and too long", strings.Repeat("u", 129) + "\x01", chars},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantInvalid(t, ValidateUsername(c.username), c.want)
		})
	}
}

func TestValidateCredentials(t *testing.T) {
	device := func(id string) Credentials { return Credentials{Kind: runtime.IdentityDevice, ID: id} }
	custom := func(id string) Credentials { return Credentials{Kind: runtime.IdentityCustom, ID: id} }
	email := func(addr, password string) Credentials {
		return Credentials{Kind: runtime.IdentityEmail, ID: addr, Password: password}
	}
	withUsername := func(c Credentials, u string) Credentials { c.Username = u; return c }
	x := strings.Repeat
	cases := []struct {
		name string
		c    Credentials
		want string
	}{
		// Device ids: 10-128 bytes, no ASCII spaces or control characters.
		{"device 10 bytes", device(x("d", 10)), ""},
		{"device 128 bytes", device(x("d", 128)), ""},
		{"device with punctuation", device("A1-b2_C3.d4:e5/f6+"), ""},
		{"device with a unicode space", device("device\u2003id-1"), ""},
		{"device empty", device(""), "Device ID is required."},
		{"device 9 bytes", device(x("d", 9)), "Device ID invalid, must be 10-128 bytes."},
		{"device 129 bytes", device(x("d", 129)), "Device ID invalid, must be 10-128 bytes."},
		{"device with a space", device("device id-1"), "Device ID invalid, no spaces or control characters allowed."},
		{"device short with a space", device("a b"), "Device ID invalid, no spaces or control characters allowed."},
		{"device with a vertical tab", device("device\vid-1"), "Device ID invalid, no spaces or control characters allowed."},
		{"device with a form feed", device("device\fid-1"), "Device ID invalid, no spaces or control characters allowed."},
		{"device with DEL", device("device\x7fid-1"), "Device ID invalid, no spaces or control characters allowed."},
		// Custom ids: 6-128 bytes.
		{"custom 6 bytes", custom(x("c", 6)), ""},
		{"custom 128 bytes", custom(x("c", 128)), ""},
		{"custom empty", custom(""), "Custom ID is required."},
		{"custom 5 bytes", custom(x("c", 5)), "Custom ID invalid, must be 6-128 bytes."},
		{"custom 129 bytes", custom(x("c", 129)), "Custom ID invalid, must be 6-128 bytes."},
		{"custom with a newline", custom("custom\nid"), "Custom ID invalid, no spaces or control characters allowed."},
		// Email: spaces, then format, then length, then password.
		{"email", email("someone@example.com", "12345678"), ""},
		{"email 10 bytes", email("a@bcdef.gh", "12345678"), ""},
		{"email 255 bytes", email(x("a", 243)+"@example.com", "12345678"), ""},
		{"email two @", email("a@b@example.com", "12345678"), ""},
		{"email and password empty", email("", ""), "Email address and password is required."},
		{"password without email or username", email("", "12345678"), "Username is required when email address is not supplied."},
		{"email with a space", email("some one@example.com", "12345678"), "Invalid email address, no spaces or control characters allowed."},
		{"email with a tab", email("someone@example.com\t", "12345678"), "Invalid email address, no spaces or control characters allowed."},
		{"email without @", email("someone.example.com", "12345678"), "Invalid email address format."},
		{"email without a dot after @", email("some.one@example", "12345678"), "Invalid email address format."},
		{"email with nothing before @", email("@example.com", "12345678"), "Invalid email address format."},
		{"email 9 bytes", email("a@bcde.fg", "12345678"), "Invalid email address, must be 10-255 bytes."},
		{"email 256 bytes", email(x("a", 244)+"@example.com", "12345678"), "Invalid email address, must be 10-255 bytes."},
		{"bad email and short password", email("a@b", "1"), "Invalid email address format."},
		{"password 7 bytes", email("someone@example.com", "1234567"), "Password must be at least 8 characters long."},
		{"password empty", email("someone@example.com", ""), "Password must be at least 8 characters long."},
		{"password 72 bytes", email("someone@example.com", x("p", 72)), ""},
		{"password 73 bytes", email("someone@example.com", x("p", 73)), "Password must be at most 72 bytes long."},
		{"username login", withUsername(email("", "12345678"), "alice"), ""},
		{"username login, short password", withUsername(email("", "1234567"), "alice"), "Password must be at least 8 characters long."},
		// Usernames are checked after the identity.
		{"device with a username", withUsername(device(x("d", 10)), "alice"), ""},
		{"device with a long username", withUsername(device(x("d", 10)), x("u", 129)), "Username invalid, must be 1-128 bytes."},
		{"bad device and bad username", withUsername(device("short"), x("u", 129)), "Device ID invalid, must be 10-128 bytes."},
		{"custom with a control username", withUsername(custom(x("c", 6)), "a\x01"), "Username invalid, no spaces or control characters allowed."},
		{"email with a long username", withUsername(email("someone@example.com", "12345678"), x("u", 129)), "Username invalid, must be 1-128 bytes."},
		// Other kinds cannot authenticate.
		{"username kind", Credentials{Kind: runtime.IdentityUsername, ID: "alice", Password: "12345678"}, "Unsupported identity."},
		{"no kind", Credentials{ID: x("d", 10)}, "Unsupported identity."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cred := c.c
			wantInvalid(t, validateCredentials(&cred), c.want)
		})
	}
}

func TestValidateCredentialsLowersEmail(t *testing.T) {
	c := Credentials{Kind: runtime.IdentityEmail, ID: "Some.One@Example.COM", Password: "12345678"}
	if err := validateCredentials(&c); err != nil {
		t.Fatal(err)
	}
	if c.ID != "some.one@example.com" {
		t.Fatalf("email = %q, want it lower-cased", c.ID)
	}
}

func TestValidateUpdate(t *testing.T) {
	s := func(v string) *string { return &v }
	x := strings.Repeat
	cases := []struct {
		name string
		u    runtime.AccountUpdate
		want string
	}{
		{"nothing", runtime.AccountUpdate{}, "No fields to update."},
		{"username", runtime.AccountUpdate{Username: s("alice")}, ""},
		{"username empty", runtime.AccountUpdate{Username: s("")}, "Username invalid, must be 1-128 bytes."},
		{"username 129 bytes", runtime.AccountUpdate{Username: s(x("u", 129))}, "Username invalid, must be 1-128 bytes."},
		{"username with a tab", runtime.AccountUpdate{Username: s("a\tb")}, "Username invalid, no spaces or control characters allowed."},
		{"clearing a field", runtime.AccountUpdate{DisplayName: s("")}, ""},
		{"display name 255 bytes", runtime.AccountUpdate{DisplayName: s(x("d", 255))}, ""},
		{"display name 256 bytes", runtime.AccountUpdate{DisplayName: s(x("d", 256))}, "Display name invalid, must be at most 255 bytes."},
		{"avatar URL 512 bytes", runtime.AccountUpdate{AvatarURL: s(x("a", 512))}, ""},
		{"avatar URL 513 bytes", runtime.AccountUpdate{AvatarURL: s(x("a", 513))}, "Avatar URL invalid, must be at most 512 bytes."},
		{"lang tag 18 bytes", runtime.AccountUpdate{LangTag: s(x("l", 18))}, ""},
		{"lang tag 19 bytes", runtime.AccountUpdate{LangTag: s(x("l", 19))}, "Lang tag invalid, must be at most 18 bytes."},
		{"location 256 bytes", runtime.AccountUpdate{Location: s(x("l", 256))}, "Location invalid, must be at most 255 bytes."},
		{"timezone 256 bytes", runtime.AccountUpdate{Timezone: s(x("t", 256))}, "Timezone invalid, must be at most 255 bytes."},
		{"metadata object", runtime.AccountUpdate{Metadata: s(`{"a":1}`)}, ""},
		{"metadata array", runtime.AccountUpdate{Metadata: s(`[1]`)}, "Metadata must be a JSON object."},
		{"metadata not JSON", runtime.AccountUpdate{Metadata: s(`{`)}, "Metadata must be a JSON object."},
		{"bad username first", runtime.AccountUpdate{Username: s(""), DisplayName: s(x("d", 256))}, "Username invalid, must be 1-128 bytes."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantInvalid(t, validateUpdate(c.u), c.want)
		})
	}
}

func TestGenerateUsername(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u := generateUsername()
		if len(u) != 10 || strings.Trim(u, usernameLetters) != "" {
			t.Fatalf("generated username %q is not ten letters", u)
		}
		if seen[u] {
			t.Fatalf("generated username %q twice", u)
		}
		seen[u] = true
	}
}
