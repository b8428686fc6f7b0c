#!/usr/bin/env bash
# Times `asl-studio render` (SVG, PNG, Mermaid) and `asl-studio diff` on generated machines of
# 1,000 and 10,000 states (gen_asl.py), with the release binary. Prints one table row per size:
# the best of RUNS wall-clock runs of the whole command (read, parse, lay out, draw, write).
#   scripts/bench-render.sh                 build the release binary, then measure
#   ASL_STUDIO_BIN=path scripts/bench-render.sh   measure that binary instead
#   RUNS=5 SIZES="1000 10000" scripts/bench-render.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gen="${GEN_ASL:-$repo/tests/data/bench/gen_asl.py}"
runs="${RUNS:-3}"
sizes="${SIZES:-1000 10000}"
bin="${ASL_STUDIO_BIN:-}"
if [ -z "$bin" ]; then
    (cd "$repo" && cargo build --release -q -p asl-studio --bin asl-studio)
    bin="$repo/target/release/asl-studio"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Milliseconds of the best of $runs runs of the command.
best_ms() {
    local best=""
    for _ in $(seq "$runs"); do
        local start end ms
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}

echo "| states | file | svg | png (at scale) | mermaid | diff (text, one field changed) | svg size | png size |"
echo "|---|---|---|---|---|---|---|---|"
for n in $sizes; do
    def="$work/gen$n.asl.json"
    python3 "$gen" "$n" > "$def"
    # NEW for the diff: the same machine with one Comment added to its first state.
    python3 - "$def" "$work/gen$n.new.asl.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
first = d["StartAt"]
d["States"][first]["Comment"] = "changed for the diff benchmark"
json.dump(d, open(sys.argv[2], "w"))
EOF
    svg=$(best_ms "$bin" render "$def" --to svg -o "$work/out.svg")
    # The largest scale up to 1 at which the PNG fits the renderer's limits (32,767 px a side,
    # 100 M pixels): a machine of 10,000 states is bigger than that at scale 1.
    scale=$(python3 -c '
import re, sys
head = open(sys.argv[1]).read(400)
w, h = (float(v) for v in re.search(r"width=\"([\d.]+)\" height=\"([\d.]+)\"", head).groups())
print(round(min(1.0, 32767 / max(w, h), (100e6 / (w * h)) ** 0.5) * 0.999, 4))
' "$work/out.svg")
    png=$(best_ms "$bin" render "$def" --to png --scale "$scale" -o "$work/out.png")
    mmd=$(best_ms "$bin" render "$def" --to mermaid -o "$work/out.mmd")
    diff=$(best_ms "$bin" diff "$def" "$work/gen$n.new.asl.json")
    echo "| $n | $(( $(stat -c %s "$def") / 1024 )) KB | ${svg} ms | ${png} ms (${scale}) | ${mmd} ms | ${diff} ms | $(( $(stat -c %s "$work/out.svg") / 1024 )) KB | $( [ -f "$work/out.png" ] && echo "$(( $(stat -c %s "$work/out.png") / 1024 )) KB" || echo "refused (too large)") |"
    rm -f "$work/out.png"
done
