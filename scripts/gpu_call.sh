#!/usr/bin/env bash
# One command per GPU call, each well inside the 10-minute limit, each leaving under $OUT at most 8 files
# of at most 16 MiB (the device's return limits). Carry .debs (scripts/fetch_device_debs.sh) on every call;
# build-cuda/ and the optimizer states (models/checkpoints/*.state-*) stay on the warm machine between calls.
#
#   bash scripts/gpu_call.sh first          build (device_build.sh), the CUDA parity tests (the Transformer, and the
#                                           CUDA-graph step against the sync-free step), the training benchmark
#                                           (eager, sync-free and cuda-graph steps against eager PyTorch)
#   bash scripts/gpu_call.sh train [MIN]    every Transformer run (Small TF linear, query, query-dagger, support;
#                                           GPT-2, GPT-2 support) trains at once on the one GPU for MIN minutes
#                                           (default 7), each resuming where the last call left it, until the
#                                           paper's budget or error; the model files and logs come back as one
#                                           tar split into parts with a manifest (scripts/split_return.sh);
#                                           STEP (default cuda-graph; sync-free if the first call's graph test failed)
#   bash scripts/gpu_call.sh compare [MIN]  the large-batch option (batch 1024, lr scaled by sqrt and linearly) against
#                                           batch 64 at equal instances in TF32, and batch 64 in FP32 beside it (the TF32
#                                           accuracy check); INSTANCES (default 3,200,000), each run at most MIN minutes
#
# Here, after a train call: bash scripts/join_return.sh FILES_AT/checkpoints.tar.manifest checkpoints.tar
#                           && tar -xf checkpoints.tar   (it unpacks into models/checkpoints/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:?gpu_call: OUT names the folder whose files come back}
mkdir -p "$out"
case "${1:-}" in
  first)
    # Only what this call runs: the whole tree (every test, the fuzzers) may not build within one 10-minute call.
    ICSR_TARGETS="icsr test_transformer test_icl_models bench_training" bash scripts/device_build.sh 2>&1 | tail -20
    # shellcheck disable=SC1091
    source build-cuda/env.sh
    build-cuda/tests/test_transformer --gtest_filter='Transformer.CudaMatchesCpu' 2>&1 | tail -5
    build-cuda/tests/test_icl_models --gtest_filter='SyncFreeStep.*' 2>&1 | tail -12
    BUILD=build-cuda DEVICE=cuda OUT="$out/bench_training.json" SECONDS_PER_MODEL=${SECONDS_PER_MODEL:-5} \
      bash scripts/bench_training.sh
    ;;
  train)
    minutes=${2:-7}
    # shellcheck disable=SC1091
    source build-cuda/env.sh
    ICSR=build-cuda/icsr MINUTES=$minutes CONCURRENT=1 bash scripts/train_transformers.sh --device cuda --precision tf32 \
      --step "${STEP:-cuda-graph}" || true
    files=()
    for name in small_tf_linear small_tf_query small_tf_query_dagger small_tf_support gpt2 gpt2_support; do
      for file in "models/checkpoints/$name.safetensors" "models/checkpoints/$name.safetensors.log" "models/checkpoints/$name.stderr"; do
        [[ -f $file ]] && files+=("$file")
      done
    done
    tar -cf /tmp/checkpoints.tar "${files[@]}"
    bash scripts/split_return.sh "$out" /tmp/checkpoints.tar
    count=$(ls "$out" | wc -l)
    if (( count > 8 )); then echo "gpu_call: $count files under OUT, more than the 8 that come back" >&2; exit 1; fi
    ;;
  compare)
    minutes=${2:-4}
    # shellcheck disable=SC1091
    source build-cuda/env.sh
    common=(ICSR=build-cuda/icsr INSTANCES="${INSTANCES:-3200000}" DEVICE=cuda STEP="${STEP:-cuda-graph}" MAX_MINUTES="$minutes")
    env "${common[@]}" PRECISION=tf32 OUT="$out/large_batch_tf32.json" WORK=/tmp/large_batch_tf32 bash scripts/compare_large_batch.sh &
    env "${common[@]}" PRECISION=fp32 SCALINGS="" OUT="$out/batch64_fp32.json" WORK=/tmp/batch64_fp32 bash scripts/compare_large_batch.sh &
    wait
    ;;
  *)
    echo "usage: OUT=DIR bash scripts/gpu_call.sh first | train [MINUTES] | compare [MINUTES]" >&2
    exit 2
    ;;
esac
