#!/usr/bin/env bash
# Builds the WebAssembly game modules of the guest SDKs into one folder:
#
#   test/build-wasm.sh [OUT_DIR]     (default: modules/ at the repository root)
#
# One step per SDK, each checking its own toolchain first: a missing
# toolchain is an error (exit 1, with what to install), never a skip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/modules}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

fail() {
  echo "build-wasm: $*" >&2
  exit 1
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
echo "== AssemblyScript SDK: tictactoe_as.wasm, echo_as.wasm"
command -v node >/dev/null 2>&1 || fail "node not found (apt-get install -y nodejs npm)"
command -v npm >/dev/null 2>&1 || fail "npm not found (apt-get install -y nodejs npm)"
(
  cd "$root/sdk/assemblyscript"
  [ -x node_modules/.bin/asc ] || npm ci --no-audit --no-fund --loglevel=error
  for ex in tictactoe echo; do
    node_modules/.bin/asc "examples/$ex/index.ts" --config asconfig.json -o "$out/${ex}_as.wasm"
  done
)

echo "== built into $out"
