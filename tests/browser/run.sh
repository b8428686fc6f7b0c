#!/usr/bin/env bash
# Builds the web app (web/build.sh) and runs the browser tests against it in headless Chromium.
# Exits non-zero when the build or any test fails. Needs scripts/setup-web.sh to have run.
#   tests/browser/run.sh              build + test
#   tests/browser/run.sh --no-build   test what web/dist holds
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [ "${1:-}" != "--no-build" ]; then
    "$repo/web/build.sh"
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
rm -rf artifacts
node --test --test-concurrency=1 --test-timeout=600000 test.mjs
