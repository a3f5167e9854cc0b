#!/usr/bin/env bash
# Trains the Transformers of Section 6 into models/checkpoints/, one after the other:
#   small_tf_linear, small_tf_query, small_tf_query_dagger   Small TF with the three read-outs (Fig. 1a, 1c)
#   small_tf_support                                         Small TF, support in the first 10 entries (Fig. 1b)
#   gpt2, gpt2_support                                       GPT-2, varying X and the support prior (Fig. 1a, 1b)
# Each run stops at the paper's budget (64 * 10^6 instances) or once it reaches the paper's error
# (--target-loss: 0.68 on varying X, where Figure 1a puts both Transformers below LISTA-VM's 0.68;
# 0.07 with the support prior, Figure 1b), whichever comes first. Resumable: rerun it and every run
# continues from its checkpoint (PATH, PATH.state-S, PATH.log).
#
#   ONLY="gpt2 gpt2_support"   the runs to do (default: all six)
#   MINUTES=8                  wall-time chunk per run and call (default: no limit)
#   CONCURRENT=1               train the runs at once (one GPU shared; the GPU call plan), not in turn
#   extra arguments            go to every `icsr train-tf` (e.g. --device cuda --precision tf32)
set -euo pipefail
cd "$(dirname "$0")/.."
icsr=${ICSR:-./build/icsr}
out=${OUT_DIR:-models/checkpoints}
mkdir -p "$out"
declare -A runs=(
  [small_tf_linear]="--model small_tf --readout linear --target-loss 0.68"
  [small_tf_query]="--model small_tf --readout query --target-loss 0.68"
  [small_tf_query_dagger]="--model small_tf --readout query_dagger --target-loss 0.68"
  [small_tf_support]="--model small_tf --readout linear --support-first10 --target-loss 0.07"
  [gpt2]="--model gpt2 --target-loss 0.68"
  [gpt2_support]="--model gpt2 --support-first10 --target-loss 0.07"
)
only=${ONLY:-small_tf_linear small_tf_query small_tf_query_dagger small_tf_support gpt2 gpt2_support}
chunk=()
if [[ -n "${MINUTES:-}" ]]; then chunk=(--max-minutes "$MINUTES"); fi
for name in $only; do
  if [[ -z "${runs[$name]:-}" ]]; then echo "unknown run '$name' (known: ${!runs[*]})" >&2; exit 2; fi
done
pids=()
for name in $only; do
  echo "== $name" >&2
  if [[ -n "${CONCURRENT:-}" ]]; then
    # shellcheck disable=SC2086
    "$icsr" train-tf ${runs[$name]} --checkpoint "$out/$name.safetensors" "${chunk[@]}" "$@" > "$out/$name.stderr" 2>&1 &
    pids+=("$!:$name")
  else
    # shellcheck disable=SC2086
    "$icsr" train-tf ${runs[$name]} --checkpoint "$out/$name.safetensors" "${chunk[@]}" "$@"
  fi
done
failed=0
for entry in "${pids[@]}"; do
  if ! wait "${entry%%:*}"; then
    echo "train_transformers: ${entry#*:} failed; its output: $out/${entry#*:}.stderr" >&2
    tail -5 "$out/${entry#*:}.stderr" >&2
    failed=1
  fi
done
exit $failed
