#!/usr/bin/env bash
# The large-batch option against the paper's batch, at an equal count of instances (issue 15, part 3):
# Small TF (linear read-out) trained from the same seed once at batch 64 and lr LR, and once per scaling
# in SCALINGS at batch BIG with --lr-scaling (linear: lr * BIG / 64; sqrt: lr * sqrt(BIG / 64)), each for
# INSTANCES instances, all runs at once. Writes OUT (JSON): per run its batch, learning rate, steps,
# wall time, instances per second and label loss at n = N + 1 on the same evaluation set, with each run's
# seed, device, step, precision and revision (scripts/summarize_large_batch.py, from the model files). MAX_MINUTES (default 0: none) stops each run early, as a guard
# for a time-limited machine; a run stopped so has fewer instances than INSTANCES, which the JSON shows.
#
#   INSTANCES=128000 BIG=1024 SCALINGS="sqrt linear" DEVICE=cpu STEP=eager OUT=out/large_batch.json \
#     bash scripts/compare_large_batch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
icsr=${ICSR:-build/icsr}
instances=${INSTANCES:-128000}
big=${BIG:-1024}
scalings=${SCALINGS-sqrt linear}  # SCALINGS="" runs batch 64 alone
device=${DEVICE:-cpu}
step=${STEP:-eager}
precision=${PRECISION:-fp32}
lr=${LR:-1e-4}
eval_instances=${EVAL_INSTANCES:-500}
max_minutes=${MAX_MINUTES:-0}
out=${OUT:-out/large_batch.json}
work=${WORK:-out/large_batch}
if (( instances < big )); then echo "compare_large_batch: INSTANCES ($instances) is below BIG ($big)" >&2; exit 2; fi
mkdir -p "$work" "$(dirname "$out")"
runs=("64 none")
for scaling in $scalings; do runs+=("$big $scaling"); done
pids=()
for run in "${runs[@]}"; do
  read -r batch scaling <<< "$run"
  name="small_tf_b${batch}_${scaling}"
  rm -f "$work/$name".safetensors*
  # One evaluation at the end (and one per 10% of the steps, for the log).
  steps=$(( (instances + batch - 1) / batch ))
  every=$(( steps / 10 > 0 ? steps / 10 : 1 ))
  OMP_NUM_THREADS=1 "$icsr" train-tf --model small_tf --readout linear --checkpoint "$work/$name.safetensors" \
    --instances "$instances" --batch "$batch" --lr "$lr" --lr-scaling "$scaling" --device "$device" --step "$step" \
    --precision "$precision" --eval-instances "$eval_instances" --eval-every "$every" --max-minutes "$max_minutes" > "$work/$name.stdout" 2> "$work/$name.stderr" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
if (( status != 0 )); then echo "compare_large_batch: a run failed; see $work/*.stderr" >&2; exit 1; fi
python3 scripts/summarize_large_batch.py "$out" "$work" "$instances" "${runs[@]}"
