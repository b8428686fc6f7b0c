#!/usr/bin/env bash
# Builds the web app (web/build.sh) and runs the browser tests against it in headless Chromium.
# Exits non-zero when the build or any test fails. Needs scripts/setup-web.sh to have run.
#   tests/browser/run.sh              build + test
#   tests/browser/run.sh --no-build   test what web/dist holds
#   tests/browser/run.sh --mermaid    only the Mermaid check: `asl-studio render --to mermaid` of every real
#                                     corpus definition, drawn by the real Mermaid library (mermaid.mjs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

mode="${1:-}"
if [ "$mode" != "--no-build" ] && [ "$mode" != "--mermaid" ]; then
    "$repo/web/build.sh"
fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/mermaid" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
if [ "$mode" != "--mermaid" ]; then
    rm -rf artifacts
    node --test --test-concurrency=1 --test-timeout=600000 test.mjs
fi

# Mermaid: every real corpus definition rendered by asl-studio, then parsed and drawn by Mermaid itself.
(cd "$repo" && cargo build -q -p asl-studio --bin asl-studio)
bin="${CARGO_TARGET_DIR:-$repo/target}/debug/asl-studio"
mmd="$(mktemp -d)"
trap 'rm -rf "$mmd"' EXIT
i=0
while IFS= read -r definition; do
    i=$((i + 1))
    "$bin" render "$definition" --to mermaid -o "$mmd/$(printf %03d "$i")-$(basename "$definition").mmd"
done < <(find "$repo/tests/data/corpus/real" -name '*.asl.*' | sort)
node mermaid.mjs "$mmd"
