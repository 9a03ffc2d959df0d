package storagetest

import (
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// identityKinds are the kinds of identity, with the secret each stores.
var identityKinds = []struct {
	name   string
	kind   runtime.IdentityKind
	secret []byte
}{
	{"device", runtime.IdentityDevice, nil},
	{"custom", runtime.IdentityCustom, nil},
	{"email", runtime.IdentityEmail, []byte("$2a$10$abcdefghijklmnopqrstuu5Jq1ZQm3bYl7wq4xG2wq1H8oJ6x8Ze")},
}

func testIdentify(t *testing.T, open Opener) {
	for _, k := range identityKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			testIdentifyKind(t, open(t), runtime.Identity{Kind: k.kind, ID: k.name + "-" + newID(), Secret: k.secret})
		})
	}
	t.Run("Unicode", func(t *testing.T) {
		t.Parallel()
		testIdentifyKind(t, open(t), runtime.Identity{Kind: runtime.IdentityCustom, ID: "Ünïcødé-用户-🎮-" + newID()})
	})
	t.Run("UsernameTaken", func(t *testing.T) {
		t.Parallel()
		testUsernameTaken(t, open(t))
	})
	t.Run("InvalidInput", func(t *testing.T) {
		t.Parallel()
		testIdentifyInvalid(t, open(t))
	})
	t.Run("Username", func(t *testing.T) {
		t.Parallel()
		testIdentifyUsername(t, open(t))
	})
	t.Run("SecretOnlyForEmail", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		id := runtime.Identity{Kind: runtime.IdentityDevice, ID: newID(), Secret: []byte("ignored")}
		if res := mustIdentify(t, s, id, newUser()); len(res.Secret) != 0 {
			t.Fatalf("device identity returned secret %q", res.Secret)
		}
	})
}

// testIdentifyKind creates the account of id, finds it again and checks it.
func testIdentifyKind(t *testing.T, s Store, id runtime.Identity) {
	t.Helper()
	ctx := t.Context()
	_, err := s.Identify(ctx, id, false, runtime.NewUser{})
	wantErr(t, err, runtime.ErrNotFound)

	nu := runtime.NewUser{ID: newID(), Username: "名前-" + newID()}
	created := mustIdentify(t, s, id, nu)
	if !created.Created || created.Disabled {
		t.Fatalf("first Identify: Created=%v Disabled=%v, want true false", created.Created, created.Disabled)
	}
	u := created.User
	wantEqual(t, "new user", [4]string{u.ID, u.Username, u.LangTag, u.Metadata}, [4]string{nu.ID, nu.Username, "en", "{}"})
	if u.CreateTime.IsZero() || !u.UpdateTime.Equal(u.CreateTime) {
		t.Fatalf("new user times: create %v update %v", u.CreateTime, u.UpdateTime)
	}
	wantEqual(t, "secret", created.Secret, id.Secret)

	for _, create := range []bool{true, false} {
		again, err := s.Identify(ctx, id, create, newUser())
		wantErr(t, err, nil)
		if again.Created {
			t.Fatalf("Identify(create=%v) of a linked identity reported Created", create)
		}
		wantEqual(t, "user found again", again.User, created.User)
		wantEqual(t, "secret found again", again.Secret, id.Secret)
	}

	a, err := s.Account(ctx, nu.ID)
	wantErr(t, err, nil)
	want := runtime.Account{User: created.User, Wallet: "{}"}
	switch id.Kind {
	case runtime.IdentityDevice:
		want.Devices = []string{id.ID}
	case runtime.IdentityCustom:
		want.CustomID = id.ID
	case runtime.IdentityEmail:
		want.Email = id.ID
	}
	wantEqual(t, "account", a, want)
}

// testUsernameTaken checks that no identity can create an account under a
// username another account holds, and that the failure links nothing.
func testUsernameTaken(t *testing.T, s Store) {
	holder := createDevice(t, s)
	for _, k := range identityKinds {
		id := runtime.Identity{Kind: k.kind, ID: newID(), Secret: k.secret}
		_, err := s.Identify(t.Context(), id, true, runtime.NewUser{ID: newID(), Username: holder.User.Username})
		wantErr(t, err, runtime.ErrUsernameTaken)
		_, err = s.Identify(t.Context(), id, false, runtime.NewUser{})
		wantErr(t, err, runtime.ErrNotFound)
	}
}

// testIdentifyInvalid checks that malformed arguments are refused.
func testIdentifyInvalid(t *testing.T, s Store) {
	cases := []struct {
		name   string
		id     runtime.Identity
		create bool
		nu     runtime.NewUser
	}{
		{"unknown kind", runtime.Identity{Kind: 0, ID: "x"}, true, newUser()},
		{"kind out of range", runtime.Identity{Kind: 99, ID: "x"}, false, runtime.NewUser{}},
		{"empty id", runtime.Identity{Kind: runtime.IdentityDevice}, true, newUser()},
		{"empty id lookup", runtime.Identity{Kind: runtime.IdentityEmail}, false, runtime.NewUser{}},
		{"no user id", runtime.Identity{Kind: runtime.IdentityDevice, ID: "d"}, true, runtime.NewUser{Username: "u"}},
		{"no username", runtime.Identity{Kind: runtime.IdentityCustom, ID: "c"}, true, runtime.NewUser{ID: "i"}},
	}
	for _, c := range cases {
		_, err := s.Identify(t.Context(), c.id, c.create, c.nu)
		if runtime.CodeOf(err) != runtime.InvalidArgument {
			t.Errorf("%s: error %v, want InvalidArgument", c.name, err)
		}
	}
}

// testIdentifyUsername checks that a username finds its account, with the
// password hash of its email identity, and never creates one.
func testIdentifyUsername(t *testing.T, s Store) {
	ctx := t.Context()
	secret := identityKinds[2].secret
	withEmail := mustIdentify(t, s, runtime.Identity{Kind: runtime.IdentityEmail, ID: newID() + "@example.com", Secret: secret},
		runtime.NewUser{ID: newID(), Username: "Émile-" + newID()})
	device := createDevice(t, s)
	cases := []struct {
		name     string
		username string
		want     runtime.User
		secret   []byte
		err      error
	}{
		{"email account", withEmail.User.Username, withEmail.User, secret, nil},
		{"device account", device.User.Username, device.User, nil, nil},
		{"unknown", "nobody-" + newID(), runtime.User{}, nil, runtime.ErrNotFound},
		{"other case", strings.ToUpper(withEmail.User.Username), runtime.User{}, nil, runtime.ErrNotFound},
	}
	for _, c := range cases {
		res, err := s.Identify(ctx, runtime.Identity{Kind: runtime.IdentityUsername, ID: c.username}, false, runtime.NewUser{})
		wantErr(t, err, c.err)
		if c.err != nil {
			continue
		}
		wantEqual(t, c.name+": user", res.User, c.want)
		if string(res.Secret) != string(c.secret) || res.Created {
			t.Fatalf("%s: secret %q created %v, want %q false", c.name, res.Secret, res.Created, c.secret)
		}
	}
	_, err := s.Identify(ctx, runtime.Identity{Kind: runtime.IdentityUsername, ID: "new-" + newID()}, true, newUser())
	wantCode(t, err, runtime.InvalidArgument)
}
