// Package e2e tests Arbiter end to end: a real server, started in-process
// with cmd/arbiter/app on 127.0.0.1:0, driven by Nakama's official
// JavaScript client (nakama-js, run under `node --test`) and by plain
// net/http for what needs a restart or a byte-level look.
//
// Running:
//
//	go test ./test/e2e             # SQLite, and PostgreSQL when reachable
//	go test -v -run NakamaJS/sqlite ./test/e2e
//	go test -run '^$' -bench . ./test/e2e
//
// The harness runs `npm ci` in this folder when node_modules is missing or
// older than package-lock.json. Without node and npm the JavaScript tests
// are skipped with a message, unless CI=true, where they fail. PostgreSQL
// runs use a fresh schema from storage/postgres/pgtest and follow its rules
// ($ARBITER_TEST_DATABASE; skipped when unreachable unless CI=true).
//
// To run the JavaScript tests by hand against a running server:
//
//	go run ./cmd/arbiter --data-dir /tmp/arbiter &
//	cd test/e2e && npm ci && ARBITER_PORT=7350 npm test
//
// # Adding tests
//
// A new area gets a file `<area>.test.mjs` here; it imports lib/nakama.mjs
// for the client, the server address and assertion helpers. Go tests start
// servers with startServer and run files with runNode (harness_test.go);
// both register their cleanup with the test.
package e2e
