#!/usr/bin/env bash
# ctest (label unit): scripts/compare_large_batch.sh at a tiny budget. Batch 64 and batch 1024 with the
# square-root scaling both reach the same 2048 instances; the JSON names each run's batch, learning rate
# (1e-4 * sqrt(1024 / 64) = 4e-4), steps and loss; an INSTANCES below BIG is refused (exit 2).
# Usage: test_compare_large_batch.sh ICSR_BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
icsr=${1:?the icsr binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ICSR=$icsr INSTANCES=2048 BIG=1024 SCALINGS=sqrt EVAL_INSTANCES=20 STEP=sync-free OUT="$work/out.json" WORK="$work/runs" \
  bash "$root/scripts/compare_large_batch.sh"
python3 - "$work/out.json" <<'PY'
import json, math, sys
run = json.load(open(sys.argv[1]))
assert run["equal_instances"] is True, run
assert run["settings"]["step"] == "sync-free" and run["settings"]["seed"] == 1, run
assert all(row["revision"] and row["device"] == "cpu" for row in run["runs"]), run
rows = {(row["batch"], row["lr_scaling"]): row for row in run["runs"]}
assert set(rows) == {(64, "none"), (1024, "sqrt")}, rows
assert rows[(64, "none")]["steps"] == 32 and rows[(1024, "sqrt")]["steps"] == 2, rows
assert all(row["instances"] == 2048 for row in rows.values()), rows
assert math.isclose(rows[(1024, "sqrt")]["lr_effective"], 4e-4, rel_tol=1e-12), rows
assert all(math.isfinite(row["eval_loss_at_N_plus_1"]) for row in rows.values()), rows
PY
set +e
ICSR=$icsr INSTANCES=100 BIG=1024 OUT="$work/never.json" WORK="$work/never" bash "$root/scripts/compare_large_batch.sh" 2> "$work/err"
status=$?
set -e
[[ $status == 2 ]] || { echo "FAIL: INSTANCES < BIG exited $status, not 2"; exit 1; }
grep -q "below BIG" "$work/err" || { echo "FAIL: the refusal does not say why"; cat "$work/err"; exit 1; }
echo "compare_large_batch.sh: ok"
