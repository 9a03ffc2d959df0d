package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/auth"
	"github.com/arbiterhq/arbiter/storage/sqlite"
)

// BenchmarkAuthenticateDevice measures device authentication through the
// account service (validation, store, token signing; no HTTP) on each
// store: "create" makes a new account per iteration, "existing" logs in
// to one account again and again.
func BenchmarkAuthenticateDevice(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			svc := benchService(b, be)
			b.Run("create", func(b *testing.B) {
				prefix := "bench-" + runtime.NewUUID().String() // -count runs this again
				i := 0
				for b.Loop() {
					i++
					s, err := svc.Authenticate(b.Context(), account.Credentials{
						Kind: runtime.IdentityDevice, ID: prefix + "-" + strconv.Itoa(i), Create: true,
					})
					if err != nil || !s.Created {
						b.Fatalf("Authenticate = created %v, %v", s.Created, err)
					}
				}
			})
			b.Run("existing", func(b *testing.B) {
				c := account.Credentials{Kind: runtime.IdentityDevice, ID: "bench-" + runtime.NewUUID().String(), Create: true}
				if _, err := svc.Authenticate(b.Context(), c); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					s, err := svc.Authenticate(b.Context(), c)
					if err != nil || s.Created {
						b.Fatalf("Authenticate = created %v, %v", s.Created, err)
					}
				}
			})
		})
	}
}

// benchService returns an account service over a fresh store of be.
func benchService(b *testing.B, be backend) *account.Service {
	b.Helper()
	var store app.Store = be.open(b)
	if store == nil {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), "arbiter.db")})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		store = s
	}
	cfg := app.Default()
	tokens, err := auth.New(context.Background(), auth.Config{
		SessionKey: cfg.SessionKey, RefreshKey: cfg.RefreshKey,
		TokenExpiry: cfg.TokenExpiry, RefreshExpiry: cfg.RefreshExpiry,
		Store: store, Now: time.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	return account.New(account.Deps{Identities: store, Accounts: store, Tokens: tokens})
}
