package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/storage/postgres"
	"github.com/arbiterhq/arbiter/storage/postgres/pgtest"
	"github.com/arbiterhq/arbiter/storage/storagetest"
)

func TestConformance(t *testing.T) {
	pgtest.Require(t)
	storagetest.Run(t, func(t *testing.T) storagetest.Store { return pgtest.Open(t) })
}

func BenchmarkIdentifyDeviceCreate(b *testing.B) {
	storagetest.BenchIdentifyDeviceCreate(b, pgtest.Open(b))
}

func BenchmarkIdentifyDeviceExisting(b *testing.B) {
	storagetest.BenchIdentifyDeviceExisting(b, pgtest.Open(b))
}

func BenchmarkWriteObject(b *testing.B) { storagetest.BenchWriteObject(b, pgtest.Open(b)) }
func BenchmarkReadObject(b *testing.B)  { storagetest.BenchReadObject(b, pgtest.Open(b)) }

// queryCounter is a pgx tracer that counts the statements sent.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestIdentifyOneStatement checks that Identify with create sends a single
// statement, one round trip once it is prepared, for every identity kind,
// whether it finds the account or creates it.
func TestIdentifyOneStatement(t *testing.T) {
	counter := &queryCounter{}
	s := pgtest.OpenConfig(t, postgres.Config{Tracer: counter})
	for _, kind := range []runtime.IdentityKind{runtime.IdentityDevice, runtime.IdentityCustom, runtime.IdentityEmail} {
		for _, step := range []string{"warm-up", "create", "find"} {
			id := runtime.Identity{Kind: kind, ID: kind.String() + "-" + step, Secret: []byte("hash")}
			if step == "find" {
				id.ID = kind.String() + "-create"
			}
			before := counter.n.Load()
			res, err := s.Identify(t.Context(), id, true, runtime.NewUser{ID: id.ID + "-" + step, Username: id.ID + "-" + step})
			if err != nil || res.Created != (step != "find") {
				t.Fatalf("%v %s: Identify = %+v, %v", kind, step, res, err)
			}
			if n := counter.n.Load() - before; step != "warm-up" && n != 1 {
				t.Errorf("%v %s: Identify sent %d statements, want 1", kind, step, n)
			}
		}
	}
}

// TestConcurrentMigrate opens several stores on one new schema at once: the
// migration lock lets exactly one migrate and the others find it done.
func TestConcurrentMigrate(t *testing.T) {
	schema := pgtest.Schema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), postgres.Config{URL: pgtest.URL(), Schema: schema, MaxConns: 2})
			if err == nil {
				err = errors.Join(s.Ping(t.Context()), s.Close())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	pgtest.Require(t)
	for _, url := range []string{"::not a url::", "postgres://postgres@127.0.0.1:1/none?connect_timeout=1"} {
		if s, err := postgres.Open(t.Context(), postgres.Config{URL: url}); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}

// TestDisabledAccount sets disable_time directly, as an operator tool would
// (no port changes it yet), and checks that Identify and Account report it.
func TestDisabledAccount(t *testing.T) {
	schema := pgtest.Schema(t)
	s := pgtest.OpenConfig(t, postgres.Config{Schema: schema})
	for _, kind := range []runtime.IdentityKind{runtime.IdentityDevice, runtime.IdentityCustom, runtime.IdentityEmail} {
		id := runtime.Identity{Kind: kind, ID: "id-" + kind.String()}
		user := "u-" + kind.String()
		if _, err := s.Identify(t.Context(), id, true, runtime.NewUser{ID: user, Username: user}); err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		conn, err := pgx.Connect(t.Context(), pgtest.URL())
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(t.Context(), "UPDATE "+pgx.Identifier{schema, "users"}.Sanitize()+
			" SET disable_time = $1 WHERE id = $2", at.UnixMicro(), user)
		_ = conn.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, create := range []bool{true, false} {
			res, err := s.Identify(t.Context(), id, create, runtime.NewUser{ID: "other", Username: "other"})
			if err != nil || !res.Disabled || res.Created {
				t.Fatalf("Identify(create=%v) of a disabled account = %+v, %v", create, res, err)
			}
		}
		a, err := s.Account(t.Context(), user)
		if err != nil || !a.DisableTime.Equal(at) {
			t.Fatalf("Account = %+v, %v; want DisableTime %v", a, err, at)
		}
	}
}
