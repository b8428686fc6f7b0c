#!/usr/bin/env bash
# Generating and running a covering test suite for a large definition, against running each of
# its cases as its own `asl-studio run` process (issue 17).
#
# usage: scripts/bench-suites.sh [STATES]   (default 1000; gen_asl.py from tests/data/bench or
#        $GEN_ASL). The binary is $ASL_STUDIO_BIN, default target/release/asl-studio when built,
#        else target/debug/asl-studio.
set -euo pipefail
cd "$(dirname "$0")/.."
states="${1:-1000}"
gen="${GEN_ASL:-tests/data/bench/gen_asl.py}"
bin="${ASL_STUDIO_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x target/release/asl-studio ]]; then bin=target/release/asl-studio; else bin=target/debug/asl-studio; fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$gen" "$states" > "$work/big.asl.json"
now() { date +%s.%N; }

start=$(now)
"$bin" test "$work/big.asl.json" --generate -o "$work/suite.json" > "$work/generate.txt"
generated=$(now)
"$bin" test "$work/big.asl.json" --mocks "$work/suite.json" --format json > "$work/report.json"
ran=$(now)

# The same cases, one `asl-studio run` process each, on the case's input and mocks.
python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
suite = json.load(open(os.path.join(work, "suite.json")))
machine, body = next(iter(suite["StateMachines"].items()))
with open(os.path.join(work, "cases.txt"), "w") as cases:
    for number, (name, case) in enumerate(body["TestCases"].items()):
        path = os.path.join(work, f"input{number}.json")
        json.dump(case.get("Expect", {}).get("Input", {}), open(path, "w"))
        cases.write(f"{machine}\t{name}\t{path}\n")
PY
separate_start=$(now)
while IFS=$'\t' read -r machine name input; do
  "$bin" run "$work/big.asl.json" --mocks "$work/suite.json" --state-machine "$machine" \
    --test-case "$name" --input "$input" > /dev/null 2>&1 || true
done < "$work/cases.txt"
separate_end=$(now)

python3 - "$work" "$start" "$generated" "$ran" "$separate_start" "$separate_end" "$bin" <<'PY'
import json, sys, os
work, start, generated, ran, s0, s1, binary = sys.argv[1:]
start, generated, ran, s0, s1 = map(float, (start, generated, ran, s0, s1))
report = json.load(open(os.path.join(work, "report.json")))
cases = report["passed"] + report["failed"]
c = report["coverage"]
print(f"binary: {binary}")
print(f"definition: {sum(1 for _ in open(os.path.join(work, 'big.asl.json')))} lines; suite: {cases} cases, {report['failed']} failing")
for k in ("states", "choice_rules", "catchers", "retriers", "branches"):
    print(f"  {k:13} {c[k]['covered']}/{c[k]['total']}")
print(f"generate:                      {generated - start:8.2f} s")
print(f"asl-studio test (one process): {ran - generated:8.2f} s")
print(f"asl-studio run per case:       {s1 - s0:8.2f} s  ({cases} processes)")
print(f"ratio (run per case / test):   {(s1 - s0) / max(ran - generated, 1e-9):8.1f}x")
PY
