#!/usr/bin/env bash
# The training benchmark in one run: the C++ trainer (build/benchmarks/bench_training) and its eager
# PyTorch reference (benchmarks/reference_train.py) on the same machine and device, then the ratio of
# steps per second. Writes OUT (default out/bench_training.json) with both figures and the ratios.
#   BUILD=build-cuda DEVICE=cuda PRECISION=fp32 SECONDS_PER_MODEL=5 PYTHON=python3 bash scripts/bench_training.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
device=${DEVICE:-cpu}
precision=${PRECISION:-fp32}
seconds=${SECONDS_PER_MODEL:-5}
python=${PYTHON:-python3}
out=${OUT:-out/bench_training.json}
mkdir -p "$(dirname "$out")"
cpp_json=$(mktemp)
ICSR_BENCH_DEVICE=$device ICSR_BENCH_PRECISION=$precision "$build/benchmarks/bench_training" \
  --benchmark_min_time="$seconds" --benchmark_format=json > "$cpp_json"
py_lines=$("$python" benchmarks/reference_train.py --device "$device" --precision "$precision" --seconds "$seconds")
"$python" - "$cpp_json" "$out" "$py_lines" <<'PY'
import json, sys
cpp = json.load(open(sys.argv[1]))
py = [json.loads(line) for line in sys.argv[3].splitlines() if line.strip()]
refs = {ref["model"]: ref for ref in py}
rows = []
# TrainingSteps/ARCH/STEP (benchmarks/bench_training.cpp); a skipped one (cuda-graph without CUDA) has no rate.
eager = {}
for bench in cpp["benchmarks"]:
    _, arch, step = bench["name"].split("/")[:3]
    if "items_per_second" not in bench:
        continue
    model = ["small_tf", "gpt2"][int(arch)]
    mode = ["eager", "sync-free", "cuda-graph"][int(step)]
    ref = refs[model]
    cpp_rate = bench["items_per_second"]
    if mode == "eager":
        eager[model] = cpp_rate
    rows.append({"model": model, "step": mode, "device": ref["device"], "precision": ref["precision"], "batch": ref["batch"],
                 "cpp_steps_per_second": cpp_rate, "pytorch_steps_per_second": ref["steps_per_second"],
                 "ratio_cpp_over_pytorch": cpp_rate / ref["steps_per_second"],
                 "ratio_over_eager_cpp": cpp_rate / eager[model] if model in eager else None, "pytorch": ref["torch"]})
    print(f'{model:>9} {ref["device"]} {ref["precision"]} {mode:>10}: C++ {cpp_rate:.2f} steps/s, eager PyTorch '
          f'{ref["steps_per_second"]:.2f} steps/s, ratio {cpp_rate / ref["steps_per_second"]:.2f}x')
json.dump({"context": cpp["context"], "results": rows}, open(sys.argv[2], "w"), indent=2)
PY
rm -f "$cpp_json"
