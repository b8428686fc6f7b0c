#!/usr/bin/env bash
# Runs every test of ASL Studio on a fresh machine: installs what the project needs (idempotent),
# checks formatting and lints, runs the Rust test suites, builds the web app and runs the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "set-up (idempotent)"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

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
