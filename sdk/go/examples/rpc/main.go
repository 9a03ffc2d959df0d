// Command rpc is an example module of RPCs.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o rpc.wasm ./examples/rpc
package main

import (
	"strings"

	"github.com/arbiterhq/arbiter/sdk/go/arbiter"
)

func init() {
	arbiter.RegisterRPC("echo", func(ctx *arbiter.Context, payload string) (string, error) {
		return payload, nil
	})
	arbiter.RegisterRPC("whoami", func(ctx *arbiter.Context, payload string) (string, error) {
		return ctx.UserID + "@" + ctx.Node, nil
	})
	arbiter.RegisterRPC("fail", func(ctx *arbiter.Context, payload string) (string, error) {
		return "", arbiter.NewError("not allowed: "+payload, arbiter.CodePermissionDenied)
	})
	arbiter.RegisterRPC("upper_nk", func(ctx *arbiter.Context, payload string) (string, error) {
		// Any nk function, by name: the host checks the arguments.
		res, err := arbiter.Call("echo", payload)
		if err != nil {
			return "", err
		}
		s, _ := res[0].(string)
		arbiter.Logger.Info("upper_nk called", "payload", payload)
		return strings.ToUpper(s), nil
	})
	arbiter.RegisterRPC("create_match", func(ctx *arbiter.Context, payload string) (string, error) {
		return arbiter.MatchCreate("arena", map[string]any{"by": ctx.UserID})
	})
	arbiter.RegisterRPC("spin", func(ctx *arbiter.Context, payload string) (string, error) {
		for {
		}
	})
	arbiter.RegisterRPC("panic", func(ctx *arbiter.Context, payload string) (string, error) {
		panic("boom")
	})
}

func main() {}
