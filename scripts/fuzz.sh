#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 600), one after another, and reports
# crashes. Not part of scripts/test.sh: fuzzing takes long runs.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Crashes land in fuzz/artifacts/<target>/; each one found becomes a regression test in the crate
# it belongs to (the input copied into that crate's tests).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
# libFuzzer's coverage hooks need no sanitizer (-s none), which cargo-fuzz also builds on stable;
# nightly is used when installed (rustup toolchain install nightly) for its extra checks.
toolchain=stable
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=nightly
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo "+$toolchain" fuzz list)
fi

failed=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  # Seed the parsers with the real definitions and templates we already have.
  case "$target" in
    json_import) find tests/data/corpus -name '*.json' -size -64k -exec cp -n {} "fuzz/corpus/$target/" \; ;;
    yaml_template) find tests/data/corpus -name '*.yaml' -o -name '*.yml' | while read -r f; do cp -n "$f" "fuzz/corpus/$target/"; done ;;
  esac
  printf '\n==> %s for %ss\n' "$target" "$seconds"
  if ! (cd fuzz && cargo "+$toolchain" fuzz run "$target" -s none -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
        "corpus/$target"); then
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes in: ${failed[*]} (inputs in fuzz/artifacts/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each with no crash"
