#!/usr/bin/env bash
# Builds the WebAssembly game modules of the guest SDKs into one folder:
#
#   test/build-wasm.sh [OUT_DIR]     (default: modules/ at the repository root)
#
# They are the tic-tac-toe of modules/tictactoe.lua written again with each
# SDK: tictactoe_rust.wasm, tictactoe_as.wasm and tictactoe_go.wasm. Only
# those go into OUT_DIR, which is meant to be a server's modules folder: the
# SDKs' other examples register RPCs (an "echo" among them) that would
# shadow the Lua modules' RPCs of the same names.
#
# One step per SDK, each checking its own toolchain first: a missing
# toolchain is an error (exit 3, with what to install), never a skip; a
# failed build exits with the compiler's status.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/modules}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# fail reports a missing toolchain (exit status 3: callers such as the Go
# tests tell it from a failed build).
fail() {
  echo "build-wasm: $*" >&2
  exit 3
}

# --- Rust (sdk/rust): Debian's rustc and cargo with the wasm32 standard
# library. rustup's toolchains usually lack the wasm32 target, so the
# Debian binaries are named explicitly (RUSTC also keeps cargo off rustup).
echo "== Rust SDK: tictactoe_rust.wasm"
cargo=/usr/bin/cargo
rustc=/usr/bin/rustc
hint="apt-get install -y rustc cargo libstd-rust-dev-wasm32"
[ -x "$cargo" ] || fail "$cargo not found ($hint)"
[ -x "$rustc" ] || fail "$rustc not found ($hint)"
[ -d "$("$rustc" --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ] ||
  fail "no wasm32-unknown-unknown standard library for $rustc ($hint)"
(cd "$root/sdk/rust" && RUSTC="$rustc" RUSTDOC="${rustc%rustc}rustdoc" \
  "$cargo" build --release --offline --target wasm32-unknown-unknown -p tictactoe)
cp "$root/sdk/rust/target/wasm32-unknown-unknown/release/tictactoe_rust.wasm" "$out/"

# --- AssemblyScript (sdk/assemblyscript): node and npm; the compiler is the
# exact assemblyscript version of sdk/assemblyscript/package-lock.json,
# installed by npm ci when missing. asconfig.json holds the flags.
echo "== AssemblyScript SDK: tictactoe_as.wasm"
command -v node >/dev/null 2>&1 || fail "node not found (apt-get install -y nodejs npm)"
command -v npm >/dev/null 2>&1 || fail "npm not found (apt-get install -y nodejs npm)"
node_problem="$("$root/test/check-node.sh" 2>&1)" || fail "$node_problem"
(
  cd "$root/sdk/assemblyscript"
  [ -x node_modules/.bin/asc ] || npm ci --no-audit --no-fund --loglevel=error
  node_modules/.bin/asc examples/tictactoe/index.ts --config asconfig.json -o "$out/tictactoe_as.wasm"
)

# --- Go (sdk/go, part of the repository's module): Go's own wasip1 port,
# no other toolchain. -buildmode=c-shared makes a WASI reactor (library).
echo "== Go SDK: tictactoe_go.wasm"
command -v go >/dev/null 2>&1 || fail "go not found (https://go.dev/dl/)"
(cd "$root" && GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/tictactoe_go.wasm" ./sdk/go/examples/tictactoe)

echo "== built into $out"
