module github.com/arbiterhq/arbiter/sdk/go

go 1.24
