// Command wasiprobe is a test guest of vm/wasm (TestWASISandbox): its RPCs
// try what a sandboxed module must not do (open files, read the host's
// environment and arguments) and report the clock and random bytes it sees.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o wasiprobe.wasm ./vm/wasm/testdata/wasiprobe
package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/arbiterhq/arbiter/sdk/go/arbiter"
)

// result reports the outcome of a file operation: "ok" or the error.
func result(err error) string {
	if err == nil {
		return "ok"
	}
	return "error: " + err.Error()
}

func init() {
	arbiter.RegisterRPC("read_file", func(ctx *arbiter.Context, path string) (string, error) {
		_, err := os.ReadFile(path)
		return result(err), nil
	})
	arbiter.RegisterRPC("read_dir", func(ctx *arbiter.Context, path string) (string, error) {
		_, err := os.ReadDir(path)
		return result(err), nil
	})
	arbiter.RegisterRPC("write_file", func(ctx *arbiter.Context, path string) (string, error) {
		return result(os.WriteFile(path, []byte("x"), 0o644)), nil
	})
	arbiter.RegisterRPC("getenv", func(ctx *arbiter.Context, name string) (string, error) {
		v, ok := os.LookupEnv(name)
		return strconv.FormatBool(ok) + " " + v, nil
	})
	arbiter.RegisterRPC("environ", func(ctx *arbiter.Context, _ string) (string, error) {
		return strings.Join(os.Environ(), "\n"), nil
	})
	arbiter.RegisterRPC("args", func(ctx *arbiter.Context, _ string) (string, error) {
		return strings.Join(os.Args, "\n"), nil
	})
	arbiter.RegisterRPC("now", func(ctx *arbiter.Context, _ string) (string, error) {
		return strconv.FormatInt(time.Now().UnixNano(), 10), nil
	})
	arbiter.RegisterRPC("elapsed", func(ctx *arbiter.Context, ms string) (string, error) {
		// Spins for ms of the monotonic clock and reports what it measured.
		n, _ := strconv.Atoi(ms)
		start := time.Now()
		for time.Since(start) < time.Duration(n)*time.Millisecond {
		}
		return strconv.FormatInt(time.Since(start).Nanoseconds(), 10), nil
	})
	arbiter.RegisterRPC("random", func(ctx *arbiter.Context, _ string) (string, error) {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
}

func main() {}
