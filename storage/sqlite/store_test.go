package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// openAt opens a store at path and closes it when t ends.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{Path: path})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// pragma reads one pragma on db.
func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestConnectionSettings(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	cases := []struct {
		pool, name, want string
		db               *sql.DB
	}{
		{"write", "journal_mode", "wal", s.pools.write.db},
		{"write", "foreign_keys", "1", s.pools.write.db},
		{"write", "busy_timeout", "5000", s.pools.write.db},
		{"write", "query_only", "0", s.pools.write.db},
		{"write", "synchronous", "1", s.pools.write.db},
		{"read", "journal_mode", "wal", s.pools.read.db},
		{"read", "foreign_keys", "1", s.pools.read.db},
		{"read", "busy_timeout", "5000", s.pools.read.db},
		{"read", "query_only", "1", s.pools.read.db},
	}
	for _, c := range cases {
		if got := pragma(t, c.db, c.name); got != c.want {
			t.Errorf("%s pool: %s = %s, want %s", c.pool, c.name, got, c.want)
		}
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"plain.db", "with space/x.db", "odd?#%25&=;chars/x.db", "deep/er/still/x.db", "ünï/x.db"} {
		path := filepath.Join(dir, name)
		s := openAt(t, path)
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("%q: Ping: %v", name, err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%q: database file not at its path: %v", name, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", filepath.Join(file, "x.db"), file} {
		if s, err := Open(t.Context(), Config{Path: path}); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// TestNewerSchemaRefused checks that a database migrated by a newer build is
// not used.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	s := openAt(t, path)
	if _, err := s.pools.write.db.ExecContext(t.Context(),
		"INSERT INTO arbiter_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err == nil {
		t.Fatal("Migrate accepted a database with an unknown migration")
	}
	if s2, err := Open(t.Context(), Config{Path: path}); err == nil {
		_ = s2.Close()
		t.Fatal("Open accepted a database with an unknown migration")
	}
}

// TestTwoStoresOneFile writes from two stores on one file at once, as two
// processes would: busy_timeout and BEGIN IMMEDIATE keep SQLITE_BUSY away.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	stores := []*Store{openAt(t, path), openAt(t, path)}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Go(func() {
			s := stores[w%2]
			for i := range 20 {
				key := fmt.Sprintf("w%d-%d", w, i)
				ws := []runtime.ObjectWrite{
					{Collection: "c", Key: key, Value: "{}", PermissionRead: 2, PermissionWrite: 1},
					{Collection: "c", Key: key + "-b", Value: "{}", PermissionRead: 2, PermissionWrite: 1},
				}
				if _, err := s.WriteObjects(t.Context(), "", ws); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		t.Fatal(err)
	}
	objs, _, err := stores[1].ListObjects(t.Context(), runtime.ObjectList{Collection: "c", Limit: 1000})
	if err != nil || len(objs) != 8*20*2 {
		t.Fatalf("listed %d objects (%v), want %d", len(objs), err, 8*20*2)
	}
}

// TestDisabledAccount sets disable_time directly, as an operator tool would
// (no port changes it yet), and checks that Identify and Account report it.
func TestDisabledAccount(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	id := runtime.Identity{Kind: runtime.IdentityDevice, ID: "dev"}
	res, err := s.Identify(t.Context(), id, true, runtime.NewUser{ID: "u1", Username: "one"})
	if err != nil || res.Disabled {
		t.Fatalf("Identify = %+v, %v", res, err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	_, err = s.pools.write.db.ExecContext(t.Context(), "UPDATE users SET disable_time = $1 WHERE id = 'u1'", at.UnixMicro())
	if err != nil {
		t.Fatal(err)
	}
	res, err = s.Identify(t.Context(), id, true, runtime.NewUser{ID: "u2", Username: "two"})
	if err != nil || !res.Disabled || res.Created {
		t.Fatalf("Identify of a disabled account = %+v, %v", res, err)
	}
	a, err := s.Account(t.Context(), "u1")
	if err != nil || !a.DisableTime.Equal(at) {
		t.Fatalf("Account = %+v, %v; want DisableTime %v", a, err, at)
	}
}

func TestStatementCache(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	size := func(c *stmtCache) int {
		c.mu.RLock()
		defer c.mu.RUnlock()
		return len(c.m)
	}
	batch := []runtime.ObjectWrite{
		{Collection: "c", Key: "a", Value: "{}", PermissionRead: 1, PermissionWrite: 1},
		{Collection: "c", Key: "b", Value: "{}", PermissionRead: 1, PermissionWrite: 1},
	}
	before := size(s.pools.write)
	for range 3 {
		if _, err := s.WriteObjects(t.Context(), "", batch); err != nil {
			t.Fatal(err)
		}
	}
	if after := size(s.pools.write); after != before+1 {
		t.Fatalf("write cache grew from %d to %d statements over three batches, want one more", before, after)
	}

	// Past the bound, statements still run, unprepared.
	q := s.pools.Read()
	for i := range maxStmts + 10 {
		var got int
		if err := q.QueryRow(t.Context(), fmt.Sprintf("SELECT $1 + %d", i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("statement %d: got %d, %v", i, got, err)
		}
	}
	if n := size(s.pools.read); n != maxStmts {
		t.Fatalf("read cache holds %d statements, want the bound %d", n, maxStmts)
	}
}
