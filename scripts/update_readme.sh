#!/bin/bash
# Rewrites every generated block of README.md from the program's own output (the blocks between
# "<!-- icsr ... begin" and "<!-- icsr ... end -->" markers): the verdict table and findings
# (icsr verdicts), the empirical-N_0 study (icsr empirical-n0 --readme), Section 6 (icsr section6)
# the full-budget timings (icsr timings benchmarks/full_budget_timings.json, when that file exists) and the
# time-to-first-counterexample table (--targeted benchmarks/targeted.json), the training-throughput table
# (--training benchmarks/training_cpu.json), the large-batch comparison (--large-batch
# benchmarks/large_batch_cpu.json) and the build times (--build benchmarks/build_cpu.json), each when its file exists.
# ctest fails when a block drifts from what the program writes; run this after a change that moves a number.
# Usage: scripts/update_readme.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/.."
icsr="${1:-build}/icsr"
[ -x "$icsr" ] || { echo "update_readme.sh: $icsr not found; build first" >&2; exit 2; }
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
"$icsr" verdicts > "$generated"
"$icsr" empirical-n0 --readme >> "$generated"
"$icsr" section6 >> "$generated"
if [ -f benchmarks/full_budget_timings.json ]; then
  extra=()
  [ -f benchmarks/targeted.json ] && extra+=(--targeted benchmarks/targeted.json)
  [ -f benchmarks/training_cpu.json ] && extra+=(--training benchmarks/training_cpu.json)
  [ -f benchmarks/large_batch_cpu.json ] && extra+=(--large-batch benchmarks/large_batch_cpu.json)
  [ -f benchmarks/build_cpu.json ] && extra+=(--build benchmarks/build_cpu.json)
  "$icsr" timings benchmarks/full_budget_timings.json "${extra[@]}" >> "$generated"
fi
python3 - "$generated" README.md <<'PY'
import re, sys
generated = open(sys.argv[1], encoding="utf-8").read()
readme_path = sys.argv[2]
readme = open(readme_path, encoding="utf-8").read()
blocks = re.findall(r"(<!-- icsr ([a-z0-9-]+) begin.*?-->\n)(.*?)(<!-- icsr \2 end -->)", generated, re.S)
for begin, name, body, end in blocks:
    pattern = re.compile(r"<!-- icsr " + re.escape(name) + r" begin.*?-->\n.*?<!-- icsr " + re.escape(name) + r" end -->", re.S)
    if not pattern.search(readme):
        sys.exit(f"update_readme.sh: README.md has no '{name}' block")
    readme = pattern.sub(lambda _: begin + body + end, readme, count=1)
    print(f"updated the '{name}' block")
open(readme_path, "w", encoding="utf-8").write(readme)
PY
