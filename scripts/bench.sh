#!/usr/bin/env bash
# The side-by-side benchmark: ASL Studio against its peers, on this machine, in one command.
#
#   bash scripts/bench.sh            full run (prints the table, writes bench-results/table.md)
#   bash scripts/bench.sh --quick    2 repetitions, no 10,000-state peer layouts (a smoke test)
#
# Installs the pinned peers (npm ci in bench/peers: aws-local-stepfunctions, asl-validator,
# @dagrejs/dagre; Debian's graphviz for `dot`), builds the harness (bench/harness, which links the
# simulator, codec, model and designer crates) in release mode, then runs every comparison with ours
# and theirs alternating. No GPU needed. BENCH_WEB_BUILD=1 also runs web/build.sh first so that the
# .wasm size is measured (a long build); otherwise the size of an existing web/dist/*.wasm is reported.
# CARGO_TARGET_DIR is honoured (default: target/).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/bench-results"
mode=()
[ "${1:-}" = "--quick" ] && mode=(--quick)

step() { printf '\n== %s\n' "$*" >&2; }

step "peers: graphviz (apt) and npm packages (bench/peers/package-lock.json)"
if ! command -v dot >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y --no-install-recommends graphviz >/dev/null \
        || { DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update >/dev/null && \
             DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y --no-install-recommends graphviz >/dev/null; }
fi
command -v node >/dev/null || { echo "bench.sh: node (>= 20) is required for the peers" >&2; exit 1; }
lock="$repo/bench/peers/package-lock.json"
stamp="$repo/bench/peers/node_modules/.bench-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
    (cd "$repo/bench/peers" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$lock" "$stamp"
fi

if [ "${BENCH_WEB_BUILD:-0}" = 1 ]; then
    step "web build (web/build.sh)"
    bash "$repo/web/build.sh"
fi

step "build: asl-studio-bench (release)"
target="${CARGO_TARGET_DIR:-$repo/target}"
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --release -p asl-studio-bench)

mkdir -p "$out"
{
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Command: bash scripts/bench.sh ${mode[*]:-}"
    echo "- Peers: node $(node --version), $(cd "$repo/bench/peers" && node -p "['aws-local-stepfunctions','asl-validator','@dagrejs/dagre'].map(n => n + ' ' + JSON.parse(require('fs').readFileSync('node_modules/' + n + '/package.json')).version).join(', ')"), $(dot -V 2>&1 | sed 's/ (.*//')"
    echo
} > "$out/header.md"
cat "$out/header.md"

step "measure"
"$target/release/asl-studio-bench" all --repo "$repo" --out "$out" "${mode[@]}"
cat "$out/header.md" "$out/table.md" > "$out/table.md.tmp" && mv "$out/table.md.tmp" "$out/table.md"
echo >&2
echo "Table written to bench-results/table.md" >&2
