#!/usr/bin/env bash
# Checks that `node` is a Node.js recent enough for the tests:
#
#   test/check-node.sh
#
# The nakama-js end-to-end tests (test/e2e) run `node --test
# --test-force-exit`, which Node.js has from 20.14 (test/e2e/package.json's
# engines, minNode in test/e2e/harness_test.go), and the AssemblyScript
# compiler of sdk/assemblyscript declares node >= 20. Debian 12's nodejs
# package is Node.js 18: with it npm only warns, and the tests fail later
# and obscurely. This prints one line naming the problem and exits 1 when
# node is missing or too old; it prints nothing when node will do.
set -euo pipefail
min=20.14.0
hint="Debian 12's nodejs package is 18: see README.md, \"Test it\", for a newer one"
if ! command -v node >/dev/null 2>&1; then
  echo "node not found: the tests need Node.js $min or newer; $hint" >&2
  exit 1
fi
# node compares its own version with min, in syntax any Node.js understands.
older='var min = process.argv[1].split(".").map(Number);
var v = process.versions.node.split(".").map(Number);
for (var i = 0; i < 3; i++) {
  if (v[i] !== min[i]) { process.exit(v[i] < min[i] ? 1 : 0); }
}'
if ! node -e "$older" "$min" >/dev/null 2>&1; then
  echo "node $(node --version 2>/dev/null || echo '(version unknown)') is too old: the tests need Node.js $min or newer; $hint" >&2
  exit 1
fi
