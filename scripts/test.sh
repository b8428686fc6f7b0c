#!/usr/bin/env bash
# Runs every test of ASL Studio on a fresh machine: installs what the project needs (idempotent),
# checks formatting and lints, runs the Rust test suites, builds the web app and runs the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A full run builds every crate once; incremental caches would only double what target/ holds on disk
# (several GB), which is what a CI machine runs short of. `cargo test -p` while working keeps them.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "set-up (idempotent)"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo clippy for the browser (wasm32; warnings are errors)"
# Code behind cfg(target_arch = "wasm32") is only seen when compiling for the browser. Its own target
# dir (the web build's) keeps the native artefacts untouched.
wasm_libdir="$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null || true)"
if [ -n "$wasm_libdir" ] && compgen -G "$wasm_libdir/libstd-*.rlib" >/dev/null; then
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/wasm" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
    cargo clippy --target wasm32-unknown-unknown -p asl-studio-web -p asl-studio --lib --quiet -- -D warnings
else
  # Debian's build-std route (scripts/setup-web.sh) ships no clippy for its compiler.
  echo "skipped: rustup's toolchain has no wasm32 standard library here (the web build uses Debian's rustc)"
fi

step "cargo test (graph-model, asl-codec, simulator, app, cross-crate tests)"
log_dir=$(mktemp -d)
cargo test --workspace 2>&1 | tee "$log_dir/cargo-test.log"
rust_summary=$(grep -E '^test result:' "$log_dir/cargo-test.log" | awk '{p+=$4; f+=$6} END {printf "%d passed, %d failed", p, f}')

if [ -x tests/browser/run.sh ]; then
  step "web build and browser tests (headless Chromium)"
  bash tests/browser/run.sh
fi

step "summary"
echo "rust: ${rust_summary}"
