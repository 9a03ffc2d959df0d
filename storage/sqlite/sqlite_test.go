package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/arbiterhq/arbiter/storage/sqlite"
	"github.com/arbiterhq/arbiter/storage/storagetest"
)

// open opens a store in a new file under the test's temporary directory.
func open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(tb.Context(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "data", "arbiter.db")})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Store { return open(t) })
}

func BenchmarkIdentifyDeviceCreate(b *testing.B) {
	storagetest.BenchIdentifyDeviceCreate(b, open(b))
}

func BenchmarkIdentifyDeviceExisting(b *testing.B) {
	storagetest.BenchIdentifyDeviceExisting(b, open(b))
}

func BenchmarkWriteObject(b *testing.B) { storagetest.BenchWriteObject(b, open(b)) }
func BenchmarkReadObject(b *testing.B)  { storagetest.BenchReadObject(b, open(b)) }
